"""The resident's way in to the contact centre: ask (logged in, or not with an address to answer
to), the answer they may have come for shown first (their case's status), their questions and each
thread. Rules, limits and routing live in the contact service; this only composes and maps."""

from __future__ import annotations

import re
import uuid
from typing import Any

import grpc
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import downloads, feedback, formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import login_required, services, token
from fickan.applications.v1 import applications_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("contact", __name__)

ASK_FIELDS = ("topic", "subject", "body", "name", "email", "phone", "application_id")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def status_names() -> dict[str, str]:
    return {
        "received": t("contact_status_received"),
        "with_agent": t("contact_status_with_agent"),
        "answered": t("contact_status_answered"),
        "closed": t("contact_status_closed"),
    }


def channel_names() -> dict[str, str]:
    return {
        "web": t("contact_channel_web"),
        "mobile": t("contact_channel_mobile"),
        "watch": t("contact_channel_watch"),
        "phone": t("contact_channel_phone"),
        "email": t("contact_channel_email"),
        "visit": t("contact_channel_visit"),
    }


def entry_names() -> dict[str, str]:
    return {
        "question": t("contact_entry_question"),
        "message": t("contact_entry_message"),
        "reply": t("contact_entry_reply"),
        "attachment": t("contact_entry_attachment"),
        "closed": t("contact_entry_closed"),
        "note": t("contact_entry_note"),
        "moved": t("contact_entry_moved"),
        "claimed": t("contact_entry_claimed"),
        "linked": t("contact_entry_linked"),
    }


def centre() -> pb.ContactCentre:
    return services().contact.call("GetContactCentre", pb.GetContactCentreRequest())


def topics(c: pb.ContactCentre, lang: str) -> list[tuple[str, str]]:
    return [(tp.code, tp.name_en if lang == "en" else tp.name) for tp in c.topics]


def case_glance() -> Any | None:
    """The resident's latest case, shown before they ask: often it is the answer they came for."""
    try:
        glance = services().applications.call(
            "GetMyCaseGlance", applications_pb2.GetMyCaseGlanceRequest(), token=token()
        )
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return None  # the question can still be asked without it
        raise
    return glance if glance.has_case else None


def _ask_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    logged_in = g.get("principal") is not None and g.principal.is_resident
    html = render_template(
        "contact_ask.html",
        values=values,
        errors=errors,
        topics=topics(centre(), g.get("lang", "sv")),
        logged_in=logged_in,
        glance=case_glance() if logged_in else None,
    )
    return html, status


@bp.get("/kontakt")
def ask_form() -> tuple[str, int]:
    topic = request.args.get("amne", "")[:60]
    # From a case page: the question is linked to that case (contact checks it is the asker's).
    case = request.args.get("arende", "")
    return _ask_page({"topic": topic, "application_id": case if _UUID.match(case) else ""}, {})


@bp.post("/kontakt")
def ask() -> Response | tuple[str, int]:
    values = {k: request.form.get(k, "") for k in ASK_FIELDS}
    principal = g.get("principal")
    try:
        if principal is not None and principal.is_resident:
            question = services().contact.call(
                "AskQuestion",
                pb.AskQuestionRequest(
                    subject=values["subject"],
                    body=values["body"],
                    topic=values["topic"],
                    channel="web",
                    application_id=values["application_id"][:36],
                ),
                token=token(),
            )
        else:
            question = services().contact.call(
                "AskAsGuest",
                pb.AskAsGuestRequest(
                    subject=values["subject"],
                    body=values["body"],
                    topic=values["topic"],
                    name=values["name"],
                    email=values["email"],
                    phone=values["phone"],
                    client_address=request.remote_addr or "",
                ),
            )
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            return _ask_page(values, said_fields(exc) or {"body": said(exc)}, 400)
        if exc.code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            return _ask_page(values, {"body": said(exc)}, 429)
        raise
    if principal is not None and principal.is_resident:
        flash("contact_sent", "success")
        return redirect(url_for("contact.thread", question_id=question.question_id))
    return render_template("contact_guest_sent.html", question=question), 200


@bp.get("/kontakt/fragor")
@login_required
def questions() -> str:
    listed = services().contact.call("ListMyQuestions", pb.ListMyQuestionsRequest(), token=token())
    rows = [
        {
            "id": q.question_id,
            "subject": q.subject,
            "status": q.status,
            "status_text": q.status_text_en if g.get("lang") == "en" else q.status_text,
            "group": q.group_name,
            "when": formatting.date_time(q.last_activity_at),
            "unread": q.unread_replies,
        }
        for q in listed.questions
    ]
    return render_template("contact_questions.html", questions=rows, live=True)


def _question_id(question_id: str) -> str:
    try:
        uuid.UUID(question_id)
    except ValueError:
        abort(404)
    return question_id


def entries(thread: pb.Thread) -> list[dict[str, str]]:
    return [
        {
            "kind": e.kind,
            "body": e.body,
            "author": e.author_name,
            "when": formatting.date_time(e.at),
            "reason": e.reason,
            "from_group": e.from_group,
            "to_group": e.to_group,
            "attachment_id": e.attachment_id,
        }
        for e in thread.entries
    ]


def _thread_page(
    thread: pb.Thread,
    errors: dict[str, str],
    value: str = "",
    status: int = 200,
    feedback_values: dict[str, str] | None = None,
) -> tuple[str, int]:
    q = thread.question
    # A closed contact may be rated.
    rating = feedback.panel("contact", q.question_id, feedback_values) if q.status == "closed" else None
    html = render_template(
        "contact_thread.html",
        question=q,
        entry_names=entry_names(),
        status_text=q.status_text_en if g.get("lang") == "en" else q.status_text,
        entries=entries(thread),
        errors=errors,
        value=value,
        live=True,  # the contact centre's reply appears while the page is open
        feedback=rating.feedback if rating else None,
        feedback_values=rating.values if rating else {},
        feedback_editable=rating is not None and rating.editable,
    )
    return html, status


@bp.post("/kontakt/fragor/<question_id>/omdome")
@login_required
def give_feedback(question_id: str) -> Response | tuple[str, int]:
    values, errors, status = feedback.give("contact", _question_id(question_id))
    if errors:
        current = services().contact.call("GetMyThread", pb.ThreadRequest(question_id=question_id), token=token())
        return _thread_page(current, errors, status=status, feedback_values=values)
    flash("feedback_thanks", "success")
    return redirect(url_for("contact.thread", question_id=question_id))


@bp.get("/kontakt/fragor/<question_id>")
@login_required
def thread(question_id: str) -> tuple[str, int]:
    request_message = pb.ThreadRequest(question_id=_question_id(question_id))
    return _thread_page(services().contact.call("GetMyThread", request_message, token=token()), {})


@bp.post("/kontakt/fragor/<question_id>")
@login_required
def write(question_id: str) -> Response | tuple[str, int]:
    """A message, a file, or both: the file first, so a refused file leaves the text in the form."""
    body = request.form.get("body", "")
    upload = request.files.get("file")
    contact = services().contact
    try:
        if upload and upload.filename:
            contact.call(
                "AddAttachment",
                pb.AddAttachmentRequest(
                    question_id=_question_id(question_id), filename=upload.filename, content=upload.read()
                ),
                token=token(),
            )
        if body.strip() or not (upload and upload.filename):
            request_message = pb.WriteRequest(question_id=_question_id(question_id), body=body)
            contact.call("WriteInThread", request_message, token=token())
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
            current = services().contact.call("GetMyThread", pb.ThreadRequest(question_id=question_id), token=token())
            status = 400 if exc.code == grpc.StatusCode.INVALID_ARGUMENT else 409
            return _thread_page(current, said_fields(exc) or {"body": said(exc)}, body, status)
        raise
    flash("contact_written", "success")
    return redirect(url_for("contact.thread", question_id=question_id))


def fetch_file(question_id: str, attachment_id: str) -> Response:
    request_message = pb.GetAttachmentRequest(
        question_id=_question_id(question_id), attachment_id=_question_id(attachment_id)
    )
    got = services().contact.call("GetAttachment", request_message, token=token())
    return downloads.attachment(got.content, got.content_type, got.filename)


@bp.get("/kontakt/fragor/<question_id>/filer/<attachment_id>")
@login_required
def attachment(question_id: str, attachment_id: str) -> Response:
    return fetch_file(question_id, attachment_id)
