"""BankID login without JavaScript: the personnummer goes in a POST body, the order reference stays
in the session, and a waiting page refreshes itself (meta refresh) while it collects the order."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from bff_web import session as web_session
from bff_web.i18n import t
from fickan.identity.v1 import identity_pb2
from fickan_common.grpc_client import ServiceError
from fickan_common.tokens import InvalidToken

log = logging.getLogger(__name__)

bp = Blueprint("login", __name__)

# 12 digits (or 10), optionally with - or + before the last four. Identity checks it properly.
_PERSONAL_NUMBER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")
COLLECT = identity_pb2.CollectLoginResponse


def _render_form(value: str = "", error: str = "", status: int = 200) -> tuple[str, int]:
    return render_template("login.html", value=value, error=error), status


@bp.get("/logga-in")
def form() -> Response | tuple[str, int]:
    if g.principal is not None:
        return redirect(url_for("pages.overview"))
    return _render_form()


@bp.post("/logga-in")
def start() -> Response | tuple[str, int]:
    personal_number = re.sub(r"\s", "", request.form.get("personal_number", ""))
    if not personal_number:
        return _render_form(personal_number, t("login_pnr_missing"), 400)
    if not _PERSONAL_NUMBER.match(personal_number):
        return _render_form(personal_number, t("login_pnr_invalid"), 400)
    try:
        order = web_session.services().identity.call(
            "StartLogin",
            identity_pb2.StartLoginRequest(
                personal_number=personal_number,
                device=identity_pb2.DEVICE_WEB,
                end_user_ip=request.remote_addr or "",
            ),
        )
    except ServiceError as exc:
        if exc.field_errors or exc.code.name == "INVALID_ARGUMENT":
            message = exc.field_errors.get("personal_number") or exc.message or t("login_pnr_invalid")
            return _render_form(personal_number, message, 400)
        raise
    # Never log the personnummer (nor the order reference, which could be collected with).
    log.info("login started")
    session[web_session.LOGIN_ORDER] = order.order_ref
    session[web_session.AUTO_START] = order.auto_start_token
    return redirect(url_for("login.waiting"))


@bp.get("/logga-in/vantar")
def waiting() -> Response | tuple[str, int]:
    order_ref = session.get(web_session.LOGIN_ORDER)
    if not order_ref:
        flash("login_no_order", "info")
        return redirect(url_for("login.form"))
    answer = web_session.services().identity.call("CollectLogin", identity_pb2.CollectLoginRequest(order_ref=order_ref))
    if answer.status == COLLECT.COMPLETE:
        try:
            principal = current_app.extensions["fickan_verifier"].verify(answer.access_token)
        except InvalidToken:
            web_session.end_session()
            return render_template("login_failed.html", message=t("login_failed_default")), 200
        web_session.start_session(answer.access_token, answer.user.name or principal.name)
        log.info("login complete", extra={"fields": {"user_id": principal.user_id}})
        return redirect(url_for("pages.overview"))
    if answer.status == COLLECT.PENDING:
        return (
            render_template(
                "login_waiting.html",
                message=answer.user_message,
                auto_start_token=session.get(web_session.AUTO_START, ""),
            ),
            200,
        )
    session.pop(web_session.LOGIN_ORDER, None)
    session.pop(web_session.AUTO_START, None)
    log.info("login failed", extra={"fields": {"hint_code": answer.hint_code}})
    return render_template("login_failed.html", message=answer.user_message or t("login_failed_default")), 200


@bp.post("/logga-in/avbryt")
def cancel() -> Response:
    order_ref = session.pop(web_session.LOGIN_ORDER, None)
    session.pop(web_session.AUTO_START, None)
    if order_ref:
        try:
            web_session.services().identity.call("CancelLogin", identity_pb2.CancelLoginRequest(order_ref=order_ref))
        except ServiceError:
            pass  # the order times out by itself at BankID; the resident is done with it either way
    flash("login_cancelled", "info")
    return redirect(url_for("login.form"))


@bp.post("/logga-ut")
def logout() -> Response:
    web_session.end_session()
    flash("logged_out", "info")
    return redirect(url_for("pages.start"))
