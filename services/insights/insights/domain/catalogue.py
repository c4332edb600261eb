"""The municipality's comparison services as data (data/comparisons.json): which KPIs each shows and
which comparison sets it offers. Read once at start; a mistake in the file stops the service with a
message that names it, rather than a page that breaks later."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fickan.insights.v1 import insights_pb2
from fickan_common import limits

# The contract's cap on a resident's pick is also the cap on a set (one number, in the proto).
MAX_SET = limits.of(insights_pb2.GetComparisonRequest, "municipality_ids").max_items or 20


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class KpiSpec:
    id: str
    title: str
    unit: str
    higher_is_better: bool
    demo_range: tuple[float, float]


@dataclass(frozen=True)
class SetSpec:
    id: str
    title: str
    description: str
    kolada_group: str
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    title: str
    description: str
    kpis: tuple[str, ...]
    sets: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    reference: str
    kpis: dict[str, KpiSpec]
    municipalities: dict[str, str]  # fallback titles until Kolada's are imported
    sets: dict[str, SetSpec]
    services: tuple[ServiceSpec, ...]

    def service(self, service_id: str) -> ServiceSpec | None:
        return next((s for s in self.services if s.id == service_id), None)

    def kpi_ids(self) -> list[str]:
        return sorted({k for s in self.services for k in s.kpis})


def load(path: Path) -> Catalogue:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{path}: cannot read the comparison services: {exc}") from None

    def need(cond: bool, problem: str) -> None:
        if not cond:
            raise CatalogueError(f"{path}: {problem}")

    kpis = {}
    for kpi_id, k in (raw.get("kpis") or {}).items():
        low, high = (k.get("demo_range") or [0, 100])[:2]
        kpis[kpi_id] = KpiSpec(
            kpi_id,
            k.get("title") or kpi_id,
            k.get("unit", ""),
            bool(k.get("higher_is_better", True)),
            (float(low), float(high)),
        )
    sets = {}
    for set_id, s in (raw.get("sets") or {}).items():
        members = tuple(str(m) for m in s.get("municipalities") or ())
        need(len(members) <= MAX_SET, f"set {set_id} has {len(members)} municipalities; at most {MAX_SET}")
        need(bool(members) or bool(s.get("kolada_group")), f"set {set_id} names no municipalities and no kolada_group")
        need(len(set(members)) == len(members), f"set {set_id} names a municipality twice")
        sets[set_id] = SetSpec(
            set_id, s.get("title") or set_id, s.get("description", ""), s.get("kolada_group") or "", members
        )
    services = []
    for s in raw.get("services") or ():
        need(
            bool(s.get("id")) and bool(s.get("kpis")) and bool(s.get("sets")),
            f"service {s.get('id')!r} needs id, kpis and sets",
        )
        for kpi_id in s["kpis"]:
            need(kpi_id in kpis, f"service {s['id']} names KPI {kpi_id}, which is not under kpis")
        for set_id in s["sets"]:
            need(set_id in sets, f"service {s['id']} names set {set_id}, which is not under sets")
        services.append(
            ServiceSpec(
                s["id"], s.get("title") or s["id"], s.get("description", ""), tuple(s["kpis"]), tuple(s["sets"])
            )
        )
    need(bool(services), "no services")
    need(len({s.id for s in services}) == len(services), "two services share an id")
    return Catalogue(
        reference=str(raw.get("reference") or "0000"),
        kpis=kpis,
        municipalities={str(k): str(v) for k, v in (raw.get("municipalities") or {}).items()},
        sets=sets,
        services=tuple(services),
    )
