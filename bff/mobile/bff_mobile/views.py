"""The /v1 endpoints of the phone app. Thin: check, ask the services over gRPC, shape the answer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import grpc
from flask import current_app, g, request

from bff_mobile import schemas, texts
from bff_mobile.api import Api, call
from bff_mobile.errors import ApiError
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_bff.app import services_of
from fickan_bff.auth import verify_request_token
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

api = Api("mobile_v1", "/v1")

QUESTION_CHANNEL = "mobile"
COLLECT_INTERVAL_SECONDS = 2

_LOGIN_STATUS = {
    identity_pb.CollectLoginResponse.PENDING: "pending",
    identity_pb.CollectLoginResponse.FAILED: "failed",
    identity_pb.CollectLoginResponse.COMPLETE: "complete",
}


def _services() -> Services:
    return services_of(current_app)


def _time(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=UTC)


def _user(user: identity_pb.User) -> dict[str, Any]:
    return {"id": user.user_id, "name": user.name, "roles": list(user.roles)}


def auto_start_url(auto_start_token: str, return_url: str = "") -> str:
    """The link that opens BankID on this phone (BankID's documented form); without a return URL,
    redirect=null lets BankID return to the app that opened it."""
    redirect = quote(return_url, safe="") if return_url else "null"
    return f"bankid:///?autostarttoken={quote(auto_start_token, safe='')}&redirect={redirect}"


def _role_text(role: str) -> texts.Text:
    return texts.ROLES.get(role, texts.ROLE_OTHER)


def _device(entry: identity_pb.DeviceEntry) -> dict[str, Any]:
    return {
        "id": entry.device_id,
        "kind": entry.kind,
        "created_at": _time(entry, "created_at"),
        "last_used_at": _time(entry, "last_used_at"),
        "current": entry.current,
    }


def _access_entry(entry: identity_pb.AccessEntry) -> dict[str, Any]:
    role = _role_text(entry.actor_role)
    return {
        "at": _time(entry, "at"),
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "actor_role_text": role.sv,
        "actor_role_text_en": role.en,
        "actor_unit": entry.actor_unit,
        "action": entry.action,
        "resource": entry.resource,
        "description": entry.description,
        "reason": entry.reason,
    }


def _application(app: apps_pb.Application) -> dict[str, Any]:
    return {
        "id": app.application_id,
        "kind": app.kind,
        "title": app.title,
        "status": app.status,
        "status_text": app.status_text,
        "submitted_at": _time(app, "submitted_at"),
        "created_at": _time(app, "created_at"),
        "version": app.version,
        "answers": dict(app.answers),
    }


def _message(message: notes_pb.Message) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "subject": message.subject,
        "body": message.body,
        "read": message.read,
        "created_at": _time(message, "created_at"),
        "reference": message.reference,
    }


def _question(question: contact_pb.Question) -> dict[str, Any]:
    return {
        "id": question.question_id,
        "subject": question.subject,
        "body": question.body,
        "channel": question.channel,
        "status": question.status,
        "received_at": _time(question, "received_at"),
    }


# --- Logging in ------------------------------------------------------------------------------
@api.route(
    "/auth/bankid",
    "POST",
    summary="Start a BankID login on this phone",
    tag="auth",
    body=schemas.StartLoginSchema,
    response=schemas.LoginStartedSchema,
    public=True,
    errors=(400, 429, 503),
)
def start_login(body: dict[str, Any]) -> dict[str, Any]:
    return_url = body.get("return_url", "")
    answer = call(
        _services().identity,
        "StartLogin",
        identity_pb.StartLoginRequest(
            personal_number=body.get("personal_number", ""),
            device=identity_pb.DEVICE_MOBILE,
            end_user_ip=request.remote_addr or "",
            return_url=return_url,
        ),
        public=True,
    )
    # Never the personnummer: the order is enough to follow a login through the logs.
    log.info("bankid login started", extra={"fields": {"order_ref": answer.order_ref}})
    return {
        "order_ref": answer.order_ref,
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
    body=schemas.OrderRefSchema,
    response=schemas.LoginStatusSchema,
    public=True,
    errors=(400, 404, 503),
)
def collect_login(body: dict[str, Any]) -> dict[str, Any]:
    answer = call(
        _services().identity, "CollectLogin", identity_pb.CollectLoginRequest(order_ref=body["order_ref"]), public=True
    )
    status = _LOGIN_STATUS.get(answer.status, "failed")
    complete = status == "complete"
    if status != "pending":
        log.info(
            "bankid login collected",
            extra={"fields": {"order_ref": body["order_ref"], "status": status, "hint_code": answer.hint_code}},
        )
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
    body=schemas.OrderRefSchema,
    status=204,
    public=True,
    errors=(400, 404, 503),
)
def cancel_login(body: dict[str, Any]) -> None:
    call(_services().identity, "CancelLogin", identity_pb.CancelLoginRequest(order_ref=body["order_ref"]), public=True)


@api.route(
    "/auth/refresh",
    "POST",
    summary="A new access token (and the next refresh token) for a refresh token",
    description="Each refresh token works once; keep the new one. A refresh token used twice ends the whole "
    "session (someone copied it). 401 session_ended: log in with BankID again. 409 already_refreshed: another "
    "request of the app refreshed with the same token a moment ago; use the tokens it got.",
    tag="auth",
    body=schemas.RefreshSchema,
    response=schemas.TokensSchema,
    public=True,
    errors=(400, 401, 409, 503),
)
def refresh(body: dict[str, Any]) -> dict[str, Any]:
    request_message = identity_pb.RefreshTokenRequest(refresh_token=body["refresh_token"])
    try:
        answer = _services().identity.call("RefreshToken", request_message)
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
    body=schemas.LogoutSchema,
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
        call(_services().identity, "Logout", request_message, public=True)
    else:
        g.principal = verify_request_token()  # a 401 here if there is no (valid) token either
        call(_services().identity, "Logout", identity_pb.LogoutRequest())
    log.info("logged out", extra={"fields": {"with": "refresh_token" if refresh_token else "access_token"}})


@api.route("/me", "GET", summary="Who is logged in (from the token)", tag="auth", response=schemas.MeSchema)
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


# --- Devices and the watch ---------------------------------------------------------------------
@api.route(
    "/devices",
    "GET",
    summary="My logged-in devices and paired watches, last used first",
    tag="devices",
    response=schemas.DeviceListSchema,
    errors=(503,),
)
def list_devices() -> dict[str, Any]:
    answer = call(_services().identity, "ListMyDevices", identity_pb.ListMyDevicesRequest())
    return {"devices": [_device(d) for d in answer.devices]}


@api.route(
    "/devices/<device_id>",
    "DELETE",
    summary="Log out a device or unpair a watch",
    tag="devices",
    status=204,
    errors=(400, 404, 503),
)
def revoke_device(device_id: str) -> None:
    call(_services().identity, "RevokeDevice", identity_pb.RevokeDeviceRequest(device_id=device_id))
    log.info("device revoked", extra={"fields": {"kind": device_id.partition(":")[0]}})


@api.route(
    "/devices/watch",
    "POST",
    summary="Pair a watch: confirm the code it shows",
    description="The watch shows a code like BCDF-GHJK; send what the resident typed (any case, spaces and "
    "dashes are fine). 404: the code is wrong or has expired; 429: too many tries.",
    tag="devices",
    body=schemas.ConfirmWatchSchema,
    response=schemas.WatchPairedSchema,
    errors=(400, 404, 429, 503),
)
def confirm_watch(body: dict[str, Any]) -> dict[str, Any]:
    letters = "".join(ch for ch in body["user_code"].upper() if ch not in " -")
    code = f"{letters[:4]}-{letters[4:]}"  # as the watch shows it
    answer = call(_services().identity, "ConfirmWatchPairing", identity_pb.ConfirmWatchPairingRequest(user_code=code))
    log.info("watch pairing confirmed")
    return {"device_id": answer.device_id}


@api.route(
    "/access-log",
    "GET",
    summary="Who at the municipality read or changed my data",
    tag="privacy",
    query=schemas.AccessLogQuerySchema,
    response=schemas.AccessLogSchema,
    errors=(400, 503),
)
def access_log(query: dict[str, Any]) -> dict[str, Any]:
    request_message = identity_pb.ListMyAccessLogRequest(resource=query.get("resource", ""))
    answer = call(_services().identity, "ListMyAccessLog", request_message)
    return {"entries": [_access_entry(e) for e in answer.entries]}


# --- E-services and cases --------------------------------------------------------------------
@api.route(
    "/forms/<kind>",
    "GET",
    summary="The form of an e-service",
    tag="applications",
    response=schemas.FormSchema,
    errors=(400, 404, 503),
)
def get_form(kind: str) -> dict[str, Any]:
    form = call(_services().applications, "GetForm", apps_pb.GetFormRequest(kind=kind))
    return {
        "kind": form.kind,
        "version": form.version,
        "title": form.title,
        "fields": [
            {"name": f.name, "type": f.type, "label": f.label, "help": f.help, "required": f.required}
            for f in form.fields
        ],
    }


@api.route(
    "/applications",
    "GET",
    summary="My cases",
    tag="applications",
    response=schemas.ApplicationListSchema,
    errors=(503,),
)
def list_applications() -> dict[str, Any]:
    answer = call(_services().applications, "ListMyApplications", apps_pb.ListMyApplicationsRequest())
    return {"applications": [_application(a) for a in answer.applications]}


@api.route(
    "/applications",
    "POST",
    summary="Start a draft application",
    tag="applications",
    body=schemas.CreateApplicationSchema,
    response=schemas.ApplicationSchema,
    status=201,
    errors=(400, 404, 503),
)
def create_application(body: dict[str, Any]) -> dict[str, Any]:
    draft = call(_services().applications, "CreateDraft", apps_pb.CreateDraftRequest(kind=body["kind"]))
    return _application(draft)


@api.route(
    "/applications/<application_id>",
    "GET",
    summary="One of my cases",
    tag="applications",
    response=schemas.ApplicationSchema,
    errors=(400, 404, 503),
)
def get_application(application_id: str) -> dict[str, Any]:
    app = call(_services().applications, "GetApplication", apps_pb.GetApplicationRequest(application_id=application_id))
    return _application(app)


@api.route(
    "/applications/<application_id>/answers",
    "PUT",
    summary="Save answers to a draft",
    tag="applications",
    body=schemas.SaveAnswersSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def save_answers(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    app = call(
        _services().applications,
        "SaveAnswers",
        apps_pb.SaveAnswersRequest(
            application_id=application_id, answers=body["answers"], expected_version=body["version"]
        ),
        field_prefix="answers.",
    )
    return _application(app)


@api.route(
    "/applications/<application_id>/submit",
    "POST",
    summary="Submit a draft",
    tag="applications",
    body=schemas.SubmitSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def submit_application(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    app = call(
        _services().applications,
        "Submit",
        apps_pb.SubmitRequest(application_id=application_id, expected_version=body["version"]),
        field_prefix="answers.",
    )
    return _application(app)


# --- Inbox and questions ---------------------------------------------------------------------
@api.route(
    "/inbox",
    "GET",
    summary="My messages and how many are unread",
    tag="inbox",
    query=schemas.InboxQuerySchema,
    response=schemas.InboxSchema,
    errors=(400, 503),
)
def inbox(query: dict[str, Any]) -> dict[str, Any]:
    notifications = _services().notifications
    messages = call(notifications, "ListMessages", notes_pb.ListMessagesRequest(limit=query["limit"]))
    unread = call(notifications, "GetUnreadCount", notes_pb.GetUnreadCountRequest())
    return {"messages": [_message(m) for m in messages.messages], "unread": unread.unread}


@api.route(
    "/inbox/<message_id>/read",
    "POST",
    summary="Mark a message read",
    tag="inbox",
    response=schemas.MessageSchema,
    errors=(400, 404, 503),
)
def mark_read(message_id: str) -> dict[str, Any]:
    message = call(_services().notifications, "MarkRead", notes_pb.MarkReadRequest(message_id=message_id))
    return _message(message)


@api.route(
    "/questions",
    "POST",
    summary="Ask the contact centre a question",
    tag="questions",
    body=schemas.AskQuestionSchema,
    response=schemas.QuestionSchema,
    status=201,
    errors=(400, 429, 503),
)
def ask_question(body: dict[str, Any]) -> dict[str, Any]:
    question = call(
        _services().contact,
        "AskQuestion",
        contact_pb.AskQuestionRequest(subject=body["subject"], body=body["body"], channel=QUESTION_CHANNEL),
    )
    return _question(question)


@api.route(
    "/questions",
    "GET",
    summary="My questions to the contact centre",
    tag="questions",
    response=schemas.QuestionListSchema,
    errors=(503,),
)
def list_questions() -> dict[str, Any]:
    answer = call(_services().contact, "ListMyQuestions", contact_pb.ListMyQuestionsRequest())
    return {"questions": [_question(q) for q in answer.questions]}
