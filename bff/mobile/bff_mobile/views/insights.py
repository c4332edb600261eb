"""Comparisons with other municipalities and guides by life situation: public, no login. The
insights service holds the rules (what may be compared, rank and mean, where a guide leads)."""

from __future__ import annotations

from typing import Any

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.errors import ApiError
from bff_mobile.schemas.insights import (
    ComparisonQuerySchema,
    ComparisonSchema,
    ComparisonServiceListSchema,
    GuideAnswerRequestSchema,
    GuideLinkSchema,
    GuideListSchema,
    GuideStepSchema,
)
from bff_mobile.views.common import api, services, time_of
from fickan.insights.v1 import insights_pb2 as pb
from fickan_common.grpc_client import ServiceClient

# The service's field names -> this API's.
FIELDS = {"municipality_ids": "municipalities", "kpi_id": "kpi", "set_id": "set", "question_id": "questionId",
          "option_id": "optionId", "session_id": "sessionId", "link_id": "linkId"}  # fmt: skip


def insights() -> ServiceClient:
    client = services().insights
    if client is None:
        raise ApiError.of(503, "unavailable", texts.UNAVAILABLE)  # not configured: as if it were down
    return client


def _municipality(m: pb.Municipality) -> dict[str, Any]:
    return {"id": m.municipality_id, "title": m.title}


def _kpi(k: pb.Kpi) -> dict[str, Any]:
    return {"id": k.kpi_id, "title": k.title, "description": k.description, "unit": k.unit,
            "higher_is_better": k.higher_is_better}  # fmt: skip


def _set(s: pb.ComparisonSet) -> dict[str, Any]:
    return {"id": s.set_id, "title": s.title, "description": s.description,
            "members": [_municipality(m) for m in s.members]}  # fmt: skip


def _service(s: pb.ComparisonService) -> dict[str, Any]:
    return {"id": s.service_id, "title": s.title, "description": s.description,
            "kpis": [_kpi(k) for k in s.kpis], "sets": [_set(x) for x in s.sets]}  # fmt: skip


@api.route(
    "/comparisons",
    "GET",
    summary="The municipality's comparison services (key figures from Kolada)",
    description="Each service has its key figures and the comparison groups (up to 20 municipalities each) "
    "a resident may pick from. When `demo` is true the figures are made up: say so on every screen.",
    tag="comparisons",
    response=ComparisonServiceListSchema,
    public=True,
    errors=(503,),
)
def list_comparisons() -> dict[str, Any]:
    listed = call(insights(), "ListComparisonServices", pb.ListComparisonServicesRequest(), public=True)
    return {"home": _municipality(listed.home), "demo": listed.demo, "services": [_service(s) for s in listed.services]}


@api.route(
    "/comparisons/<service_id>",
    "GET",
    summary="One key figure of a comparison service beside the chosen municipalities",
    description="Series per year for the municipality, the chosen municipalities and the country; the "
    "municipality's rank and the comparison mean per year, and its comments. A key figure or group not in "
    "this comparison, a municipality outside the group, too many municipalities or a year without figures "
    "is a 400 naming the field.",
    tag="comparisons",
    query=ComparisonQuerySchema,
    response=ComparisonSchema,
    public=True,
    errors=(400, 404, 503),
)
def get_comparison(service_id: str, query: dict[str, Any]) -> dict[str, Any]:
    picked = [m for m in query.get("municipalities", "").split(",") if m]
    c = call(
        insights(),
        "GetComparison",
        pb.GetComparisonRequest(
            service_id=service_id, kpi_id=query.get("kpi", ""), set_id=query.get("set", ""),
            municipality_ids=picked, year=query.get("year", 0),
        ),
        public=True,
        field_names=FIELDS,
    )  # fmt: skip
    return {
        "service": _service(c.service),
        "kpi": _kpi(c.kpi),
        "set": _set(c.set),
        "chosen": [_municipality(m) for m in c.chosen],
        "years": list(c.years),
        "series": [
            {
                "municipality": _municipality(s.municipality),
                "home": s.home,
                "reference": s.reference,
                "points": [
                    {"year": p.year, "value": p.value if p.has_value else None, "status": p.status} for p in s.points
                ],
            }
            for s in c.series
        ],
        "summaries": [
            {
                "year": y.year,
                "mean": y.mean if y.has_mean else None,
                "rank": y.rank or None,
                "ranked": y.ranked,
                "comment": y.comment,
            }
            for y in c.summaries
        ],
        "fetched_at": time_of(c, "fetched_at"),
        "demo": c.demo,
        "source": c.source,
    }


def _guide(g: pb.Guide) -> dict[str, Any]:
    return {"id": g.guide_id, "version": g.version, "target_group": g.target_group, "title": g.title,
            "summary": g.summary}  # fmt: skip


def _link(x: pb.GuideLink) -> dict[str, Any]:
    return {"id": x.link_id, "kind": x.kind, "title": x.title, "description": x.description, "url": x.url,
            "e_service_id": x.e_service_id, "contact_group": x.contact_group}  # fmt: skip


def _step(step: pb.GuideStep) -> dict[str, Any]:
    question = None
    if step.HasField("question"):
        q = step.question
        question = {"id": q.question_id, "text": q.text, "help": q.help,
                    "options": [{"id": o.option_id, "label": o.label} for o in q.options]}  # fmt: skip
    result = None
    if step.HasField("result"):
        r = step.result
        result = {"id": r.result_id, "title": r.title, "text": r.text, "links": [_link(x) for x in r.links]}
    return {
        "session_id": step.session_id,
        "guide": _guide(step.guide),
        "step": step.step,
        "question": question,
        "result": result,
        "answers": [
            {"question_id": a.question_id, "question": a.question, "option_id": a.option_id, "answer": a.answer}
            for a in step.answers
        ],
    }


@api.route(
    "/guides",
    "GET",
    summary="Guides by life situation",
    tag="guides",
    response=GuideListSchema,
    public=True,
    errors=(503,),
)
def list_guides() -> dict[str, Any]:
    listed = call(insights(), "ListGuides", pb.ListGuidesRequest(), public=True)
    return {"guides": [_guide(g) for g in listed.guides]}


@api.route(
    "/guides/<guide_id>/sessions",
    "POST",
    summary="Start a guide: its first question",
    description="Holds no person: keep the sessionId to answer and to follow the result's links.",
    tag="guides",
    response=GuideStepSchema,
    status=201,
    public=True,
    errors=(404, 503),
)
def start_guide(guide_id: str) -> dict[str, Any]:
    return _step(call(insights(), "StartGuide", pb.StartGuideRequest(guide_id=guide_id), public=True))


@api.route(
    "/guide-sessions/<session_id>",
    "GET",
    summary="Where a guide session stands: the next question or the result",
    tag="guides",
    response=GuideStepSchema,
    public=True,
    errors=(404, 503),
)
def guide_step(session_id: str) -> dict[str, Any]:
    return _step(call(insights(), "AnswerGuide", pb.AnswerGuideRequest(session_id=session_id), public=True))


@api.route(
    "/guide-sessions/<session_id>/answers",
    "POST",
    summary="Answer the question asked (or an earlier one, to go back)",
    description="An option or question not in the guide is a 400 naming the field.",
    tag="guides",
    body=GuideAnswerRequestSchema,
    response=GuideStepSchema,
    public=True,
    errors=(400, 404, 503),
)
def answer_guide(session_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = pb.AnswerGuideRequest(session_id=session_id, question_id=body["question_id"], option_id=body["option_id"])
    return _step(call(insights(), "AnswerGuide", answer, public=True, field_names=FIELDS))


@api.route(
    "/guide-sessions/<session_id>/links/<link_id>",
    "POST",
    summary="Tell that the resident follows a link of the guide's result (counted), and get it",
    description="Open an e_service link in the app's own e-service screens (GET /v1/e-services); open "
    "information and contact links as their url says.",
    tag="guides",
    response=GuideLinkSchema,
    public=True,
    errors=(400, 404, 503),
)
def follow_link(session_id: str, link_id: str) -> dict[str, Any]:
    link = call(
        insights(),
        "FollowGuideLink",
        pb.FollowGuideLinkRequest(session_id=session_id, link_id=link_id),
        public=True,
        field_names=FIELDS,
    )
    return _link(link)
