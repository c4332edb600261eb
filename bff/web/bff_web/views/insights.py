"""Comparisons (/jamfor) and guides by life situation (/guide), open to everyone, and the staff
page for comments and guide statistics. The insights service holds every rule: which KPIs and
municipalities may be compared, rank and mean, where a guide leads; these views map."""

from __future__ import annotations

import grpc
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import charts, formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import services
from fickan.insights.v1 import insights_pb2 as pb
from fickan_bff.errors import is_unavailable
from fickan_common.access import is_staff
from fickan_common.grpc_client import ServiceClient, ServiceError

bp = Blueprint("insights", __name__)

# Where a guide's e-service link leads on the web (the applications catalogue's ids).
E_SERVICE_PAGES = {"ekonomiskt-bistand": "applications.catalogue"}
# Field errors of the service -> the element on the page they belong to.
COMPARE_FIELDS = {"municipality_ids": "kommuner", "kpi_id": "nyckeltal", "set_id": "grupp", "year": "kommuner"}


def insights() -> ServiceClient:
    client = services().insights
    if client is None:
        abort(503)
    return client


def fmt(value: float) -> str:
    return formatting.number(value, g.get("lang", "sv"))


# -- comparisons ------------------------------------------------------------------------------------
@bp.get("/jamfor")
def compare_start() -> str:
    listed = insights().call("ListComparisonServices", pb.ListComparisonServicesRequest())
    return render_template("compare_start.html", listed=listed)


@bp.get("/jamfor/<service_id>")
def compare(service_id: str) -> tuple[str, int] | str:
    listed = insights().call("ListComparisonServices", pb.ListComparisonServicesRequest())
    service = next((s for s in listed.services if s.service_id == service_id), None)
    if service is None:
        abort(404)
    set_id = request.args.get("grupp", "")
    picked = request.args.getlist("kommun")
    if set_id and request.args.get("visad_grupp") and request.args["visad_grupp"] != set_id:
        picked = []  # the resident switched group: the old group's ticks do not carry over
    wanted = pb.GetComparisonRequest(
        service_id=service_id, kpi_id=request.args.get("nyckeltal", ""), set_id=set_id, municipality_ids=picked
    )
    try:
        comparison = insights().call("GetComparison", wanted)
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        errors = [(COMPARE_FIELDS.get(f, ""), m) for f, m in said_fields(exc).items()] or [("", said(exc))]
        if said(exc) and all(m != said(exc) for _, m in errors):
            errors.insert(0, ("", said(exc)))
        fallback = insights().call("GetComparison", pb.GetComparisonRequest(service_id=service_id))
        page = render_template(
            "compare.html", listed=listed, service=service, c=fallback, errors=errors, **_view(fallback)
        )
        return page, 400
    return render_template("compare.html", listed=listed, service=service, c=comparison, errors=[], **_view(comparison))


def _view(c: pb.Comparison) -> dict[str, object]:
    """The comparison shaped for the page: table rows, the chart, the newest year's summary."""
    years = list(c.years)
    rows = []
    for s in c.series:
        cells = [
            {"text": fmt(p.value) if p.has_value else "", "status": p.status, "missing": not p.has_value}
            for p in s.points
        ]
        rows.append({"name": s.municipality.title, "home": s.home, "reference": s.reference, "cells": cells})
    home = next((s for s in c.series if s.home), None)
    reference = next((s for s in c.series if s.reference), None)
    lines = []
    if home:
        lines.append(("home", home.municipality.title, [p.value if p.has_value else None for p in home.points]))
    lines.append(("mean", t("compare_mean"), [y.mean if y.has_mean else None for y in c.summaries]))
    if reference:
        lines.append(
            ("reference", reference.municipality.title, [p.value if p.has_value else None for p in reference.points])
        )
    latest = c.summaries[-1] if c.summaries else None
    chosen = {m.municipality_id for m in c.chosen}
    return {
        "years": years,
        "rows": rows,
        "summaries": [
            {
                "year": y.year,
                "mean": fmt(y.mean) if y.has_mean else "",
                "rank": t("compare_rank_of", rank=y.rank, of=y.ranked) if y.rank else "",
                "comment": y.comment,
            }
            for y in c.summaries
        ],
        "latest": latest,
        "latest_mean": fmt(latest.mean) if latest and latest.has_mean else "",
        "home_name": home.municipality.title if home else "",
        "chart": charts.line_chart(years, lines, fmt),
        "chosen": chosen,
        "fetched": formatting.date(c.fetched_at),
        "comments": [y for y in c.summaries if y.comment],
    }


# -- guides -----------------------------------------------------------------------------------------
def list_guides() -> list[pb.Guide]:
    """The guides for the start page; the start page shows without them if insights is away."""
    client = services().insights
    if client is None:
        return []
    try:
        return list(client.call("ListGuides", pb.ListGuidesRequest()).guides)
    except ServiceError as exc:
        if not is_unavailable(exc.code):
            raise
        return []


@bp.get("/guide")
def guides() -> str:
    listed = insights().call("ListGuides", pb.ListGuidesRequest())
    return render_template("guides.html", guides=listed.guides)


@bp.post("/guide/<guide_id>/starta")
def start_guide(guide_id: str) -> Response:
    step = insights().call("StartGuide", pb.StartGuideRequest(guide_id=guide_id))
    return redirect(url_for("insights.guide_step", session_id=step.session_id))


@bp.get("/guide/steg/<session_id>")
def guide_step(session_id: str) -> str:
    step = insights().call("AnswerGuide", pb.AnswerGuideRequest(session_id=session_id))
    return render_template("guide_step.html", step=step, error="", links=_links(step))


@bp.post("/guide/steg/<session_id>")
def answer_guide(session_id: str) -> Response | tuple[str, int]:
    answer = pb.AnswerGuideRequest(
        session_id=session_id,
        question_id=request.form.get("question_id", ""),
        option_id=request.form.get("option_id", ""),
    )
    try:
        insights().call("AnswerGuide", answer)
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        step = insights().call("AnswerGuide", pb.AnswerGuideRequest(session_id=session_id))
        error = t("guide_choose_one") if not answer.option_id else said(exc)
        return render_template("guide_step.html", step=step, error=error, links=_links(step)), 400
    return redirect(url_for("insights.guide_step", session_id=session_id) + "#fraga")


@bp.get("/guide/steg/<session_id>/till/<link_id>")
def follow_link(session_id: str, link_id: str) -> Response:
    """Counts the step out of the guide, then goes there."""
    link = insights().call("FollowGuideLink", pb.FollowGuideLinkRequest(session_id=session_id, link_id=link_id))
    return redirect(_target(link))


def _target(link: pb.GuideLink) -> str:
    if link.kind == "e_service":
        return url_for(E_SERVICE_PAGES.get(link.e_service_id, "applications.catalogue"))
    if link.kind == "contact":
        # The contact centre's form with the guide's topic chosen (its topics are the groups' way in).
        return url_for("contact.ask_form", amne=link.contact_group)
    return link.url


def _links(step: pb.GuideStep) -> list[dict[str, str]]:
    if not step.HasField("result"):
        return []
    return [
        {
            "href": url_for("insights.follow_link", session_id=step.session_id, link_id=x.link_id),
            "title": x.title,
            "kind": x.kind,
            "kind_text": t(f"guide_kind_{x.kind}"),
            "description": x.description,
            "external": x.kind == "information" and x.url.startswith("http"),
        }
        for x in step.result.links
    ]


# -- staff ------------------------------------------------------------------------------------------
def _staff_token() -> str:
    principal = g.get("principal")
    if principal is None:
        abort(403)
    if not is_staff(principal):
        abort(403)
    return principal.token


@bp.get("/personal/insikter")
def staff_insights() -> str | Response:
    if g.get("principal") is None:
        return redirect(url_for("login.form"))
    return _staff_page()


def _staff_page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    token = _staff_token()
    stats = insights().call("GetGuideStatistics", pb.GetGuideStatisticsRequest(), token=token)
    status_answer = insights().call("GetImportStatus", pb.GetImportStatusRequest(), token=token)
    listed = insights().call("ListComparisonServices", pb.ListComparisonServicesRequest())
    kpis = {k.kpi_id: k.title for s in listed.services for k in s.kpis}
    body = render_template(
        "staff_insights.html",
        stats=stats,
        share=lambda x: formatting.number(100 * x, g.get("lang", "sv")) + "\u00a0%",
        import_status=status_answer,
        imported_at=formatting.date_time(status_answer.finished_at),
        kpis=kpis,
        errors=errors or {},
        form=form or {},
    )
    return body, status


@bp.post("/personal/insikter/kommentar")
def staff_comment():  # type: ignore[no-untyped-def]
    token = _staff_token()
    form = {k: request.form.get(k, "") for k in ("kpi_id", "year", "text")}
    if not (form["year"].isdigit() and len(form["year"]) == 4):
        return _staff_page({"year": t("staff_insights_year_invalid")}, form, 400)
    year = int(form["year"])
    try:
        insights().call(
            "SetComment", pb.SetCommentRequest(kpi_id=form["kpi_id"], year=year, text=form["text"]), token=token
        )
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return _staff_page(said_fields(exc) or {"text": said(exc)}, form, 400)
    flash("staff_insights_comment_saved", "success")
    return redirect(url_for("insights.staff_insights"))
