"""The web session: the access and refresh tokens in Flask's signed, HttpOnly cookie, the access token
verified on every request and renewed with the refresh token shortly before it runs out, and a
session-bound CSRF token checked on every POST."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from fickan.identity.v1 import identity_pb2
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceError
from fickan_common.tokens import InvalidToken, Principal

log = logging.getLogger(__name__)

TOKEN = "token"
REFRESH = "refresh"
EXPIRES = "expires"  # when the access token runs out (epoch seconds)
LOGIN_MODE = "login_mode"
LOGIN_FAILED = "login_failed"  # the failed login's message, for the page the script goes to
RENEW_BEFORE = 120  # seconds before expiry the access token is renewed
NAME = "name"
# Inactivity: identity ends a session left unused (no refresh) for its idle limit, which it gives
# with every token pair. A page the resident loads (or "stay logged in") refreshes the session when
# the last such refresh is more than ACTIVITY_REFRESH seconds old, so the session ends at most that
# much earlier than IDLE after the resident's last activity, and exactly when the page says.
IDLE = "idle"  # the idle limit in seconds (0: unknown, no warning)
ACTIVE = "active"  # when the session was last refreshed because of the resident's activity (epoch)
ACTIVITY_REFRESH = 60
CSRF = "csrf"
LOGIN_ORDER = "login_order"
LOGIN_SECRET = "login_secret"  # the order's collect secret: with the order_ref, it collects the login
BROWSER = "browser"  # a random id of this browser, for identity's per-device login limit
AUTO_START = "auto_start"

CSRF_FIELD = "csrf_token"
# A one-time token in every form: a second POST of the same form (a double click, the back button)
# is a repeat of the same command, and the services answer it with the first answer.
FORM_TOKEN_FIELD = "form_token"

# InvalidToken.reason -> the text key shown on the login page.
REASON_TEXT = {
    "expired": "session_expired",
    "invalid": "session_invalid",
    "missing": "login_required",
    "revoked": "session_revoked",
    "idle": "session_idle",
}


def now() -> float:
    """The session's clock (one place, so a test can move it without moving the tokens' own)."""
    return time.time()


def services() -> Services:
    return current_app.extensions["fickan_services"]


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get(CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF] = token
    return token


def browser_key() -> str:
    """This browser as identity's per-device login limit sees it (a hash of a random id)."""
    browser = session.get(BROWSER)
    if not browser:
        browser = session[BROWSER] = secrets.token_urlsafe(16)
    return "web:" + hashlib.sha256(browser.encode()).hexdigest()[:32]


def form_token() -> str:
    return secrets.token_urlsafe(16)


def form_idempotency_key() -> str:
    """The idempotency key of this POST: its form's one-time token ("" when it has none)."""
    if request.method != "POST":
        return ""
    token = request.form.get(FORM_TOKEN_FIELD, "")
    return f"form:{token}" if 8 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum() else ""


def check_csrf() -> None:
    """Every POST must carry the session's CSRF token; 400 otherwise."""
    if request.method != "POST":
        return
    expected = session.get(CSRF)
    sent = request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="csrf")


def _renew(force: bool = False) -> bool:
    """Trade the refresh token for a new pair when the access token is about to run out (or now,
    `force`). Losing a race against a parallel request of the same browser is fine: the old token
    still holds. True when a new pair was taken."""
    refresh_token = session.get(REFRESH)
    if not refresh_token or (not force and now() < session.get(EXPIRES, 0) - RENEW_BEFORE):
        return False
    try:
        pair = services().identity.call("RefreshToken", identity_pb2.RefreshTokenRequest(refresh_token=refresh_token))
    except ServiceError as exc:
        if exc.code.name == "UNAUTHENTICATED":
            end_session()  # revoked, idle too long or past its absolute limit
        elif exc.code.name != "FAILED_PRECONDITION":
            log.warning("token renewal failed", extra={"fields": {"grpc_code": exc.code.name}})
        return False
    session[TOKEN], session[REFRESH] = pair.access_token, pair.refresh_token
    session[EXPIRES] = int(now()) + pair.expires_in
    if pair.idle_timeout:
        session[IDLE] = int(pair.idle_timeout)
    return True


def ends_in() -> int:
    """Seconds until the session ends for inactivity (0 when not logged in or not known)."""
    idle = session.get(IDLE, 0)
    if not session.get(TOKEN) or not idle:
        return 0
    return max(0, int(session.get(ACTIVE, 0) + idle - now()))


def _idle_over() -> bool:
    return bool(session.get(IDLE)) and now() >= session.get(ACTIVE, 0) + session[IDLE]


def _end_idle_session() -> None:
    """Past the idle limit: the session ends here and at identity too (its refresh token revoked), so
    a copy of the cookie taken before is worth nothing even before identity's own idle limit."""
    refresh_token = session.get(REFRESH, "")
    if refresh_token:
        try:
            services().identity.call("Logout", identity_pb2.LogoutRequest(refresh_token=refresh_token))
        except ServiceError:
            log.warning("idle logout could not reach identity; the session ends here and times out there")
    end_session()


def extend() -> bool:
    """The resident is here ("stay logged in"): the session is refreshed now (ends_in() then says
    how long it lasts). False when it has ended."""
    if not session.get(TOKEN) or _idle_over():
        _end_idle_session()
        return False
    if _renew(force=True):
        session[ACTIVE] = int(now())
    return bool(session.get(TOKEN))


def load_principal(passive: bool = False) -> None:
    """Verify the session's access token (if any), renewing it first when it is about to run out.
    An expired or invalid one ends the session, and so does inactivity past the idle limit; the
    reason is kept on g so that a page that needs a login can say why it sends you there. A request
    the resident made (not `passive`: not the live stream, not the page's own status checks) is
    activity and keeps the session alive."""
    g.principal = None
    g.auth_problem = None
    if not session.get(TOKEN):
        return
    if _idle_over():
        _end_idle_session()
        g.auth_problem = "idle"
        return
    if not passive and session.get(IDLE) and now() - session.get(ACTIVE, 0) > ACTIVITY_REFRESH:
        if _renew(force=True):
            session[ACTIVE] = int(now())
    else:
        _renew()
    token = session.get(TOKEN)
    if not token:
        g.auth_problem = "expired"
        return
    try:
        g.principal = current_app.extensions["fickan_verifier"].verify(token)
    except InvalidToken as exc:
        end_session()
        g.auth_problem = exc.reason


def start_session(token: str, refresh_token: str, expires_in: int, name: str, idle_timeout: int = 0) -> None:
    """A fresh session after login (new CSRF token: nothing from before the login carries over)."""
    session.clear()
    session[TOKEN] = token
    session[REFRESH] = refresh_token
    session[EXPIRES] = int(now()) + int(expires_in or 0)
    session[NAME] = name
    session[CSRF] = secrets.token_urlsafe(32)
    session[IDLE] = int(idle_timeout or 0)
    session[ACTIVE] = int(now())


def end_session() -> None:
    session.clear()


def to_login(reason: str | None) -> Response:
    flash(REASON_TEXT.get(reason or "missing", "login_required"), "info")
    return redirect(url_for("login.form"))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The page needs a logged-in resident; otherwise to the login page with the reason."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal: Principal | None = g.get("principal")
        if principal is None:
            return to_login(g.get("auth_problem"))
        if not principal.is_resident:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The page needs a logged-in staff member with one of `roles`; others get 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal: Principal | None = g.get("principal")
            if principal is None:
                return to_login(g.get("auth_problem"))
            if not any(principal.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def token() -> str:
    """The verified access token of the current request (only inside login_required views)."""
    return g.principal.token


def session_name() -> str:
    """The logged-in resident's name for the page header ("" when nobody is logged in)."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        return ""
    return principal.name or session.get(NAME, "")
