"""The import: the comparison services' KPIs for the municipality, its comparison sets and the
whole country, fetched from Kolada and kept with the date fetched, so no page waits for Kolada.

Everything is fetched first and written in one transaction: a failed import leaves the figures of
the last good one in place (and is recorded as failed with its reason). A real import replaces the
labelled demo figures.

    python -m insights.importer      # one import now, with the service's settings
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge
from sqlalchemy import delete, select

from fickan.insights.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.timestamps import to_timestamp
from insights.domain.catalogue import MAX_SET, Catalogue
from insights.kolada import KoladaClient
from insights.store import OUTBOX, ImportRun, KpiRow, MunicipalityRow, SetMember, Value

log = logging.getLogger(__name__)

# An alert on "no good import for two days" needs the time of the last good one, not only counts.
LAST_GOOD_IMPORT = Gauge("fickan_insights_last_good_import_timestamp_seconds", "when the last good Kolada import ended")
IMPORTS = Counter("fickan_insights_imports_total", "Kolada imports", ["outcome"])
KOLADA_REQUESTS = Counter("fickan_insights_kolada_requests_total", "HTTP requests made to Kolada")


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    kpis: int
    municipalities: int
    values: int


def years_back(count: int, today: datetime | None = None) -> list[int]:
    year = (today or datetime.now(UTC)).year
    return list(range(year - count + 1, year + 1))


def due(db: Database, every_hours: float, now: datetime | None = None) -> bool:
    """Whether the scheduled import should run: never yet, or the last good one is old enough."""
    if every_hours <= 0:
        return False
    now = now or datetime.now(UTC)
    with db.read() as session:
        last = session.scalars(
            select(ImportRun.finished_at)
            .where(ImportRun.outcome == "ok", ImportRun.demo.is_(False))
            .order_by(ImportRun.finished_at.desc())
            .limit(1)
        ).first()
    if last is None:
        return True
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return now - last >= timedelta(hours=every_hours)


def run_import(db: Database, client: KoladaClient, catalogue: Catalogue, home: str, years: list[int]) -> ImportResult:
    run = ImportRun(
        id=str(uuid.uuid4()), started_at=datetime.now(UTC), outcome="running", values=0, error="", demo=False
    )
    with db.transaction() as session:
        session.add(run)
    try:
        result = _fetch_and_store(db, client, catalogue, home, years, run.id)
    except Exception as exc:
        IMPORTS.labels("failed").inc()
        KOLADA_REQUESTS.inc(client.requests)
        with db.transaction() as session:
            row = session.get(ImportRun, run.id)
            row.outcome, row.finished_at, row.error = "failed", datetime.now(UTC), str(exc)[:2000]
        log.warning("kolada import failed", extra={"fields": {"import_id": run.id, "error": str(exc)[:300]}})
        raise
    IMPORTS.labels("ok").inc()
    KOLADA_REQUESTS.inc(client.requests)
    LAST_GOOD_IMPORT.set_to_current_time()
    log.info("kolada import done", extra={"fields": {"import_id": run.id, "values": result.values}})
    return result


def _fetch_and_store(
    db: Database, client: KoladaClient, catalogue: Catalogue, home: str, years: list[int], import_id: str
) -> ImportResult:
    members: dict[str, list[str]] = {}
    for set_id, spec in catalogue.sets.items():
        if spec.kolada_group:
            group = client.municipality_group(spec.kolada_group)
            members[set_id] = [m.id for m in group.members if m.id != home][:MAX_SET]
        else:
            members[set_id] = list(spec.municipalities)
    munis = list(dict.fromkeys([home, catalogue.reference, *(m for ms in members.values() for m in ms)]))
    kpi_ids = catalogue.kpi_ids()
    kpis = client.kpis(kpi_ids)
    places = client.municipalities(munis)
    values = client.data(kpi_ids, munis, years)
    now = datetime.now(UTC)

    with db.transaction() as session:
        for set_id, ids in members.items():
            session.execute(delete(SetMember).where(SetMember.set_id == set_id))
            session.add_all(SetMember(set_id=set_id, municipality_id=m, position=i) for i, m in enumerate(ids))
        for k in kpis:
            session.merge(KpiRow(id=k.id, title=k.title, description=k.description, fetched_at=now))
        for p in places:
            session.merge(MunicipalityRow(id=p.id, title=p.title, type=p.type or "K"))
        session.execute(delete(Value).where(Value.demo.is_(True)))
        for v in values:
            session.merge(
                Value(
                    kpi_id=v.kpi, municipality_id=v.municipality, year=v.year, gender=v.gender[:1],
                    value=v.value, status=v.status[:40], count=v.count, fetched_at=now, demo=False,
                )
            )  # fmt: skip
        run = session.get(ImportRun, import_id)
        run.outcome, run.finished_at, run.values = "ok", now, len(values)
        OUTBOX.add(
            session,
            "figures_imported",
            events_pb2.FiguresImported(
                import_id=import_id, kpis=len(kpis), municipalities=len(places), values=len(values),
                fetched_at=to_timestamp(now),
            ),
        )  # fmt: skip
    return ImportResult(import_id, len(kpis), len(places), len(values))


def main() -> None:
    from fickan_common.logs import setup_logging
    from insights import settings as settings_module
    from insights.domain import catalogue as catalogue_module

    settings = settings_module.load()
    setup_logging("insights-import", settings.service.log_level)
    client = KoladaClient(
        settings.kolada_url, settings.kolada_interval, settings.kolada_retries, timeout=settings.kolada_timeout
    )
    db = Database(settings.service.database_url)
    result = run_import(
        db, client, catalogue_module.load(settings.comparisons_file), settings.municipality, years_back(settings.years)
    )
    print(f"imported {result.values} values of {result.kpis} KPIs for {result.municipalities} municipalities")


if __name__ == "__main__":
    main()
