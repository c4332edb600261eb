"""The gRPC contract of InsightsService, called with the official stub over loopback against the
real grpcio server: comparisons (choice, rank, mean, comments, demo label), bad input refused
clearly, guides walked to their links, and the guide statistics staff see."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import grpc
import pytest

from fickan.insights.v1 import insights_pb2 as pb
from fickan.insights.v1 import insights_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import FIELD_ERRORS_KEY
from fickan_common.testing import TokenFactory
from insights.demo import load_demo
from insights.store import Value

HOME = "1283"
STAFF = ("case_worker",)


def auth(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def field_errors(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def put(db: Database, kpi: str, figures: dict[str, dict[int, float | None]], demo: bool = False) -> None:
    now = datetime.now(UTC)
    with db.transaction() as session:
        for muni, by_year in figures.items():
            for year, value in by_year.items():
                session.merge(
                    Value(
                        kpi_id=kpi, municipality_id=muni, year=year, gender="T", value=value, status="",
                        count=1, fetched_at=now, demo=demo,
                    )
                )  # fmt: skip


def compare(stub: pb_grpc.InsightsServiceStub, **kw) -> pb.Comparison:  # type: ignore[no-untyped-def]
    return stub.GetComparison(pb.GetComparisonRequest(**kw), timeout=5)


def test_services_are_listed_without_login_with_their_kpis_and_sets(stub: pb_grpc.InsightsServiceStub) -> None:
    answer = stub.ListComparisonServices(pb.ListComparisonServicesRequest(), timeout=5)
    assert len(answer.services) == 8
    assert answer.home.municipality_id == HOME and answer.home.title == "Helsingborg"
    school = next(s for s in answer.services if s.service_id == "grundskola")
    assert [k.kpi_id for k in school.kpis] == ["N15428", "N15504"]
    assert [s.set_id for s in school.sets] == ["liknande", "nara"]
    assert all(len(s.members) <= 20 and HOME not in [m.municipality_id for m in s.members] for s in school.sets)


def test_comparison_ranks_home_and_means_the_chosen_municipalities(
    db: Database, stub: pb_grpc.InsightsServiceStub
) -> None:
    put(db, "N15428", {HOME: {2022: 80.0, 2023: 90.0}, "1284": {2022: 85.0, 2023: 70.0}, "1292": {2022: 75.0}})
    put(db, "N15428", {"1282": {2023: 95.0}, "0000": {2022: 82.0, 2023: 83.0}})

    c = compare(stub, service_id="grundskola", kpi_id="N15428", set_id="nara", municipality_ids=["1284", "1292"])

    assert [m.municipality_id for m in c.chosen] == ["1284", "1292"]
    assert list(c.years) == [2022, 2023]
    y2022, y2023 = c.summaries
    assert (y2022.rank, y2022.ranked, y2022.mean) == (2, 3, 80.0)  # 85 > 80 > 75; mean of 85 and 75
    assert (y2023.rank, y2023.ranked, y2023.mean) == (1, 2, 70.0)  # 1292 has no 2023 figure
    [home] = [s for s in c.series if s.home]
    assert [(p.year, p.value) for p in home.points] == [(2022, 80.0), (2023, 90.0)]
    [other] = [s for s in c.series if s.municipality.municipality_id == "1292"]
    assert [p.has_value for p in other.points] == [True, False]
    [country] = [s for s in c.series if s.reference]
    assert country.municipality.title == "Riket"
    assert "1282" not in [s.municipality.municipality_id for s in c.series]  # not chosen
    assert c.fetched_at.seconds > 0 and not c.demo and "Kolada" in c.source


def test_lower_is_better_ranks_the_smallest_first(db: Database, stub: pb_grpc.InsightsServiceStub) -> None:
    put(db, "N31807", {HOME: {2023: 4.0}, "1284": {2023: 3.0}, "1292": {2023: 6.0}})
    c = compare(stub, service_id="ekonomiskt-bistand", set_id="nara", municipality_ids=["1284", "1292"])
    assert c.kpi.kpi_id == "N31807" and not c.kpi.higher_is_better
    assert (c.summaries[0].rank, c.summaries[0].ranked) == (2, 3)


def test_the_whole_set_is_compared_when_the_resident_picks_none(db: Database, stub) -> None:  # type: ignore[no-untyped-def]
    put(db, "N15428", {HOME: {2023: 80.0}})
    c = compare(stub, service_id="grundskola", set_id="nara")
    assert len(c.chosen) == len(c.set.members) == 12


def test_demo_figures_are_labelled_demo(db: Database, stub, catalogue) -> None:  # type: ignore[no-untyped-def]
    assert not stub.ListComparisonServices(pb.ListComparisonServicesRequest(), timeout=5).demo
    load_demo(db, catalogue, HOME, [2022, 2023])
    c = compare(stub, service_id="grundskola")
    assert c.demo and "Demo" in c.source
    assert stub.ListComparisonServices(pb.ListComparisonServicesRequest(), timeout=5).demo


def test_21_comparison_municipalities_are_refused(stub: pb_grpc.InsightsServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        compare(stub, service_id="grundskola", municipality_ids=[f"{i:04d}" for i in range(21)])
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_errors(caught.value) == {"municipality_ids": "Högst 20 st."}


def test_a_municipality_outside_the_set_is_refused(stub: pb_grpc.InsightsServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        compare(stub, service_id="grundskola", set_id="nara", municipality_ids=["1284", "0180"])
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "0180" in caught.value.details() and "municipality_ids" in field_errors(caught.value)


def test_an_unknown_kpi_is_refused(stub: pb_grpc.InsightsServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        compare(stub, service_id="grundskola", kpi_id="N31807")  # a KPI, but not this service's
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_errors(caught.value) == {"kpi_id": "Välj ett av nyckeltalen i listan."}


def test_an_unknown_service_is_not_found(stub: pb_grpc.InsightsServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        compare(stub, service_id="simhallar")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_year_with_no_data_is_answered_clearly(db: Database, stub: pb_grpc.InsightsServiceStub) -> None:
    put(db, "N15428", {HOME: {2022: 80.0, 2023: 81.0}})
    with pytest.raises(grpc.RpcError) as caught:
        compare(stub, service_id="grundskola", year=2019)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details() == "Det finns inga siffror för 2019. År med siffror: 2022, 2023."
    assert list(compare(stub, service_id="grundskola", year=2023).years) == [2023]


def test_no_figures_yet_is_an_empty_comparison_not_an_error(stub: pb_grpc.InsightsServiceStub) -> None:
    c = compare(stub, service_id="grundskola")
    assert list(c.years) == [] and not c.fetched_at.seconds


def test_staff_comment_on_a_kpi_and_year_is_shown_with_the_comparison(
    db: Database, stub: pb_grpc.InsightsServiceStub, tokens: TokenFactory
) -> None:
    put(db, "N15428", {HOME: {2023: 80.0}})
    staff = auth(tokens.token(roles=STAFF))
    request = pb.SetCommentRequest(kpi_id="N15428", year=2023, text="  Fler elever fick stöd i matematik.  ")
    saved = stub.SetComment(request, metadata=staff, timeout=5)
    assert saved.text == "Fler elever fick stöd i matematik." and saved.updated_at.seconds > 0

    assert compare(stub, service_id="grundskola").summaries[0].comment == "Fler elever fick stöd i matematik."
    stub.SetComment(pb.SetCommentRequest(kpi_id="N15428", year=2023, text=""), metadata=staff, timeout=5)
    assert compare(stub, service_id="grundskola").summaries[0].comment == ""


def test_residents_cannot_comment_and_nobody_without_login(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    request = pb.SetCommentRequest(kpi_id="N15428", year=2023, text="x")
    with pytest.raises(grpc.RpcError) as caught:
        stub.SetComment(request, metadata=auth(tokens.token()), timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as caught:
        stub.SetComment(request, timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_comment_on_an_unknown_kpi_is_refused(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as caught:
        stub.SetComment(
            pb.SetCommentRequest(kpi_id="X1", year=2023, text="x"), metadata=auth(tokens.token(roles=STAFF)), timeout=5
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def walk_lost_job(stub: pb_grpc.InsightsServiceStub) -> pb.GuideStep:
    step = stub.StartGuide(pb.StartGuideRequest(guide_id="forlorat-jobbet"), timeout=5)
    for qid, oid in (("anmald", "ja"), ("akassa", "nej"), ("pengar", "nej")):
        assert step.question.question_id == qid
        step = stub.AnswerGuide(
            pb.AnswerGuideRequest(session_id=step.session_id, question_id=qid, option_id=oid), timeout=5
        )
    return step


def test_the_lost_job_guide_ends_in_the_ekonomiskt_bistand_e_service(stub: pb_grpc.InsightsServiceStub) -> None:
    guides = stub.ListGuides(pb.ListGuidesRequest(), timeout=5).guides
    assert "Har förlorat jobbet" in [g.target_group for g in guides] and len(guides) >= 5
    step = walk_lost_job(stub)
    assert step.HasField("result") and not step.HasField("question")
    assert [a.answer for a in step.answers] == [
        "Ja, jag är anmäld",
        "Nej, jag får ingen ersättning",
        "Nej, pengarna räcker inte",
    ]
    [e_service] = [x for x in step.result.links if x.kind == "e_service"]
    assert e_service.e_service_id == "ekonomiskt-bistand"
    link = stub.FollowGuideLink(
        pb.FollowGuideLinkRequest(session_id=step.session_id, link_id=e_service.link_id), timeout=5
    )
    assert link.e_service_id == "ekonomiskt-bistand"


def test_a_guide_answer_not_in_the_guide_is_refused(stub: pb_grpc.InsightsServiceStub) -> None:
    step = stub.StartGuide(pb.StartGuideRequest(guide_id="forlorat-jobbet"), timeout=5)
    with pytest.raises(grpc.RpcError) as caught:
        stub.AnswerGuide(
            pb.AnswerGuideRequest(session_id=step.session_id, question_id="anmald", option_id="kanske"), timeout=5
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_errors(caught.value) == {"option_id": "Välj ett av svaren."}
    # The session is untouched: the same question is still asked.
    again = stub.AnswerGuide(pb.AnswerGuideRequest(session_id=step.session_id), timeout=5)
    assert again.question.question_id == "anmald" and list(again.answers) == []


def test_unknown_guide_and_unknown_session_are_not_found(stub: pb_grpc.InsightsServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.StartGuide(pb.StartGuideRequest(guide_id="finns-inte"), timeout=5)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.AnswerGuide(
            pb.AnswerGuideRequest(session_id=str(uuid.uuid4()), question_id="anmald", option_id="ja"), timeout=5
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.AnswerGuide(pb.AnswerGuideRequest(session_id="inte-ett-id", question_id="a", option_id="b"), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_link_of_another_result_cannot_be_followed(stub: pb_grpc.InsightsServiceStub) -> None:
    step = stub.StartGuide(pb.StartGuideRequest(guide_id="forlorat-jobbet"), timeout=5)
    with pytest.raises(grpc.RpcError) as caught:
        stub.FollowGuideLink(pb.FollowGuideLinkRequest(session_id=step.session_id, link_id="eb"), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_staff_see_the_share_of_guide_sessions_ending_in_an_e_service_or_contact(
    stub: pb_grpc.InsightsServiceStub, tokens: TokenFactory
) -> None:
    to_service = walk_lost_job(stub)
    stub.FollowGuideLink(pb.FollowGuideLinkRequest(session_id=to_service.session_id, link_id="eb-kontakt"), timeout=5)
    stub.FollowGuideLink(pb.FollowGuideLinkRequest(session_id=to_service.session_id, link_id="eb"), timeout=5)
    to_contact = walk_lost_job(stub)
    stub.FollowGuideLink(pb.FollowGuideLinkRequest(session_id=to_contact.session_id, link_id="eb-kontakt"), timeout=5)
    walk_lost_job(stub)  # ended, followed nothing
    stub.StartGuide(pb.StartGuideRequest(guide_id="forlorat-jobbet"), timeout=5)  # left at the first question

    stats = stub.GetGuideStatistics(pb.GetGuideStatisticsRequest(), metadata=auth(tokens.token(roles=STAFF)), timeout=5)
    [lost] = [g for g in stats.guides if g.guide.guide_id == "forlorat-jobbet"]
    assert (lost.started, lost.ended, lost.to_e_service, lost.to_contact) == (4, 3, 1, 1)
    assert lost.share_to_service_or_contact == 0.5
    assert stats.started == 4 and stats.share == 0.5

    with pytest.raises(grpc.RpcError) as caught:
        stub.GetGuideStatistics(pb.GetGuideStatisticsRequest(), metadata=auth(tokens.token()), timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
