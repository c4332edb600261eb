"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc

from fickan.insights.v1 import insights_pb2 as pb
from fickan.insights.v1 import insights_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.events import Publisher
from fickan_common.grpc_server import current_principal, method_paths
from fickan_common.idempotency import IdempotencyStore
from fickan_common.timestamps import to_timestamp
from insights import settings as settings_module
from insights.domain import catalogue as catalogue_module
from insights.domain import guides
from insights.service import ComparisonView, Insights, KpiView, ServiceView, SetView, Step
from insights.store import IDEMPOTENCY

SERVICE = pb.DESCRIPTOR.services_by_name["InsightsService"].full_name
# Comparisons and guides are for anyone, logged in or not; they hold no personal data.
PUBLIC_METHODS = method_paths(
    SERVICE,
    ("ListComparisonServices", "GetComparison", "ListGuides", "StartGuide", "AnswerGuide", "FollowGuideLink"),
)
COMMANDS = method_paths(SERVICE, ("SetComment",))


def kpi_message(k: KpiView) -> pb.Kpi:
    return pb.Kpi(
        kpi_id=k.id, title=k.title, description=k.description, unit=k.unit, higher_is_better=k.higher_is_better
    )


def set_message(s: SetView) -> pb.ComparisonSet:
    return pb.ComparisonSet(
        set_id=s.id,
        title=s.title,
        description=s.description,
        members=[pb.Municipality(municipality_id=m, title=t) for m, t in s.members],
    )


def service_message(s: ServiceView) -> pb.ComparisonService:
    return pb.ComparisonService(
        service_id=s.id,
        title=s.title,
        description=s.description,
        kpis=[kpi_message(k) for k in s.kpis],
        sets=[set_message(x) for x in s.sets],
    )


def comparison_message(c: ComparisonView) -> pb.Comparison:
    answer = pb.Comparison(
        service=service_message(c.service),
        kpi=kpi_message(c.kpi),
        set=set_message(c.set),
        chosen=[pb.Municipality(municipality_id=m, title=t) for m, t in c.chosen],
        years=c.years,
        demo=c.demo,
        source="Kolada (RKA), CC BY 4.0" if not c.demo else "Demodata – inte hämtade från Kolada",
    )
    for s in c.series:
        answer.series.append(
            pb.Series(
                municipality=pb.Municipality(municipality_id=s.municipality[0], title=s.municipality[1]),
                home=s.home,
                reference=s.reference,
                points=[
                    pb.Point(year=p.year, has_value=p.value is not None, value=p.value or 0.0, status=p.status)
                    for p in s.points
                ],
            )
        )
    for y in c.summaries:
        answer.summaries.append(
            pb.YearSummary(
                year=y.year, has_mean=y.mean is not None, mean=y.mean or 0.0, rank=y.rank, ranked=y.ranked,
                comment=y.comment,
            )
        )  # fmt: skip
    if c.fetched_at:
        answer.fetched_at.CopyFrom(to_timestamp(c.fetched_at))
    return answer


def guide_message(g: guides.Guide) -> pb.Guide:
    return pb.Guide(guide_id=g.id, version=g.version, target_group=g.target_group, title=g.title, summary=g.summary)


def link_message(link: guides.Link) -> pb.GuideLink:
    return pb.GuideLink(
        link_id=link.id, kind=link.kind, title=link.title, description=link.description, url=link.url,
        e_service_id=link.e_service_id, contact_group=link.contact_group,
    )  # fmt: skip


def step_message(step: Step) -> pb.GuideStep:
    guide, position = step.guide, step.position
    answer = pb.GuideStep(session_id=step.session_id, guide=guide_message(guide), step=step.step)
    for qid, oid in position.answers:
        q = guide.questions[qid]
        option = q.option(oid)
        answer.answers.append(
            pb.GuideAnswer(question_id=qid, question=q.text, option_id=oid, answer=option.label if option else "")
        )
    if position.question:
        q = position.question
        answer.question.CopyFrom(
            pb.GuideQuestion(
                question_id=q.id, text=q.text, help=q.help,
                options=[pb.GuideOption(option_id=o.id, label=o.label) for o in q.options],
            )
        )  # fmt: skip
    if position.result:
        r = position.result
        answer.result.CopyFrom(
            pb.GuideResult(result_id=r.id, title=r.title, text=r.text, links=[link_message(x) for x in r.links])
        )
    return answer


class InsightsServicer(pb_grpc.InsightsServiceServicer):
    def __init__(self, insights: Insights) -> None:
        self.insights = insights

    def ListComparisonServices(self, request, context):  # noqa: N802
        home_id, home_title = self.insights.home_municipality()
        return pb.ListComparisonServicesResponse(
            services=[service_message(s) for s in self.insights.list_services()],
            home=pb.Municipality(municipality_id=home_id, title=home_title),
            demo=self.insights.has_demo_figures(),
        )

    def GetComparison(self, request, context):  # noqa: N802
        return comparison_message(
            self.insights.comparison(
                request.service_id, request.kpi_id, request.set_id, list(request.municipality_ids), request.year
            )
        )

    def ListGuides(self, request, context):  # noqa: N802
        return pb.ListGuidesResponse(guides=[guide_message(g) for g in self.insights.list_guides()])

    def StartGuide(self, request, context):  # noqa: N802
        return step_message(self.insights.start_guide(request.guide_id))

    def AnswerGuide(self, request, context):  # noqa: N802
        if not request.question_id:
            # An answer without a question: where the session stands (a page reload, a back link).
            return step_message(self.insights.guide_step(request.session_id))
        return step_message(self.insights.answer_guide(request.session_id, request.question_id, request.option_id))

    def FollowGuideLink(self, request, context):  # noqa: N802
        return link_message(self.insights.follow_link(request.session_id, request.link_id))

    def SetComment(self, request, context):  # noqa: N802
        row = self.insights.set_comment(current_principal(), request.kpi_id, request.year, request.text)
        return pb.Comment(kpi_id=row.kpi_id, year=row.year, text=row.text, updated_at=to_timestamp(row.updated_at))

    def GetGuideStatistics(self, request, context):  # noqa: N802
        rows = self.insights.guide_statistics(current_principal())
        answer = pb.GuideStatistics()
        for guide, started, ended, to_e, to_c in rows:
            answer.guides.append(
                pb.GuideCount(
                    guide=guide_message(guide), started=started, ended=ended, to_e_service=to_e, to_contact=to_c,
                    share_to_service_or_contact=(to_e + to_c) / started if started else 0.0,
                )
            )  # fmt: skip
            answer.started += started
            answer.to_e_service_or_contact += to_e + to_c
        answer.share = answer.to_e_service_or_contact / answer.started if answer.started else 0.0
        return answer

    def GetImportStatus(self, request, context):  # noqa: N802
        run = self.insights.import_status(current_principal())
        if run is None:
            return pb.ImportStatus(outcome="none")
        answer = pb.ImportStatus(outcome=run.outcome, values=run.values, error=run.error, demo=run.demo)
        if run.finished_at:
            answer.finished_at.CopyFrom(to_timestamp(run.finished_at))
        return answer


def register(insights: Insights) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_InsightsServiceServicer_to_server(InsightsServicer(insights), server)
        return [SERVICE]

    return _register


def build(settings: settings_module.InsightsSettings, db: Database) -> Insights:
    """The use cases with the municipality's data files (a broken file stops the start-up here)."""
    return Insights(
        db,
        catalogue_module.load(settings.comparisons_file),
        guides.load_dir(settings.guides_dir),
        settings.municipality,
    )


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.service.database_url)
    publisher = Publisher(settings.service.amqp_uri)
    run_api(
        settings.service,
        register(build(settings, db)),
        identity_verifier(settings.service.identity_target, settings.service.amqp_uri, "insights"),
        public_methods=PUBLIC_METHODS,
        on_stop=publisher.close,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
