"""The resident's web session: the access token in Flask's signed cookie, verified on every request,
and a session-bound CSRF token checked on every POST."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from fickan_bff.clients import Services
from fickan_common.tokens import InvalidToken, Principal

TOKEN = "token"
NAME = "name"
CSRF = "csrf"
LOGIN_ORDER = "login_order"
AUTO_START = "auto_start"

CSRF_FIELD = "csrf_token"

# InvalidToken.reason -> the text key shown on the login page.
REASON_TEXT = {"expired": "session_expired", "invalid": "session_invalid", "missing": "login_required"}


def services() -> Services:
    return current_app.extensions["fickan_services"]


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get(CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF] = token
    return token


def check_csrf() -> None:
    """Every POST must carry the session's CSRF token; 400 otherwise."""
    if request.method != "POST":
        return
    expected = session.get(CSRF)
    sent = request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="csrf")


def load_principal() -> None:
    """Verify the session's access token (if any). An expired or invalid one ends the session;
    the reason is kept on g so that a page that needs a login can say why it sends you there."""
    g.principal = None
    g.auth_problem = None
    token = session.get(TOKEN)
    if not token:
        return
    try:
        g.principal = current_app.extensions["fickan_verifier"].verify(token)
    except InvalidToken as exc:
        end_session()
        g.auth_problem = exc.reason


def start_session(token: str, name: str) -> None:
    """A fresh session after login (new CSRF token: nothing from before the login carries over)."""
    session.clear()
    session[TOKEN] = token
    session[NAME] = name
    session[CSRF] = secrets.token_urlsafe(32)


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


def token() -> str:
    """The verified access token of the current request (only inside login_required views)."""
    return g.principal.token


def session_name() -> str:
    """The logged-in resident's name for the page header ("" when nobody is logged in)."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        return ""
    return principal.name or session.get(NAME, "")
