"""The web BFF's app factory: the shared base (correlation ids, JSON logs, health, metrics) plus the
resident's pages, the session cookie, CSRF checks, language choice and Swedish error pages."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import grpc
from flask import Flask, flash, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web import session as web_session
from bff_web.cookie import EncryptedCookieSessionInterface, session_keys
from bff_web.i18n import LANG_COOKIE, current_language, said, t
from bff_web.settings import WebSettings
from bff_web.settings import load as load_settings
from bff_web.texts import DEFAULT_LANGUAGE, LANGUAGES
from bff_web.views import (
    account,
    applications,
    bookings,
    contact,
    contact_desk,
    estimate,
    faults,
    insights,
    login,
    notices,
    open311,
    pages,
    privacy,
    service_messages,
    staff,
    wall,
)
from fickan_bff import case_status
from fickan_bff.app import create_base_app
from fickan_bff.clients import Services
from fickan_bff.errors import BUSY_RETRY_AFTER_SECONDS, allow_header, http_status, is_unavailable
from fickan_common.access import is_staff
from fickan_common.context import idempotency_key
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

PAGE_BLUEPRINTS = {
    "pages",
    "login",
    "applications",
    "account",
    "staff",
    "estimate",
    "contact",
    "contact_desk",
    "bookings",
    "faults",
    "wall",
    "notices",
    "insights",
    "service_messages",
    "privacy",
}
ERROR_STATUSES = {400, 403, 404, 405, 409, 413, 429, 500, 503}
# Requests the page makes by itself: they are no sign that the resident is there (inactivity).
PASSIVE_ENDPOINTS = {"notices.events", "login.session_status", "login.status"}

# Pages hold personal data: no caching, no framing, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def error_page(status: int, message_key: str | None = None, message: str | None = None) -> tuple[str, int]:
    shown = status if status in ERROR_STATUSES else 500
    body = render_template(
        "error.html",
        status=shown,
        title=t(f"error_title_{shown}"),
        message=message or t(message_key or f"error_text_{shown}"),
    )
    return body, status


def _secret_key(key: str) -> str:
    if key:
        return key
    log.warning("FICKAN_WEB_SECRET_KEY is not set: using a random key, sessions end when the process restarts")
    return secrets.token_urlsafe(48)


def create_app(services: Services | None = None, settings: WebSettings | None = None) -> Flask:
    """The web BFF. Settings default to the environment's, services to their targets (README.md)."""
    settings = settings or load_settings()
    formatting.configure(settings.timezone)
    app = create_base_app("bff-web", settings.bff, services)
    app.extensions["bff_web_settings"] = settings
    # The base app is named after the process, not a module: point it at this package's
    # templates/ and static/ (before the template loader is first used).
    app.root_path = str(Path(__file__).resolve().parent)
    app.config.update(
        # receipts and statements: up to 10 MB each, a few at a time
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        SECRET_KEY=_secret_key(settings.secret_key),
        SESSION_COOKIE_NAME="fickan_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )
    app.session_interface = EncryptedCookieSessionInterface(session_keys(settings.session_keys))
    hops = settings.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    app.jinja_env.filters["kronor"] = formatting.kronor
    app.jinja_env.filters["case_status"] = case_status.name
    app.register_blueprint(pages.bp)
    app.register_blueprint(login.bp)
    app.register_blueprint(applications.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(estimate.bp)
    app.register_blueprint(contact.bp)
    app.register_blueprint(contact_desk.bp)
    app.register_blueprint(bookings.bp)
    app.register_blueprint(open311.bp)
    app.register_blueprint(faults.bp)
    app.register_blueprint(wall.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(service_messages.bp)
    app.register_blueprint(privacy.bp)

    @app.before_request
    def _language_and_session() -> None:
        g.lang = current_language()
        g.principal = None
        if request.blueprint in PAGE_BLUEPRINTS:
            web_session.check_csrf()
            key = web_session.form_idempotency_key()
            if key:
                # Reset with the request's other context by the base app's teardown.
                idempotency_key.set(key)
            web_session.load_principal(passive=request.endpoint in PASSIVE_ENDPOINTS)

    @app.after_request
    def _headers(response: Response) -> Response:
        if request.blueprint in PAGE_BLUEPRINTS or response.mimetype == "text/html":
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            response.headers.setdefault("Cache-Control", "no-store")
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
        return response

    @app.context_processor
    def _template_helpers() -> dict[str, object]:
        lang = g.get("lang", DEFAULT_LANGUAGE)
        return {
            "t": t,
            "lang": lang,
            "other_lang": "en" if lang == "sv" else "sv",
            "csrf_token": web_session.csrf_token,
            "csrf_field_name": web_session.CSRF_FIELD,
            "form_token": web_session.form_token,
            "form_token_field": web_session.FORM_TOKEN_FIELD,
            "principal": g.get("principal"),
            "is_staff": bool(g.get("principal")) and is_staff(g.principal),
            "resident_name": web_session.session_name(),
            "session_ends_in": web_session.ends_in,
            "idle_warning_seconds": settings.idle_warning_seconds,
            "service_notices": service_messages.current_notices,
        }

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]] | HTTPException:
        status = exc.code or 500
        if status < 400:
            return exc
        if status == 400 and exc.description == "csrf":
            return error_page(400, "error_csrf")
        return (*error_page(status), allow_header(exc))

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> tuple[str, int] | Response:
        log.warning(
            "service call failed",
            extra={"fields": {"endpoint": request.endpoint, "grpc_code": exc.code.name}},
        )
        if is_unavailable(exc.code):
            return error_page(503)
        if exc.busy:
            body, status = error_page(429)
            return Response(body, status, {"Retry-After": BUSY_RETRY_AFTER_SECONDS})
        if exc.code == grpc.StatusCode.UNAUTHENTICATED:
            web_session.end_session()
            flash("session_invalid", "info")
            return redirect(url_for("login.form"))
        status = http_status(exc.code)
        if status in (403, 404):
            return error_page(status)
        if 400 <= status < 500 and said(exc):
            return error_page(status, message=said(exc))
        return error_page(500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error", extra={"fields": {"endpoint": request.endpoint}})
        return error_page(500)

    return app
