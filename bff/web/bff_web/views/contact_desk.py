"""The contact centre's desk: the group's queue oldest first, a thread with the linked case's status
beside it, reply, internal note, move, close with a contact reason; telephone, e-mail and visits
registered into the same queue; and unnecessary demand, measured, as a page and a CSV file."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

import grpc
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import login_required, services, staff_required, token
from bff_web.views.contact import centre, channel_names, entries, entry_names, fetch_file, status_names, topics
from fickan.applications.v1 import applications_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("contact_desk", __name__)

AGENT = "contact_agent"
STATUS_FILTERS = ("received", "with_agent", "answered", "closed")
CHANNEL_FILTERS = ("web", "mobile", "watch", "phone", "email", "visit")
REGISTER_FIELDS = ("channel", "topic", "subject", "body", "name", "email", "phone", "answer", "close_reason")


def _named(items: Any, lang: str) -> list[tuple[str, str]]:
    return [(i.code, i.name_en if lang == "en" else i.name) for i in items]


@bp.get("/personal/kontakt")
@staff_required(AGENT)
def queue() -> str:
    wanted = {
        "status": request.args.get("status", "") if request.args.get("status") in STATUS_FILTERS else "",
        "channel": request.args.get("kanal", "") if request.args.get("kanal") in CHANNEL_FILTERS else "",
        "linked": request.args.get("kopplad") == "1",
    }
    listed = services().contact.call(
        "ListQueue",
        pb.ListQueueRequest(status=wanted["status"], channel=wanted["channel"], linked_to_case_only=wanted["linked"]),
        token=token(),
    )
    rows = [
        {
            "id": q.question_id,
            "subject": q.subject,
            "status_text": q.status_text_en if g.lang == "en" else q.status_text,
            "channel": channel_names().get(q.channel, q.channel),
            "received": formatting.date_time(q.received_at),
            "linked": bool(q.application_id),
            "agent": q.agent_name,
        }
        for q in listed.questions
    ]
    group_name = next((n for c, n in _named(centre().groups, g.lang) if c == listed.group), listed.group)
    return render_template(
        "desk_contact_queue.html",
        rows=rows,
        group=group_name,
        wanted=wanted,
        statuses=[(s, status_names()[s]) for s in STATUS_FILTERS],
        channels=[(c, channel_names()[c]) for c in CHANNEL_FILTERS],
    )


def _question_id(question_id: str) -> str:
    try:
        uuid.UUID(question_id)
    except ValueError:
        abort(404)
    return question_id


def _glance(question: pb.Question) -> Any | None:
    """The linked case's status, next step and time left, read from applications (logged there)."""
    if not question.application_id:
        return None
    try:
        return services().applications.call(
            "GetCaseGlanceForContact",
            applications_pb2.GetCaseGlanceForContactRequest(
                application_id=question.application_id, question_id=question.question_id
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return None  # the thread is still answerable without it
        raise


def _hours_left(seconds: int) -> str:
    hours, minutes = seconds // 3600, (seconds % 3600) // 60
    return t("desk_left", span=f"{hours} h {minutes:02d} min") if seconds > 0 else ""


def _thread_page(thread: pb.Thread, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    c = centre()
    q = thread.question
    glance = _glance(q)
    group_names = dict(_named(c.groups, g.lang))
    html = render_template(
        "desk_contact_thread.html",
        question=q,
        status_text=q.status_text_en if g.lang == "en" else q.status_text,
        channel=channel_names().get(q.channel, q.channel),
        entry_names=entry_names(),
        entries=entries(thread),
        group_names=group_names,
        groups=[(code, name) for code, name in group_names.items() if code != q.group],
        reasons=[(r.code, r.name_en if g.lang == "en" else r.name, r.unnecessary) for r in c.reasons],
        reason_names={r.code: (r.name_en if g.lang == "en" else r.name) for r in c.reasons},
        glance=glance,
        glance_left=_hours_left(glance.seconds_to_decision) if glance else "",
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
        sent=request.path.rsplit("/", 1)[-1] if request.method == "POST" else "",
    )
    return html, status


@bp.get("/personal/kontakt/<question_id>")
@staff_required(AGENT)
def thread(question_id: str) -> tuple[str, int]:
    request_message = pb.ThreadRequest(question_id=_question_id(question_id))
    return _thread_page(services().contact.call("GetThread", request_message, token=token()))


def _act(  # type: ignore[no-untyped-def]
    question_id: str, method: str, message: Any, done: str, form: str, after: Callable[[], Response] | None = None
):
    """One action on a thread; the service's refusal comes back on the thread page with its words,
    each tied to its field in the form that was sent (ids like "reply-body", "close-reason")."""
    try:
        services().contact.call(method, message, token=token())
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED):
            current = services().contact.call("GetThread", pb.ThreadRequest(question_id=question_id), token=token())
            status = 400 if exc.code == grpc.StatusCode.INVALID_ARGUMENT else 409
            errors = {f"{form}-{k}": v for k, v in said_fields(exc).items()} or {"": said(exc)}
            return _thread_page(current, errors, status)
        raise
    flash(done, "success")
    return after() if after else redirect(url_for("contact_desk.thread", question_id=question_id))


@bp.post("/personal/kontakt/<question_id>/ta")
@staff_required(AGENT)
def claim(question_id: str):  # type: ignore[no-untyped-def]
    return _act(
        question_id, "ClaimThread", pb.ThreadRequest(question_id=_question_id(question_id)), "contact_claimed", "claim"
    )


@bp.post("/personal/kontakt/<question_id>/svara")
@staff_required(AGENT)
def reply(question_id: str):  # type: ignore[no-untyped-def]
    message = pb.WriteRequest(question_id=_question_id(question_id), body=request.form.get("body", ""))
    return _act(question_id, "Reply", message, "contact_replied", "reply")


@bp.post("/personal/kontakt/<question_id>/anteckning")
@staff_required(AGENT)
def note(question_id: str):  # type: ignore[no-untyped-def]
    message = pb.WriteRequest(question_id=_question_id(question_id), body=request.form.get("body", ""))
    return _act(question_id, "AddNote", message, "contact_noted", "note")


@bp.post("/personal/kontakt/<question_id>/flytta")
@staff_required(AGENT)
def move(question_id: str):  # type: ignore[no-untyped-def]
    message = pb.MoveThreadRequest(
        question_id=_question_id(question_id),
        to_group=request.form.get("to_group", ""),
        note=request.form.get("note", ""),
    )
    # After a move the thread belongs to another group: back to the agent's own queue.
    return _act(
        question_id, "MoveThread", message, "contact_moved", "move", lambda: redirect(url_for("contact_desk.queue"))
    )


@bp.post("/personal/kontakt/<question_id>/avsluta")
@staff_required(AGENT)
def close(question_id: str):  # type: ignore[no-untyped-def]
    message = pb.CloseThreadRequest(question_id=_question_id(question_id), reason=request.form.get("reason", ""))
    return _act(question_id, "CloseThread", message, "contact_closed", "close")


@bp.get("/personal/kontakt/<question_id>/filer/<attachment_id>")
@staff_required(AGENT)
def attachment(question_id: str, attachment_id: str) -> Response:
    return fetch_file(question_id, attachment_id)


def _register_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    c = centre()
    html = render_template(
        "desk_contact_register.html",
        values=values,
        errors=errors,
        topics=topics(c, g.lang),
        reasons=[(r.code, r.name_en if g.lang == "en" else r.name) for r in c.reasons],
        channels=[(c, channel_names()[c]) for c in ("phone", "email", "visit")],
    )
    return html, status


@bp.get("/personal/kontakt/registrera")
@staff_required(AGENT)
def register_form() -> tuple[str, int]:
    return _register_page({"channel": "phone"}, {})


@bp.post("/personal/kontakt/registrera")
@staff_required(AGENT)
def register():  # type: ignore[no-untyped-def]
    values = {k: request.form.get(k, "") for k in REGISTER_FIELDS}
    try:
        thread = services().contact.call("RegisterContact", pb.RegisterContactRequest(**values), token=token())
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            return _register_page(values, said_fields(exc) or {"body": said(exc)}, 400)
        raise
    flash("contact_registered", "success")
    if thread.question.status == "closed":
        return redirect(url_for("contact_desk.register_form"))
    return redirect(url_for("contact_desk.thread", question_id=thread.question.question_id))


# --- unnecessary demand, measured --------------------------------------------------------------
def _minutes(seconds: int) -> str:
    return "–" if seconds < 0 else f"{seconds / 60:.0f} min"


@bp.get("/personal/kontakt/statistik")
@login_required
def statistics():  # type: ignore[no-untyped-def]
    if not (g.principal.has_role(AGENT) or g.principal.has_role("admin")):
        abort(403)
    from_date, to_date = request.args.get("fran", "")[:10], request.args.get("till", "")[:10]
    try:
        stats = services().contact.call(
            "GetDemandStatistics", pb.DemandStatisticsRequest(from_date=from_date, to_date=to_date), token=token()
        )
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        errors = said_fields(exc) or {"from_date": said(exc)}
        return render_template(
            "desk_contact_stats.html", stats=None, errors=errors, values={"fran": from_date, "till": to_date}
        ), 400
    c = centre()
    names = {
        **{gr.code: (gr.name_en if g.lang == "en" else gr.name) for gr in c.groups},
        **{r.code: (r.name_en if g.lang == "en" else r.name) for r in c.reasons},
        **channel_names(),
        "": t("contact_stats_not_closed"),
    }
    if request.args.get("format") == "csv":
        return _csv(stats, names)
    return render_template(
        "desk_contact_stats.html",
        stats=stats,
        errors={},
        values={"fran": stats.from_date, "till": stats.to_date},
        names=names,
        minutes=_minutes,
    )


def _csv(stats: pb.DemandStatistics, names: dict[str, str]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Swedish spreadsheets read semicolons
    writer.writerow(
        ["dag", "svarsgrupp", "kanal", "kontaktorsak", "kontakter", "onodiga", "median_sekunder_till_forsta_svar"]
    )
    for row in stats.rows:
        writer.writerow(
            [
                row.day,
                names.get(row.group, row.group),
                row.channel,
                names.get(row.reason, row.reason) if row.reason else "",
                row.contacts,
                row.unnecessary,
                row.median_seconds_to_first_answer if row.median_seconds_to_first_answer >= 0 else "",
            ]
        )
    filename = f"onodig-efterfragan-{stats.from_date}-{stats.to_date}.csv"
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM so Excel reads å, ä, ö
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/personal/omdomen")
@staff_required(AGENT)
def feedback() -> str:
    """The group's feedback, newest first: the rating, the comment and what it was about, never who."""
    listed = services().contact.call("ListFeedback", pb.ListFeedbackRequest(limit=100), token=token())
    rows = [
        {
            "rating": f.rating,
            "comment": f.comment,
            "kind": t(f"desk_feedback_kind_{f.subject.kind}"),
            "group": f.group,
            "when": formatting.date_time(f.changed_at),
        }
        for f in listed.feedback
    ]
    average = formatting.number(listed.average_x100 / 100, g.lang) if rows else ""
    return render_template("desk_feedback.html", rows=rows, average=average)
