"""Logging in with BankID, tokens, logging out, and who is logged in."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import grpc
from flask import g, request

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.errors import ApiError
from bff_mobile.schemas.auth import (
    LoginStartedSchema,
    LoginStatusSchema,
    LogoutSchema,
    MeSchema,
    OrderRefSchema,
    RefreshSchema,
    StartLoginSchema,
    TokensSchema,
)
from bff_mobile.views.common import COLLECT_INTERVAL_SECONDS, api, auto_start_url, services
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_bff.auth import verify_request_token
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

_LOGIN_STATUS = {
    identity_pb.CollectLoginResponse.PENDING: "pending",
    identity_pb.CollectLoginResponse.FAILED: "failed",
    identity_pb.CollectLoginResponse.COMPLETE: "complete",
}


def client_key() -> str:
    """The phone as identity's per-device login limit sees it: a hash of the app's installation id
    (the X-Device-Id header, when the app sends one), never anything about the person."""
    device_id = request.headers.get("X-Device-Id", "")[:200]
    return "mobile:" + hashlib.sha256(device_id.encode()).hexdigest()[:32] if device_id else ""


def _user(user: identity_pb.User) -> dict[str, Any]:
    return {"id": user.user_id, "name": user.name, "roles": list(user.roles)}


# --- Logging in ------------------------------------------------------------------------------
@api.route(
    "/auth/bankid",
    "POST",
    summary="Start a BankID login on this phone",
    tag="auth",
    body=StartLoginSchema,
    response=LoginStartedSchema,
    public=True,
    errors=(400, 429, 503),
)
def start_login(body: dict[str, Any]) -> dict[str, Any]:
    return_url = body.get("return_url", "")
    answer = call(
        services().identity,
        "StartLogin",
        identity_pb.StartLoginRequest(
            personal_number=body.get("personal_number", ""),
            device=identity_pb.DEVICE_MOBILE,
            end_user_ip=request.remote_addr or "",
            return_url=return_url,
            client_key=client_key(),
        ),
        public=True,
    )
    # Never the personnummer, never the order reference (with its secret it collects the login).
    log.info("bankid login started", extra={"fields": {"same_device": bool(return_url)}})
    return {
        "order_ref": answer.order_ref,
        "collect_secret": answer.collect_secret,
        "auto_start_token": answer.auto_start_token,
        "auto_start_url": auto_start_url(answer.auto_start_token, return_url),
        "qr_data": answer.qr_data,
    }


@api.route(
    "/auth/collect",
    "POST",
    summary="Poll a BankID login; when complete, the answer carries the access and refresh tokens",
    description=f"Poll every {COLLECT_INTERVAL_SECONDS} s while the status is pending, and show the new qrData each "
    "time (the QR code is animated). Identity asks BankID at most every 2 s; faster polls get the last known "
    "status. Show message (Swedish) or messageEn (English) to the person.",
    tag="auth",
    body=OrderRefSchema,
    response=LoginStatusSchema,
    public=True,
    errors=(400, 404, 429, 503),
)
def collect_login(body: dict[str, Any]) -> dict[str, Any]:
    answer = call(
        services().identity,
        "CollectLogin",
        identity_pb.CollectLoginRequest(
            order_ref=body["order_ref"], collect_secret=body["collect_secret"], end_user_ip=request.remote_addr or ""
        ),
        public=True,
    )
    status = _LOGIN_STATUS.get(answer.status, "failed")
    complete = status == "complete"
    if status != "pending":
        log.info("bankid login collected", extra={"fields": {"status": status, "hint_code": answer.hint_code}})
    return {
        "status": status,
        "hint_code": answer.hint_code,
        "message": answer.user_message,
        "message_en": answer.user_message_en,
        "qr_data": answer.qr_data if status == "pending" and answer.qr_data else None,
        "access_token": answer.access_token if complete else None,
        "expires_in": answer.expires_in if complete else None,
        "refresh_token": answer.refresh_token if complete and answer.refresh_token else None,
        "user": _user(answer.user) if complete and answer.HasField("user") else None,
    }


@api.route(
    "/auth/cancel",
    "POST",
    summary="Cancel a pending BankID login",
    tag="auth",
    body=OrderRefSchema,
    status=204,
    public=True,
    errors=(400, 404, 429, 503),
)
def cancel_login(body: dict[str, Any]) -> None:
    cancel = identity_pb.CancelLoginRequest(
        order_ref=body["order_ref"], collect_secret=body["collect_secret"], end_user_ip=request.remote_addr or ""
    )
    call(services().identity, "CancelLogin", cancel, public=True)


@api.route(
    "/auth/refresh",
    "POST",
    summary="A new access token (and the next refresh token) for a refresh token",
    description="Each refresh token works once; keep the new one. A refresh token used twice ends the whole "
    "session (someone copied it). 401 session_ended: log in with BankID again. 409 already_refreshed: another "
    "request of the app refreshed with the same token a moment ago; use the tokens it got.",
    tag="auth",
    body=RefreshSchema,
    response=TokensSchema,
    public=True,
    errors=(400, 401, 409, 503),
)
def refresh(body: dict[str, Any]) -> dict[str, Any]:
    request_message = identity_pb.RefreshTokenRequest(refresh_token=body["refresh_token"])
    try:
        answer = services().identity.call("RefreshToken", request_message)
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.UNAUTHENTICATED:
            error = ApiError.of(401, "session_ended", texts.SESSION_ENDED)
            error.headers["WWW-Authenticate"] = 'Bearer realm="fickan", error="invalid_token"'
            raise error from None
        if exc.code == grpc.StatusCode.FAILED_PRECONDITION:
            raise ApiError.of(409, "already_refreshed", texts.ALREADY_REFRESHED) from None
        raise
    return {"access_token": answer.access_token, "expires_in": answer.expires_in, "refresh_token": answer.refresh_token}


@api.route(
    "/auth/logout",
    "POST",
    summary="Log out: end the session of the refresh token, or of the bearer token",
    description="Send the refresh token in the body (no Authorization needed), or no body and the access token "
    "as the bearer token. Logging out twice is not an error. Then forget both tokens.",
    tag="auth",
    body=LogoutSchema,
    status=204,
    public=True,
    body_optional=True,
    bearer_optional=True,
    errors=(400, 401, 503),
)
def logout(body: dict[str, Any]) -> None:
    refresh_token = body.get("refresh_token", "")
    if refresh_token:
        request_message = identity_pb.LogoutRequest(refresh_token=refresh_token)
        call(services().identity, "Logout", request_message, public=True)
    else:
        g.principal = verify_request_token()  # a 401 here if there is no (valid) token either
        call(services().identity, "Logout", identity_pb.LogoutRequest())
    log.info("logged out", extra={"fields": {"with": "refresh_token" if refresh_token else "access_token"}})


@api.route("/me", "GET", summary="Who is logged in (from the token)", tag="auth", response=MeSchema)
def me() -> dict[str, Any]:
    principal = g.principal
    answer = {
        "id": principal.user_id,
        "name": principal.name,
        "roles": list(principal.roles),
        "device": principal.device,
    }
    if principal.unit:
        answer["unit"] = principal.unit
    return answer
