"""BankID login as BankID's guidelines describe it: the animated QR code (for BankID on another device)
or "open BankID on this device" (same-device start with the autostart token and a return address).

Without JavaScript the waiting page reloads itself every second (each load shows the QR code of that
second); with JavaScript a small script asks /logga-in/status every second instead. Either way
identity asks BankID at most every 2 s. The personnummer, when someone gives it, travels in a POST
body only; the order reference stays in the session cookie, never in a URL.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import quote

import segno
from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from bff_web import session as web_session
from bff_web.i18n import said, said_fields, t
from bff_web.views import service_messages
from fickan.identity.v1 import identity_pb2
from fickan_common.grpc_client import ServiceError
from fickan_common.tokens import InvalidToken

log = logging.getLogger(__name__)

bp = Blueprint("login", __name__)

# 12 digits (or 10), optionally with - or + before the last four. Identity checks it properly.
_PERSONAL_NUMBER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")
COLLECT = identity_pb2.CollectLoginResponse
MODES = ("qr", "same_device")


def _render_form(value: str = "", error: str = "", status: int = 200) -> tuple[str, int]:
    disrupted = service_messages.bankid_disrupted()
    return render_template("login.html", value=value, error=error, bankid_disrupted=disrupted), status


def qr_svg(content: str) -> Markup:
    """The QR code as inline SVG (no image request, allowed by the page's CSP)."""
    if not content:
        return Markup("")
    svg = segno.make(content, error="l").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return Markup(svg)


def autostart_link(token: str) -> str:
    """bankid:/// with the autostart token; redirect=null because identity gave BankID the return
    address (returnUrl), which the app opens when the person is done."""
    return f"bankid:///?autostarttoken={quote(token, safe='')}&redirect=null"


def _test_hint() -> str:
    """Where testers open the BankID simulator (set only on test platforms)."""
    return str(current_app.extensions["bff_web_settings"].bankid_simulator_url)


@bp.get("/logga-in")
def form() -> Response | tuple[str, int]:
    if g.principal is not None:
        return redirect(url_for("pages.overview"))
    return _render_form()


@bp.post("/logga-in")
def start() -> Response | tuple[str, int]:
    mode = request.form.get("mode", "qr")
    if mode not in MODES:
        mode = "qr"
    personal_number = re.sub(r"\s", "", request.form.get("personal_number", ""))[:20]
    if personal_number and not _PERSONAL_NUMBER.match(personal_number):
        return _render_form(personal_number, t("login_pnr_invalid"), 400)
    return_url = url_for("login.waiting", _external=True) if mode == "same_device" else ""
    try:
        order = web_session.services().identity.call(
            "StartLogin",
            identity_pb2.StartLoginRequest(
                personal_number=personal_number,
                device=identity_pb2.DEVICE_WEB,
                end_user_ip=request.remote_addr or "",
                return_url=return_url,
                client_key=web_session.browser_key(),
            ),
        )
    except ServiceError as exc:
        if said_fields(exc) or exc.code.name == "INVALID_ARGUMENT":
            message = said_fields(exc).get("personal_number") or said(exc) or t("login_pnr_invalid")
            return _render_form(personal_number, message, 400)
        if exc.code.name in ("FAILED_PRECONDITION", "RESOURCE_EXHAUSTED"):
            return _render_form(personal_number, said(exc), 429 if "EXHAUSTED" in exc.code.name else 409)
        if exc.code.name == "UNAVAILABLE" and service_messages.bankid_disrupted():
            # BankID itself is down: the login page says so, instead of a bare error page.
            return _render_form(personal_number, "", 503)
        raise
    # Never log the personnummer (nor the order reference, which could be collected with).
    log.info("login started", extra={"fields": {"mode": mode}})
    session[web_session.LOGIN_ORDER] = order.order_ref
    session[web_session.LOGIN_SECRET] = order.collect_secret
    session[web_session.AUTO_START] = order.auto_start_token
    session[web_session.LOGIN_MODE] = mode
    return redirect(url_for("login.waiting"))


def _collect() -> tuple[str, Any]:
    """Collects the session's login: ("complete" | "pending" | "failed" | "none", answer)."""
    order_ref = session.get(web_session.LOGIN_ORDER)
    if not order_ref:
        return "none", None
    try:
        answer = web_session.services().identity.call(
            "CollectLogin",
            identity_pb2.CollectLoginRequest(
                order_ref=order_ref,
                collect_secret=session.get(web_session.LOGIN_SECRET, ""),
                end_user_ip=request.remote_addr or "",
            ),
        )
    except ServiceError as exc:
        if exc.code.name in ("NOT_FOUND", "INVALID_ARGUMENT"):
            _forget_order()
            return "failed", None
        raise
    if answer.status == COLLECT.COMPLETE:
        try:
            principal = current_app.extensions["fickan_verifier"].verify(answer.access_token)
        except InvalidToken:
            web_session.end_session()
            return "failed", None
        web_session.start_session(
            answer.access_token,
            answer.refresh_token,
            answer.expires_in,
            answer.user.name or principal.name,
            answer.idle_timeout,
        )
        log.info("login complete", extra={"fields": {"user_id": principal.user_id}})
        return "complete", answer
    if answer.status == COLLECT.PENDING:
        return "pending", answer
    _forget_order()
    log.info("login failed", extra={"fields": {"hint_code": answer.hint_code}})
    return "failed", answer


def _forget_order() -> None:
    for key in (web_session.LOGIN_ORDER, web_session.LOGIN_SECRET, web_session.AUTO_START, web_session.LOGIN_MODE):
        session.pop(key, None)


def _message(answer: Any) -> str:
    if answer is None:
        return t("login_failed_default")
    if g.get("lang") == "en" and answer.user_message_en:
        return answer.user_message_en
    return answer.user_message or t("login_failed_default")


@bp.get("/logga-in/vantar")
def waiting() -> Response | tuple[str, int]:
    state, answer = _collect()
    if state == "none":
        flash("login_no_order", "info")
        return redirect(url_for("login.form"))
    if state == "complete":
        return redirect(url_for("pages.overview"))
    if state == "failed":
        return render_template("login_failed.html", message=_message(answer)), 200
    mode = session.get(web_session.LOGIN_MODE, "qr")
    token = session.get(web_session.AUTO_START, "")
    return (
        render_template(
            "login_waiting.html",
            message=_message(answer),
            mode=mode,
            qr=qr_svg(answer.qr_data) if mode == "qr" else Markup(""),
            qr_data=answer.qr_data if mode == "qr" else "",
            autostart=autostart_link(token) if token else "",
            simulator_url=_test_hint(),
            started=int(time.time()),
        ),
        200,
    )


@bp.get("/logga-in/status")
def status() -> Response:
    """The waiting page's script asks this every second: the status, the text and the QR code."""
    state, answer = _collect()
    body: dict[str, Any] = {"status": state if state != "none" else "failed"}
    if state == "complete":
        body["next"] = url_for("pages.overview")
    elif state == "pending":
        body.update(message=_message(answer), qr=str(qr_svg(answer.qr_data)), qrData=answer.qr_data)
    else:
        session[web_session.LOGIN_FAILED] = _message(answer)
        body.update(message=_message(answer), next=url_for("login.failed"))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/logga-in/misslyckades")
def failed() -> tuple[str, int]:
    message = session.pop(web_session.LOGIN_FAILED, "") or t("login_failed_default")
    return render_template("login_failed.html", message=message), 200


@bp.post("/logga-in/avbryt")
def cancel() -> Response:
    order_ref = session.get(web_session.LOGIN_ORDER)
    secret = session.get(web_session.LOGIN_SECRET, "")
    _forget_order()
    if order_ref:
        try:
            cancel = identity_pb2.CancelLoginRequest(
                order_ref=order_ref, collect_secret=secret, end_user_ip=request.remote_addr or ""
            )
            web_session.services().identity.call("CancelLogin", cancel)
        except ServiceError:
            pass  # the order times out by itself at BankID; the resident is done with it either way
    flash("login_cancelled", "info")
    return redirect(url_for("login.form"))


@bp.post("/logga-ut")
def logout() -> Response:
    refresh_token = session.get(web_session.REFRESH, "")
    if refresh_token:
        try:
            web_session.services().identity.call("Logout", identity_pb2.LogoutRequest(refresh_token=refresh_token))
        except ServiceError:
            log.warning("logout could not reach identity; the session ends here and times out there")
    principal = g.get("principal")
    feed = web_session.services().revocations
    if principal is not None and feed is not None:
        # At once in this process; the other processes hear it from identity's session_revoked.
        feed.revoke(principal.session_id)
    web_session.end_session()
    if request.form.get("reason") == "idle":
        # The page's script logs out a resident who did not answer "stay logged in"; it saved the
        # step being filled in first, and says whether that worked.
        flash("session_idle_saved" if request.form.get("saved") == "1" else "session_idle", "info")
        return redirect(url_for("login.form"))
    flash("logged_out", "info")
    return redirect(url_for("pages.start"))


@bp.get("/sessionen")
def session_status() -> Response:
    """How long the session lasts without activity (the page's script asks before it warns: another
    tab may have kept the session alive). Asking is not activity."""
    logged_in = g.principal is not None
    body = {"logged_in": logged_in, "ends_in": web_session.ends_in() if logged_in else 0}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sessionen/forlang")
def stay_logged_in() -> Response | tuple[Response, int]:
    """ "Stay logged in": the session is refreshed now. The script gets JSON; without it, the form
    goes back to the page it came from."""
    alive = g.principal is not None and web_session.extend()
    if request.accept_mimetypes.best == "application/json":
        response = jsonify({"logged_in": alive, "ends_in": web_session.ends_in() if alive else 0})
        response.headers["Cache-Control"] = "no-store"
        return (response, 200) if alive else (response, 401)
    if not alive:
        return web_session.to_login(g.get("auth_problem") or "idle")
    back = request.form.get("next", "")
    flash("session_extended", "success")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("pages.overview"))
