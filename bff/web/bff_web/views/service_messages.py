"""Service messages on the web: the banner every page shows (planned maintenance and disruptions,
from notifications), BankID's own status on the login pages (from identity), and the admins' page
to publish a notice and end it. The rules of a notice are the notifications service's; this only
shows them and maps the form."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import services, staff_required, token
from fickan.identity.v1 import identity_pb2
from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

bp = Blueprint("service_messages", __name__)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A page never waits long for its banner: without an answer it shows none.
BANNER_TIMEOUT = 1.0
FIELDS = ("kind", "text", "text_en", "starts_at", "ends_at")
MONTH_KEYS = tuple(f"month_short_{n}" for n in range(1, 13))


def _local(ts: Any) -> datetime:
    return ts.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE)


def _when(message: pb.ServiceMessage) -> str:
    """ "Pågår till 16:00" / "3 dec 22:00 – 23:30", in the page's language."""
    start, end = _local(message.starts_at), _local(message.ends_at)
    today = datetime.now(formatting.ZONE).date()

    def moment(value: datetime, with_date: bool) -> str:
        clock = f"{value:%H:%M}"
        if not with_date:
            return clock
        return f"{value.day} {t(MONTH_KEYS[value.month - 1])} {clock}"

    if message.active:
        return t("service_until", end=moment(end, end.date() != today))
    return t("service_between", start=moment(start, True), end=moment(end, end.date() != start.date()))


def shown(message: pb.ServiceMessage) -> dict[str, Any]:
    english = g.get("lang") == "en" and bool(message.text_en)
    return {
        "id": message.message_id,
        "kind": message.kind,
        "kind_text": t("service_kind_maintenance") if message.kind == "maintenance" else t("service_kind_disruption"),
        "text": message.text_en if english else message.text,
        # The Swedish text on an English page is marked as Swedish for screen readers.
        "text_lang": "" if english or g.get("lang") != "en" else "sv",
        "when": _when(message),
        "active": message.active,
        "ended": message.ended,
    }


def current_notices() -> list[dict[str, Any]]:
    """The notices for this page's banner (once per request); none when notifications is away."""
    if "service_notices" not in g:
        try:
            answer = services().notifications.call(
                "ListServiceMessages", pb.ListServiceMessagesRequest(), timeout=BANNER_TIMEOUT
            )
            g.service_notices = [shown(m) for m in answer.messages]
        except ServiceError as exc:
            log.warning("service messages unavailable", extra={"fields": {"grpc_code": exc.code.name}})
            g.service_notices = []
    return g.service_notices


def bankid_disrupted() -> bool:
    """Whether identity last saw BankID answer `maintenance` (for the login and signing pages)."""
    try:
        answer = services().identity.call(
            "GetBankIdStatus", identity_pb2.GetBankIdStatusRequest(), timeout=BANNER_TIMEOUT
        )
    except ServiceError as exc:
        log.warning("bankid status unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        return False
    return answer.disrupted


# --- the admins' page ------------------------------------------------------------------------
def _defaults() -> dict[str, str]:
    now = datetime.now(formatting.ZONE).replace(second=0, microsecond=0)
    return {
        "kind": "maintenance",
        "text": "",
        "text_en": "",
        "starts_at": f"{now:%Y-%m-%dT%H:%M}",
        "ends_at": f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}",
    }


def _render(form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str = "", status=200):  # type: ignore[no-untyped-def]
    listed = services().notifications.call(
        "ListAllServiceMessages", pb.ListAllServiceMessagesRequest(limit=50), token=token()
    )
    return (
        render_template(
            "staff_service_messages.html",
            notices=[
                shown(m) | {"starts": formatting.date_time(m.starts_at), "ends": formatting.date_time(m.ends_at)}
                for m in listed.messages
            ],
            form=form or _defaults(),
            errors=errors or {},
            message=message,
        ),
        status,
    )


@bp.get("/personal/driftmeddelanden")
@staff_required("admin")
def admin() -> tuple[str, int]:
    return _render()


@bp.post("/personal/driftmeddelanden")
@staff_required("admin")
def publish() -> Response | tuple[str, int]:
    form = {name: request.form.get(name, "")[:1000] for name in FIELDS}
    try:
        services().notifications.call(
            "PublishServiceMessage",
            pb.PublishServiceMessageRequest(
                kind=form["kind"][:20],
                text=form["text"],
                text_en=form["text_en"],
                starts_at=form["starts_at"][:40],
                ends_at=form["ends_at"][:40],
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code.name in ("INVALID_ARGUMENT", "FAILED_PRECONDITION"):
            status = 400 if exc.code.name == "INVALID_ARGUMENT" else 409
            return _render(form, said_fields(exc), said(exc), status)
        raise
    flash("service_published", "success")
    return redirect(url_for("service_messages.admin"))


@bp.post("/personal/driftmeddelanden/<message_id>/avsluta")
@staff_required("admin")
def end(message_id: str) -> Response:
    if not _UUID.match(message_id):
        flash("service_unknown", "error")
        return redirect(url_for("service_messages.admin"))
    services().notifications.call(
        "EndServiceMessage", pb.EndServiceMessageRequest(message_id=message_id), token=token()
    )
    flash("service_ended", "success")
    return redirect(url_for("service_messages.admin"))
