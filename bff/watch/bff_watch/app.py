"""The app factory: `gunicorn -b 127.0.0.1:8082 'bff_watch.app:create_app()'`."""

from __future__ import annotations

import logging
from datetime import UTC

import grpc
from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from bff_watch import contact, pairing, texts
from bff_watch.auth import EXTENSION, ExchangeFailed, WatchTokenCache, require_watch
from bff_watch.glance import Case, dumps, fit, glance, next_booking
from bff_watch.pairing import WatchError
from bff_watch.settings import WatchSettings
from bff_watch.settings import load as load_settings
from bff_watch.texts import Text
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_bff import case_status, live
from fickan_bff.app import create_base_app, services_of
from fickan_bff.auth import AuthError
from fickan_bff.clients import Services
from fickan_bff.errors import (
    BUSY_RETRY_AFTER_SECONDS,
    InvalidIdempotencyKey,
    allow_header,
    http_status,
    is_unavailable,
)
from fickan_bff.together import together
from fickan_common.grpc_client import ServiceError

NAME = "bff-watch"
LANGUAGES = ("sv", "en")

log = logging.getLogger(__name__)

AUTH_ERRORS: dict[str, tuple[int, str, Text]] = {
    "missing": (401, "token_missing", texts.TOKEN_MISSING),
    "expired": (401, "token_expired", texts.TOKEN_EXPIRED),
    "invalid": (401, "token_invalid", texts.TOKEN_INVALID),
    "revoked": (401, "watch_unpaired", texts.WATCH_UNPAIRED),
    "unpaired": (401, "watch_unpaired", texts.WATCH_UNPAIRED),
    "forbidden": (403, "forbidden", texts.FORBIDDEN),
}
HTTP_ERRORS: dict[int, tuple[str, Text]] = {
    400: ("invalid_request", texts.INVALID_REQUEST),
    404: ("not_found", texts.NOT_FOUND),
    405: ("method_not_allowed", texts.METHOD_NOT_ALLOWED),
    413: ("too_large", texts.TOO_LARGE),
}


def _lang() -> str:
    return request.accept_languages.best_match(LANGUAGES, default="sv") or "sv"


def _json(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(dumps(payload), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _error(
    status: int, code: str, text: Text, headers: dict[str, str] | None = None, field: str | None = None
) -> Response:
    error = {"code": code, "message": getattr(text, _lang())}
    if field:
        error["field"] = field
    return _json({"error": error}, status, headers)


def _service_error(exc: ServiceError) -> Response:
    if is_unavailable(exc.code):
        return _error(503, "unavailable", texts.UNAVAILABLE, {"Retry-After": "5"})
    if exc.busy:
        return _error(429, "busy", texts.BUSY, {"Retry-After": BUSY_RETRY_AFTER_SECONDS})
    status = http_status(exc.code)
    if status >= 500:
        log.warning("service failed", extra={"fields": {"grpc_code": exc.code.name}})
        return _error(500, "internal", texts.INTERNAL)
    if status == 401:
        return _error(401, "token_invalid", texts.TOKEN_INVALID)
    if status == 403:
        return _error(403, "forbidden", texts.FORBIDDEN)
    # Other refusals: the service's own words in the watch's language, kept short (a general text
    # only where the service sent none in that language).
    fallback = texts.INTERNAL.en if _lang() == "en" else texts.INTERNAL.sv
    message = exc.said(_lang(), fallback) or fallback
    return _json({"error": {"code": exc.code.name.lower(), "message": message[:200]}}, status)


def _case(message: apps_pb.CaseGlance) -> Case | None:
    if not message.has_case:
        return None
    return Case(
        title=message.title,
        status=case_status.name(message.status),
        resident_must_act=message.resident_must_act,
        status_text=message.status_text,
        status_text_en=message.status_text_en,
        next_action=message.next_action,
        next_action_en=message.next_action_en,
        seconds_to_decision=message.seconds_to_decision,
        payment_date=message.payment_date,
        payment_amount=message.payment_amount,
    )


def _short(message: notes_pb.Message) -> dict[str, object]:
    return {"kind": message.kind, "short": fit(message.short, 60, 180), "ref": message.reference}


def _glance_entry(event: notes_pb.FeedEvent) -> dict[str, object]:
    data: dict[str, object] = {"unread": event.unread}
    if event.kind == "message":
        data.update(_short(event.message))
    elif event.kind == "case_changed":
        data.update(ref=event.reference, status=event.status)
    return data


def _new_replies(clients: Services, token: str) -> int | None:
    """Replies from the contact centre the resident has not read; None when contact is away."""
    try:
        mine = clients.contact.call("ListMyQuestions", contact_pb.ListMyQuestionsRequest(), token=token)
    except ServiceError as exc:
        if not is_unavailable(exc.code):
            raise
        return None
    return sum(q.unread_replies for q in mine.questions)


def _next_booking(clients: Services, token: str, lang: str) -> str | None:
    """The resident's next advisory booking in a few words; None when none (or contact is away)."""
    try:
        mine = clients.contact.call("ListMyBookings", contact_pb.ListMyBookingsRequest(), token=token)
    except ServiceError as exc:
        if not is_unavailable(exc.code):
            raise
        return None
    if not mine.bookings:
        return None
    first = mine.bookings[0].slot
    kind = first.kind_text_en if lang == "en" else first.kind_text
    return next_booking(first.starts_at.ToDatetime(tzinfo=UTC), kind, lang)


def _service_line(clients: Services, lang: str) -> str | None:
    """The first service message's short line (a disruption on now comes first); None when there is
    none or notifications does not answer within a second (the glance never waits for it)."""
    try:
        listed = clients.notifications.call("ListServiceMessages", notes_pb.ListServiceMessagesRequest(), timeout=1.0)
    except ServiceError as exc:
        log.warning("service messages unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        return None
    if not listed.messages:
        return None
    first = listed.messages[0]
    return (first.short_en if lang == "en" and first.short_en else first.short) or None


def create_app(services: Services | None = None, settings: WatchSettings | None = None) -> Flask:
    """The watch BFF. Settings default to the environment's, services to their targets (README.md)."""
    settings = settings or load_settings()
    # The watch shows no comparisons or guides: no insights client, and /readyz does not wait for it.
    app = create_base_app(NAME, settings.bff, services, insights=False)
    app.extensions[EXTENSION] = WatchTokenCache(max_entries=settings.token_cache_size)

    @app.post("/v1/pairing")
    def start_pairing() -> Response:
        identity = services_of(current_app).identity
        answer = identity.call("StartWatchPairing", identity_pb.StartWatchPairingRequest())
        return _json(pairing.started(answer, _lang()))

    @app.post("/v1/pairing/poll")
    def poll_pairing() -> Response:
        device_code = pairing.device_code_from(request.get_json(silent=True, force=True))
        identity = services_of(current_app).identity
        try:
            answer = identity.call("PollWatchPairing", identity_pb.PollWatchPairingRequest(device_code=device_code))
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.NOT_FOUND:
                raise WatchError(404, "not_found", texts.PAIRING_NOT_FOUND) from None
            raise
        payload = pairing.polled(answer, _lang())
        if payload["status"] in ("complete", "expired"):
            log.info("watch pairing polled", extra={"fields": {"status": payload["status"]}})
        return _json(payload)

    @app.get("/v1/glance")
    @require_watch
    def get_glance() -> Response:
        clients = services_of(current_app)
        token = g.principal.token
        lang = _lang()

        def unread() -> int | None:
            try:
                answer = clients.notifications.call("GetUnreadCount", notes_pb.GetUnreadCountRequest(), token=token)
            except ServiceError as exc:
                if not is_unavailable(exc.code):
                    raise
                return None  # the inbox is down; the case still shows
            return answer.unread

        # Five answers at once: the glance waits for the slowest, not for their sum.
        mine, unread_count, replies, booking, service = together(
            lambda: clients.applications.call("GetMyCaseGlance", apps_pb.GetMyCaseGlanceRequest(), token=token),
            unread,
            lambda: _new_replies(clients, token),
            lambda: _next_booking(clients, token, lang),
            lambda: _service_line(clients, lang),
        )
        return _json(glance(_case(mine), unread_count, lang, replies, booking, service))

    @app.post("/v1/ring-me")
    @require_watch
    def ring_me() -> Response:
        """One tap on the watch: the contact centre rings the resident back (the paired phone's app
        sends the number it knows)."""
        phone = contact.phone_from(request.get_json(silent=True, force=True))
        clients = services_of(current_app)
        asked = clients.contact.call(
            "AskQuestion",
            contact_pb.AskQuestionRequest(channel="watch", phone=phone),
            token=g.principal.token,
        )
        return _json(contact.rung(asked, _lang()), 201)

    @app.get("/v1/inbox")
    @require_watch
    def get_inbox() -> Response:
        """The unread count and the three newest unread messages, in their short form (≤ 60 characters)."""
        answer = services_of(current_app).notifications.call(
            "GetUnreadCount", notes_pb.GetUnreadCountRequest(), token=g.principal.token
        )
        return _json({"unread": answer.unread, "newest": [_short(m) for m in answer.newest]})

    @app.get("/v1/stream")
    @require_watch
    def stream() -> Response:
        """Live, glance-sized: the unread count and a new message's short form or a case's status.
        The stream ends with the 5-minute glance token; the watch reconnects with Last-Event-ID."""
        try:
            after = live.last_event_id()
        except live.BadLastEventId:
            return _error(400, "invalid_last_event_id", texts.LAST_EVENT_ID, field="Last-Event-ID")
        opened, first = live.open_feed(services_of(current_app), g.principal.token, after)
        return live.relay(opened, first, _glance_entry, "watch_stream")

    @app.errorhandler(AuthError)
    def _auth(exc: AuthError) -> Response:
        status, code, text = AUTH_ERRORS.get(exc.reason, AUTH_ERRORS["invalid"])
        headers = {"WWW-Authenticate": 'Bearer realm="fickan"'} if status == 401 else None
        return _error(status, code, text, headers)

    @app.errorhandler(WatchError)
    def _watch(exc: WatchError) -> Response:
        return _error(exc.status, exc.code, exc.text, field=exc.field)

    @app.errorhandler(ExchangeFailed)
    def _exchange(exc: ExchangeFailed) -> Response:
        return _error(500, "internal", texts.INTERNAL)  # logged where it happened

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError) -> Response:
        return _service_error(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if isinstance(exc, InvalidIdempotencyKey):
            code, text = "invalid_idempotency_key", texts.INVALID_IDEMPOTENCY_KEY
        else:
            code, text = HTTP_ERRORS.get(exc.code or 500, ("invalid_request", texts.INTERNAL))
        return _error(exc.code or 500, code, text, allow_header(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return _error(500, "internal", texts.INTERNAL)

    return app
