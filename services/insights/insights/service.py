"""Use cases of insights. Reads in read transactions; each change is one write transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from fickan_common import metrics
from fickan_common.access import is_staff
from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from insights import texts
from insights.domain import comparison, guides
from insights.domain.catalogue import Catalogue, ServiceSpec
from insights.store import CommentRow, GuideSession, ImportRun, KpiRow, MunicipalityRow, SetMember, Value

FOLLOW_RANK = {"": 0, "information": 1, "contact": 2, "e_service": 3}  # a session keeps its best follow
STAFF_ONLY = texts.STAFF_ONLY


@dataclass
class KpiView:
    id: str
    title: str
    description: str
    unit: str
    higher_is_better: bool


@dataclass
class SetView:
    id: str
    title: str
    description: str
    members: list[tuple[str, str]]  # (id, title)


@dataclass
class ServiceView:
    id: str
    title: str
    description: str
    kpis: list[KpiView]
    sets: list[SetView]


@dataclass
class PointView:
    year: int
    value: float | None
    status: str


@dataclass
class SeriesView:
    municipality: tuple[str, str]
    points: list[PointView]
    home: bool = False
    reference: bool = False


@dataclass
class SummaryView:
    year: int
    mean: float | None
    rank: int
    ranked: int
    comment: str


@dataclass
class ComparisonView:
    service: ServiceView
    kpi: KpiView
    set: SetView
    chosen: list[tuple[str, str]]
    years: list[int]
    series: list[SeriesView]
    summaries: list[SummaryView]
    fetched_at: datetime | None
    demo: bool


@dataclass
class Step:
    session_id: str
    guide: guides.Guide
    position: guides.Position
    step: int = field(default=0)


class Insights:
    def __init__(self, db: Database, catalogue: Catalogue, guide_set: guides.Guides, home: str) -> None:
        self.db = db
        self.catalogue = catalogue
        self.guides = guide_set
        self.home = home

    # -- comparisons ------------------------------------------------------------------------------
    def home_municipality(self) -> tuple[str, str]:
        with self.db.read() as session:
            return (self.home, self._titles(session, [self.home])[self.home])

    def has_demo_figures(self) -> bool:
        with self.db.read() as session:
            return session.scalars(select(Value.kpi_id).where(Value.demo.is_(True)).limit(1)).first() is not None

    def list_services(self) -> list[ServiceView]:
        with self.db.read() as session:
            return [self._service_view(session, s) for s in self.catalogue.services]

    def comparison(self, service_id: str, kpi_id: str, set_id: str, picked: list[str], year: int) -> ComparisonView:
        spec = self.catalogue.service(service_id)
        if spec is None:
            raise NotFound(texts.COMPARISON_NOT_FOUND)
        kpi_id = kpi_id or spec.kpis[0]
        if kpi_id not in spec.kpis:
            raise ValidationFailed(
                texts.KPI_NOT_IN_COMPARISON.format(kpi=kpi_id, title=spec.title),
                {"kpi_id": texts.CHOOSE_KPI},
            )
        set_id = set_id or spec.sets[0]
        if set_id not in spec.sets:
            raise ValidationFailed(texts.SET_NOT_IN_COMPARISON, {"set_id": texts.CHOOSE_SET})
        with self.db.read() as session:
            service = self._service_view(session, spec)
            kpi = next(k for k in service.kpis if k.id == kpi_id)
            chosen_set = next(s for s in service.sets if s.id == set_id)
            chosen = comparison.choose([m for m, _ in chosen_set.members], picked)
            shown = [self.home, *chosen, self.catalogue.reference]
            rows = session.scalars(
                select(Value).where(Value.kpi_id == kpi_id, Value.gender == "T", Value.municipality_id.in_(shown))
            ).all()
            comments = {c.year: c.text for c in session.scalars(select(CommentRow).where(CommentRow.kpi_id == kpi_id))}
            titles = self._titles(session, shown)
        by_key = {(r.municipality_id, r.year): r for r in rows}
        years = sorted({r.year for r in rows if r.municipality_id in (self.home, *chosen)})
        if year:
            if year not in years:
                shown_years = ", ".join(str(y) for y in years) or texts.NO_YEARS_YET
                raise ValidationFailed(
                    texts.NO_FIGURES_FOR_YEAR.format(year=year, years=shown_years),
                    {"year": texts.CHOOSE_YEAR_WITH_FIGURES},
                )
            years = [year]
        series = []
        for m in shown:
            points = [
                PointView(y, by_key[(m, y)].value, by_key[(m, y)].status)
                if (m, y) in by_key
                else PointView(y, None, "")
                for y in years
            ]
            if m == self.catalogue.reference and all(p.value is None for p in points):
                continue  # no country figures imported: no empty row for it
            series.append(
                SeriesView((m, titles[m]), points, home=m == self.home, reference=m == self.catalogue.reference)
            )
        summaries = []
        for y in years:
            values = {m: by_key[(m, y)].value if (m, y) in by_key else None for m in (self.home, *chosen)}
            f = comparison.year_figures(y, self.home, chosen, values, kpi.higher_is_better)
            summaries.append(SummaryView(y, f.mean, f.rank, f.ranked, comments.get(y, "")))
        fetched = [r.fetched_at for r in rows]
        return ComparisonView(
            service=service,
            kpi=kpi,
            set=chosen_set,
            chosen=[(m, titles[m]) for m in chosen],
            years=years,
            series=series,
            summaries=summaries,
            fetched_at=max(fetched) if fetched else None,
            demo=any(r.demo for r in rows),
        )

    def _titles(self, session, ids: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
        stored = dict(
            session.execute(select(MunicipalityRow.id, MunicipalityRow.title).where(MunicipalityRow.id.in_(ids))).all()
        )
        return {i: stored.get(i) or self.catalogue.municipalities.get(i) or i for i in ids}

    def _service_view(self, session, spec: ServiceSpec) -> ServiceView:  # type: ignore[no-untyped-def]
        kpi_rows = {k.id: k for k in session.scalars(select(KpiRow).where(KpiRow.id.in_(spec.kpis)))}
        kpis = []
        for kpi_id in spec.kpis:
            k, row = self.catalogue.kpis[kpi_id], kpi_rows.get(kpi_id)
            kpis.append(
                KpiView(
                    kpi_id, row.title if row else k.title, row.description if row else "", k.unit, k.higher_is_better
                )
            )
        sets = []
        for set_id in spec.sets:
            s = self.catalogue.sets[set_id]
            resolved = session.scalars(
                select(SetMember.municipality_id).where(SetMember.set_id == set_id).order_by(SetMember.position)
            ).all()
            members = [m for m in (resolved or s.municipalities) if m != self.home]
            titles = self._titles(session, members)
            sets.append(SetView(set_id, s.title, s.description, [(m, titles[m]) for m in members]))
        return ServiceView(spec.id, spec.title, spec.description, kpis, sets)

    def set_comment(self, principal: Principal, kpi_id: str, year: int, text: str) -> CommentRow:
        if not is_staff(principal):
            raise PermissionDenied(STAFF_ONLY)
        text = (text or "").strip()
        if kpi_id not in self.catalogue.kpis:
            raise ValidationFailed(texts.KPI_NOT_FOUND.format(kpi=kpi_id), {"kpi_id": texts.UNKNOWN_KPI})
        if not 1990 <= year <= 2100:
            raise ValidationFailed(texts.YEAR_RANGE, {"year": texts.YEAR_RANGE})
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = session.get(CommentRow, (kpi_id, year), with_for_update=True)
            if not text:
                if row is not None:
                    session.delete(row)
                return CommentRow(kpi_id=kpi_id, year=year, text="", author_id=principal.user_id, updated_at=now)
            if row is None:
                row = CommentRow(kpi_id=kpi_id, year=year)
                session.add(row)
            row.text, row.author_id, row.updated_at = text, principal.user_id, now
            session.flush()
            session.expunge(row)
            return row

    def import_status(self, principal: Principal) -> ImportRun | None:
        if not is_staff(principal):
            raise PermissionDenied(STAFF_ONLY)
        with self.db.read() as session:
            return session.scalars(
                select(ImportRun).where(ImportRun.outcome != "running").order_by(ImportRun.started_at.desc()).limit(1)
            ).first()

    # -- guides -----------------------------------------------------------------------------------
    def list_guides(self) -> list[guides.Guide]:
        return list(self.guides.latest.values())

    def start_guide(self, guide_id: str) -> Step:
        guide = self.guides.get(guide_id)
        if guide is None:
            raise NotFound(texts.GUIDE_NOT_FOUND)
        now = datetime.now(UTC)
        row = GuideSession(
            id=str(uuid.uuid4()), guide_id=guide.id, guide_version=guide.version, answers="",
            result_id="", followed="", started_at=now, updated_at=now,
        )  # fmt: skip
        with self.db.transaction() as session:
            session.add(row)
        metrics.BUSINESS.labels("guide_started").inc()
        return Step(row.id, guide, guides.walk(guide, ()), 1)

    def guide_step(self, session_id: str) -> Step:
        with self.db.read() as session:
            row = self._session(session, session_id, lock=False)
            guide = self._guide_of(row)
            answers = guides.decode(row.answers)
        return Step(session_id, guide, guides.walk(guide, answers), len(answers) + 1)

    def answer_guide(self, session_id: str, question_id: str, option_id: str) -> Step:
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = self._session(session, session_id, lock=True)
            guide = self._guide_of(row)
            position = guides.answer(guide, guides.decode(row.answers), question_id, option_id)
            row.answers = guides.encode(position.answers)
            row.result_id = position.result.id if position.result else ""
            row.updated_at = now
        if position.result:
            metrics.BUSINESS.labels("guide_ended").inc()
        return Step(session_id, guide, position, len(position.answers) + 1)

    def follow_link(self, session_id: str, link_id: str) -> guides.Link:
        with self.db.transaction() as session:
            row = self._session(session, session_id, lock=True)
            guide = self._guide_of(row)
            result = guide.results.get(row.result_id)
            link = result.link(link_id) if result else None
            if link is None:
                raise ValidationFailed(texts.LINK_NOT_IN_GUIDE, {"link_id": texts.UNKNOWN_LINK})
            if FOLLOW_RANK[link.kind] > FOLLOW_RANK[row.followed]:
                row.followed = link.kind
            row.updated_at = datetime.now(UTC)
        metrics.BUSINESS.labels(f"guide_followed_{link.kind}").inc()
        return link

    def guide_statistics(self, principal: Principal) -> list[tuple[guides.Guide, int, int, int, int]]:
        """Per guide: started, ended in a result, followed an e-service, followed a contact."""
        if not is_staff(principal):
            raise PermissionDenied(STAFF_ONLY)
        with self.db.read() as session:
            counts = session.execute(
                select(GuideSession.guide_id, GuideSession.result_id, GuideSession.followed, func.count()).group_by(
                    GuideSession.guide_id, GuideSession.result_id, GuideSession.followed
                )
            ).all()
        table: dict[str, list[int]] = {g: [0, 0, 0, 0] for g in self.guides.latest}
        for guide_id, result_id, followed, n in counts:
            c = table.setdefault(guide_id, [0, 0, 0, 0])
            c[0] += n
            c[1] += n if result_id else 0
            c[2] += n if followed == "e_service" else 0
            c[3] += n if followed == "contact" else 0
        return [(self.guides.latest[g], *c) for g, c in table.items() if g in self.guides.latest]  # type: ignore[misc]

    def _session(self, session, session_id: str, lock: bool) -> GuideSession:  # type: ignore[no-untyped-def]
        try:
            uuid.UUID(session_id)
        except ValueError:
            raise ValidationFailed(texts.GUIDE_NOT_RECOGNISED, {"session_id": texts.INVALID_ID}) from None
        row = session.get(GuideSession, session_id, with_for_update=lock)
        if row is None:
            raise NotFound(texts.GUIDE_NOT_RECOGNISED)
        return row

    def _guide_of(self, row: GuideSession) -> guides.Guide:
        guide = self.guides.get(row.guide_id, row.guide_version)
        if guide is None:
            raise NotFound(texts.GUIDE_VERSION_GONE)
        return guide
