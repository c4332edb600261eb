"""The start page, Mina sidor (applications + unread count) and the inbox."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import t
from bff_web.session import login_required, services, token
from bff_web.views import insights
from fickan.applications.v1 import applications_pb2
from fickan.notifications.v1 import notifications_pb2
from fickan_bff import case_status
from fickan_bff.errors import is_unavailable
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

APPLICATION_REFERENCE = "application:"


@bp.get("/")
def start() -> str:
    return render_template("start.html", guides=insights.list_guides())


def _unread_text(count: int | None) -> str:
    if count is None:
        return t("overview_unread_unknown")
    if count == 0:
        return t("overview_unread_none")
    if count == 1:
        return t("overview_unread_one")
    return t("overview_unread_many", count=count)


@bp.get("/mina-sidor")
@login_required
def overview() -> str:
    listed = services().applications.call(
        "ListMyApplications", applications_pb2.ListMyApplicationsRequest(), token=token()
    )
    rows = []
    for app in listed.applications:
        if formatting.is_set(app.submitted_at):
            when = t("overview_submitted", date=formatting.date(app.submitted_at))
        else:
            when = t("overview_started", date=formatting.date(app.created_at))
        rows.append(
            {
                "id": app.application_id,
                "title": app.title or app.kind,
                "status": case_status.name(app.status),
                "status_text": app.status_text or case_status.name(app.status),
                "next_action": app.next_action,
                "when": when,
            }
        )
    # The inbox count is a side dish: if notifications is down, the overview still shows.
    try:
        unread: int | None = (
            services()
            .notifications.call("GetUnreadCount", notifications_pb2.GetUnreadCountRequest(), token=token())
            .unread
        )
    except ServiceError as exc:
        if not is_unavailable(exc.code):
            raise
        unread = None
    return render_template(
        "overview.html",
        applications=rows,
        unread=unread,
        unread_text=_unread_text(unread),
        name=g.principal.name,
        live=True,
    )


@bp.get("/inkorg")
@login_required
def inbox() -> str:
    listed = services().notifications.call(
        "ListMessages", notifications_pb2.ListMessagesRequest(limit=50), token=token()
    )
    messages = []
    for message in listed.messages:
        application_id = ""
        if message.reference.startswith(APPLICATION_REFERENCE):
            application_id = message.reference[len(APPLICATION_REFERENCE) :]
        messages.append(
            {
                "id": message.message_id,
                "subject": message.subject,
                "body": message.body,
                "read": message.read,
                "when": formatting.date_time(message.created_at),
                "application_id": application_id,
            }
        )
    return render_template("inbox.html", messages=messages, live=True)


@bp.post("/inkorg/<message_id>/last")
@login_required
def mark_read(message_id: str) -> Response:
    services().notifications.call("MarkRead", notifications_pb2.MarkReadRequest(message_id=message_id), token=token())
    flash("inbox_marked", "success")
    return redirect(url_for("pages.inbox"))
