"""Notices on the web: the live feed for open pages (Server-Sent Events), the preferences page with
the e-mail confirmation, the browser's Web Push subscription, the installable web app (manifest,
service worker) and, for admins, the deliveries that failed every try."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for

from bff_web.i18n import said, said_fields, t
from bff_web.session import login_required, services, staff_required, token
from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_bff import live
from fickan_common.grpc_client import ServiceError

bp = Blueprint("notices", __name__)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The kinds of message a resident chooses channels for, grouped as a resident thinks of them.
GROUPS: dict[str, tuple[str, ...]] = {
    "decisions": ("decision_approved", "decision_partly_approved", "decision_rejected"),
    "payments": ("payment_scheduled", "payment_day", "payment_made"),
    "requests": (
        "completion_requested",
        "random_check",
        "completion_due",
        "signature_requested",
        "draft_deletion_warning",
        "draft_deleted",
    ),
    "periods": ("period_opened", "period_closing"),
    "contact": ("reply_sent", "question_received", "booking_confirmed", "booking_reminder"),
    "receipts": ("application_received",),
}

GROUP_TEXTS = {group: f"notices_group_{group}" for group in GROUPS}


def _entry(event: pb.FeedEvent) -> dict[str, Any]:
    """What the page's script needs to know that it should show itself again: no message text
    (the page fetches itself, rendered by the server as without the script)."""
    data: dict[str, Any] = {"unread": event.unread}
    if event.kind == "message":
        data.update(kind=event.message.kind, reference=event.message.reference)
    elif event.kind == "case_changed":
        data.update(reference=event.reference, status=event.status)
    return data


@bp.get("/mina-sidor/handelser")
def events() -> Response | tuple[str, int]:
    """The open page's live feed. Without a login a plain 401 (EventSource gives up on it)."""
    if g.get("principal") is None or not g.principal.is_resident:
        return "", 401
    try:
        after = live.last_event_id()
    except live.BadLastEventId:
        return "", 400
    try:
        opened, first = live.open_feed(services(), token(), after)
    except ServiceError as exc:
        return "", 401 if exc.code.name == "UNAUTHENTICATED" else 503
    return live.relay(opened, first, _entry, "web_events")


def _choices(prefs: pb.Preferences) -> dict[str, dict[str, bool]]:
    by_kind = {c.kind: c for c in prefs.channels}
    general = by_kind.get("")
    chosen = {}
    for group, kinds in GROUPS.items():
        found = by_kind.get(kinds[0]) or general
        chosen[group] = {"email": found.email if found else True, "push": found.push if found else True}
    return chosen


def _render(prefs: pb.Preferences, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    config = services().notifications.call("GetPushConfig", pb.GetPushConfigRequest(), token=token())
    return (
        render_template(
            "notice_settings.html",
            prefs=prefs,
            choices=_choices(prefs),
            groups=[(group, t(GROUP_TEXTS[group])) for group in GROUPS],
            errors=errors or {},
            vapid_key=config.vapid_public_key,
        ),
        status,
    )


@bp.get("/mina-sidor/aviseringar")
@login_required
def settings() -> tuple[str, int]:
    return _render(services().notifications.call("GetPreferences", pb.GetPreferencesRequest(), token=token()))


@bp.post("/mina-sidor/aviseringar")
@login_required
def save_settings() -> Response | tuple[str, int]:
    form = request.form
    channels = [
        pb.ChannelChoice(kind=kind, email=form.get(f"{group}_email") == "1", push=form.get(f"{group}_push") == "1")
        for group, kinds in GROUPS.items()
        for kind in kinds
    ]
    asked = pb.UpdatePreferencesRequest(
        language=form.get("language", "sv")[:2],
        email=form.get("email", "").strip()[:254],
        channels=channels,
        quiet_start=form.get("quiet_start", "22:00")[:5],
        quiet_end=form.get("quiet_end", "07:00")[:5],
        ignore_quiet_hours=form.get("ignore_quiet_hours") == "1",
    )
    try:
        saved = services().notifications.call("UpdatePreferences", asked, token=token())
    except ServiceError as exc:
        if exc.code.name != "INVALID_ARGUMENT":
            raise
        current = services().notifications.call("GetPreferences", pb.GetPreferencesRequest(), token=token())
        errors = said_fields(exc) or {"form": said(exc)}
        return _render(current, errors, 400)
    flash("notices_saved_confirm" if saved.email and not saved.email_confirmed else "notices_saved", "success")
    return redirect(url_for("notices.settings"))


@bp.get("/mina-sidor/aviseringar/bekrafta")
@login_required
def confirm_form() -> str:
    """The link in the mail opens this page; confirming is a button (a POST), so a mail scanner that
    follows links confirms nothing."""
    return render_template("notice_confirm.html", token_value=request.args.get("token", "")[:100])


@bp.post("/mina-sidor/aviseringar/bekrafta")
@login_required
def confirm() -> Response | tuple[str, int]:
    try:
        services().notifications.call(
            "ConfirmEmail", pb.ConfirmEmailRequest(token=request.form.get("token", "")[:100]), token=token()
        )
    except ServiceError as exc:
        if exc.code.name != "INVALID_ARGUMENT":
            raise
        return render_template("notice_confirm.html", token_value="", error=said(exc)), 400
    flash("notices_email_confirmed", "success")
    return redirect(url_for("notices.settings"))


@bp.post("/mina-sidor/aviseringar/push")
@login_required
def register_push() -> tuple[Response, int]:
    """From the page's script (FormData with the CSRF token): this browser's Web Push subscription."""
    form = request.form
    try:
        row = services().notifications.call(
            "RegisterPushSubscription",
            pb.RegisterPushSubscriptionRequest(
                provider="webpush",
                endpoint=form.get("endpoint", "")[:1000],
                p256dh=form.get("p256dh", "")[:200],
                auth=form.get("auth", "")[:100],
                device="web",
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code.name != "INVALID_ARGUMENT":
            raise
        return current_app.json.response({"error": said(exc), "fields": said_fields(exc)}), 400
    return current_app.json.response({"id": row.subscription_id, "message": t("notices_push_on")}), 201


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "name": "Fickan",
        "short_name": "Fickan",
        "lang": "sv",
        "start_url": "/mina-sidor",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": url_for("static", filename="icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker at the site's root (its scope is the whole site). It shows pushes and
    opens their page; it caches nothing, so no personal page is ever kept on the device."""
    response = current_app.send_static_file("sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/personal/utskick")
@staff_required("admin")
def dead_letters() -> str:
    listed = services().notifications.call("ListDeadLetters", pb.ListDeadLettersRequest(limit=100), token=token())
    return render_template("staff_dead_letters.html", deliveries=listed.deliveries)


@bp.post("/personal/utskick/<delivery_id>/skicka-igen")
@staff_required("admin")
def replay(delivery_id: str) -> Response:
    if not _UUID.match(delivery_id):
        flash("notices_delivery_unknown", "error")
        return redirect(url_for("notices.dead_letters"))
    services().notifications.call(
        "ReplayDeadLetter", pb.ReplayDeadLetterRequest(delivery_id=delivery_id), token=token()
    )
    flash("notices_replayed", "success")
    return redirect(url_for("notices.dead_letters"))
