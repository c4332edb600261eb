"""The /v1 endpoints of the phone app. Thin: check, ask the services over gRPC, shape the answer."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import grpc
from flask import Response, current_app, g, request

from bff_mobile import schemas, texts
from bff_mobile.api import Api, Upload, UploadedFile, call
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
_SIGN_STATUS = {identity_pb.PENDING: "pending", identity_pb.FAILED: "failed", identity_pb.COMPLETE: "complete"}

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # the applications service's limit
MAX_FILENAME_LENGTH = 255
# What the applications service accepts (decided by the bytes); a download is only ever one of these.
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/heic", "application/pdf")
ATTACHMENT_UPLOAD = Upload(
    field="file",
    max_bytes=MAX_ATTACHMENT_BYTES,
    description="JPEG, PNG, HEIC or PDF (checked by the content, not the name), at most 10 MB.",
)
_UUID = re.compile(schemas.UUID)
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/;]')


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


def _summary(app: apps_pb.Application) -> dict[str, Any]:
    """A case in a list: no answers, no details."""
    return {
        "id": app.application_id,
        "kind": app.kind,
        "title": app.title,
        "status": app.status,
        "status_text": app.status_text,
        "submitted_at": _time(app, "submitted_at"),
        "version": app.version,
    }


def _answer(value: str) -> Any:
    """An answer as the app reads it: a repeating group (a JSON list of rows) or a file list (a JSON
    list of attachment ids) decoded into a list; every other answer is text, as it is."""
    if not value.startswith("["):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    if not isinstance(parsed, list):
        return value
    rows = all(isinstance(row, dict) and all(isinstance(v, str) for v in row.values()) for row in parsed)
    ids = all(isinstance(item, str) and _UUID.fullmatch(item) for item in parsed)
    return parsed if rows or ids else value


def _calculation(calculation: apps_pb.Calculation) -> dict[str, Any]:
    return {
        "year": calculation.year,
        "lines": [
            {
                "code": line.code,
                "label": line.label,
                "label_en": line.label_en,
                "amount": line.amount,
                "kind": line.kind,
                "estimated": line.estimated,
                "note": line.note,
                "adjusted": line.adjusted,
                "original": line.original,
                "reason": line.reason,
            }
            for line in calculation.lines
        ],
        "norm_total": calculation.norm_total,
        "costs_total": calculation.costs_total,
        "need_total": calculation.need_total,
        "income_total": calculation.income_total,
        "result": calculation.result,
        "estimated": calculation.estimated,
        "caveat": calculation.caveat,
    }


def _decision(decision: apps_pb.Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome,
        "outcome_text": decision.outcome_text,
        "outcome_text_en": decision.outcome_text_en,
        "amount": decision.amount,
        "reasons": decision.reasons,
        "appeal": decision.appeal,
        "appeal_en": decision.appeal_en,
        "decided_at": _time(decision, "decided_at"),
        "automatic": decision.automatic,
    }


def _attachment(attachment: apps_pb.Attachment) -> dict[str, Any]:
    return {
        "id": attachment.attachment_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": _time(attachment, "uploaded_at"),
    }


def _application(app: apps_pb.Application) -> dict[str, Any]:
    """The whole case as its resident may see it."""
    return {
        **_summary(app),
        "status_text_en": app.status_text_en,
        "form_version": app.form_version,
        "period": app.period or None,
        "answers": {name: _answer(value) for name, value in app.answers.items()},
        "created_at": _time(app, "created_at"),
        "timeline": [
            {
                "at": _time(entry, "at"),
                "status": entry.status,
                "text": entry.text,
                "text_en": entry.text_en,
                "actor": entry.actor,
            }
            for entry in app.timeline
        ],
        "calculation": _calculation(app.calculation) if app.HasField("calculation") else None,
        "decision": _decision(app.decision) if app.HasField("decision") else None,
        "completion_requests": [
            {
                "id": r.request_id,
                "items": list(r.items),
                "message": r.message,
                "due_date": r.due_date,
                "random_check": r.random_check,
                "answered": r.answered,
                "answer_text": r.answer_text,
                "answer_attachment_ids": list(r.answer_attachment_ids),
            }
            for r in app.completion_requests
        ],
        "attachments": [_attachment(a) for a in app.attachments],
        "next_action": app.next_action,
        "next_action_en": app.next_action_en,
        "payment_date": app.payment_date or None,
        "payment_amount": app.payment_amount if app.payment_date else None,
        "due_at": _time(app, "due_at"),
        "paid_at": _time(app, "paid_at"),
        "role": app.role,
        "awaiting_my_signature": app.awaiting_my_signature,
        "applicant_signed": app.applicant_signed,
        "co_applicant_signed": app.co_applicant_signed,
    }


def _definition(definition_json: str) -> dict[str, Any] | None:
    if not definition_json:
        return None
    try:
        definition = json.loads(definition_json)
    except ValueError:
        log.warning("form definition is not JSON")
        return None
    return definition if isinstance(definition, dict) else None


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice: plain ASCII for old clients, and UTF-8 (RFC 6266/8187)."""
    name = _UNSAFE_FILENAME.sub("_", filename).strip() or "bilaga"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "bilaga"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


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


# --- E-services, forms, periods and the provräkning (public) ------------------------------------
@api.route(
    "/e-services",
    "GET",
    summary="The municipality's e-services and their forms",
    description="Public: no login needed. Each e-service lists its forms and when to use each "
    '(e.g. "eb_grundansokan" the first time, "eb_lopande" every month).',
    tag="e-services",
    response=schemas.EServiceListSchema,
    public=True,
    errors=(503,),
)
def list_e_services() -> dict[str, Any]:
    answer = call(_services().applications, "ListEServices", apps_pb.ListEServicesRequest(), public=True)
    return {
        "e_services": [
            {
                "id": e.id,
                "title": e.title,
                "description": e.description,
                "forms": [{"kind": f.kind, "title": f.title, "when": f.when} for f in e.forms],
            }
            for e in answer.e_services
        ]
    }


@api.route(
    "/forms/<kind>",
    "GET",
    summary="The form of an e-service",
    description="Public: no login needed. `definition` is the whole form (steps, questions, conditions, rules, "
    "help); `fields` the questions as one flat list for simple clients. A draft keeps the form version it was "
    "made with: ask for that one with ?version=.",
    tag="e-services",
    query=schemas.FormQuerySchema,
    response=schemas.FormSchema,
    public=True,
    errors=(400, 404, 503),
)
def get_form(kind: str, query: dict[str, Any]) -> dict[str, Any]:
    form = call(
        _services().applications,
        "GetForm",
        apps_pb.GetFormRequest(kind=kind, version=query.get("version", 0)),
        public=True,
    )
    return {
        "kind": form.kind,
        "version": form.version,
        "title": form.title,
        "fields": [
            {"name": f.name, "type": f.type, "label": f.label, "help": f.help, "required": f.required}
            for f in form.fields
        ],
        "definition": _definition(form.definition_json),
        "period_bound": form.period_bound,
        "requires_signature": form.requires_signature,
    }


@api.route(
    "/periods/current",
    "GET",
    summary="When the monthly application can be handed in",
    description="Public: no login needed. Without ?period= the window open now, or the next one.",
    tag="e-services",
    query=schemas.PeriodQuerySchema,
    response=schemas.PeriodSchema,
    public=True,
    errors=(400, 404, 503),
)
def current_period(query: dict[str, Any]) -> dict[str, Any]:
    window = call(
        _services().applications, "GetPeriod", apps_pb.GetPeriodRequest(period=query.get("period", "")), public=True
    )
    return {
        "period": window.period,
        "opens": window.opens,
        "closes": window.closes,
        "open": window.open,
        "text": window.text,
        "payment_day": window.payment_day,
    }


@api.route(
    "/estimate",
    "POST",
    summary="Provräkning: an estimate of ekonomiskt bistånd — not a decision",
    description="Public: no login needed, nothing is saved. The answer is an ESTIMATE ONLY, NOT A DECISION and "
    "not an application: it applies this year's riksnorm to the household and the costs and incomes given. The "
    "municipality assesses the whole situation when someone applies (assets, other benefits, reasonable costs), "
    "so the real decision can differ. Always show `caveat` (Swedish) with the result. A result above 0 means the "
    "household might be entitled to about that much per month.",
    tag="e-services",
    body=schemas.EstimateRequestSchema,
    response=schemas.CalculationSchema,
    public=True,
    errors=(400, 503),
)
def estimate(body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.EstimateRequest(
        adults=body["adults"],
        children_ages=body["children_ages"],
        housing=body["housing"],
        electricity=body["electricity"],
        home_insurance=body["home_insurance"],
        work_travel=body["work_travel"],
        union_fee=body["union_fee"],
        akassa_fee=body["akassa_fee"],
        earned_income=body["earned_income"],
        other_income=body["other_income"],
    )
    return _calculation(call(_services().applications, "Estimate", request_message, public=True))


# --- My cases --------------------------------------------------------------------------------
_SIGNATURE_FIELDS = {"signature_id": "signatureId"}


def _case_call(method: str, message: Any, **kwargs: Any) -> dict[str, Any]:
    return _application(call(_services().applications, method, message, **kwargs))


@api.route(
    "/applications",
    "GET",
    summary="My cases (short: no answers)",
    tag="applications",
    response=schemas.ApplicationListSchema,
    errors=(503,),
)
def list_applications() -> dict[str, Any]:
    answer = call(_services().applications, "ListMyApplications", apps_pb.ListMyApplicationsRequest())
    return {"applications": [_summary(a) for a in answer.applications]}


@api.route(
    "/applications",
    "POST",
    summary="Start a draft application",
    description="A monthly form needs its period open (see GET /v1/periods/current) and is pre-filled from the "
    "previous case. 409 when the period is not open or there already is an application for it.",
    tag="applications",
    body=schemas.CreateApplicationSchema,
    response=schemas.ApplicationSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def create_application(body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.CreateDraftRequest(kind=body["kind"], period=body.get("period", ""))
    return _case_call("CreateDraft", request_message)


@api.route(
    "/applications/<application_id>",
    "GET",
    summary="One of my cases, whole: answers, timeline, calculation, decision, attachments, next step",
    tag="applications",
    response=schemas.ApplicationSchema,
    errors=(400, 404, 503),
)
def get_application(application_id: str) -> dict[str, Any]:
    return _case_call("GetApplication", apps_pb.GetApplicationRequest(application_id=application_id))


@api.route(
    "/applications/<application_id>/answers",
    "PUT",
    summary="Save answers to a draft",
    description="Send the version last read: if the case changed since (e.g. on another device) the answer is "
    "409 stale_version and nothing is saved; read the case again. Saving a case that waits for the "
    "co-applicant's signature makes it a draft again (the signatures no longer hold).",
    tag="applications",
    body=schemas.SaveAnswersSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def save_answers(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SaveAnswersRequest(
        application_id=application_id, answers=body["answers"], expected_version=body["version"]
    )
    return _case_call("SaveAnswers", request_message, field_prefix="answers.")


@api.route(
    "/applications/<application_id>/attachments",
    "POST",
    summary="Upload an attachment (a receipt, a statement) to my case",
    description="multipart/form-data with the file in the field `file`: JPEG, PNG, HEIC or PDF, decided by the "
    "content (not the name), at most 10 MB (413 above that). Then name its id in a file question's answer, or "
    "in a completion.",
    tag="applications",
    upload=ATTACHMENT_UPLOAD,
    response=schemas.AttachmentSchema,
    status=201,
    errors=(400, 404, 409, 413, 503),
)
def upload_attachment(application_id: str, upload: UploadedFile) -> dict[str, Any]:
    request_message = apps_pb.UploadAttachmentRequest(
        application_id=application_id, filename=upload.filename[:MAX_FILENAME_LENGTH], content=upload.content
    )
    stored = call(_services().applications, "UploadAttachment", request_message)
    # Never the name: file names often carry names or personnummer.
    log.info("attachment uploaded", extra={"fields": {"bytes": stored.size, "content_type": stored.content_type}})
    return _attachment(stored)


@api.route(
    "/applications/<application_id>/attachments/<attachment_id>",
    "GET",
    summary="Download an attachment of my case",
    tag="applications",
    binary=ATTACHMENT_TYPES,
    errors=(400, 404, 503),
)
def download_attachment(application_id: str, attachment_id: str) -> Response:
    request_message = apps_pb.GetAttachmentRequest(application_id=application_id, attachment_id=attachment_id)
    found = call(_services().applications, "GetAttachment", request_message)
    content_type = found.attachment.content_type
    response = Response(
        found.content, mimetype=content_type if content_type in ATTACHMENT_TYPES else "application/octet-stream"
    )
    response.headers["Content-Disposition"] = content_disposition(found.attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@api.route(
    "/applications/<application_id>/signing-text",
    "GET",
    summary="The text to sign with BankID for this version of the answers",
    tag="signing",
    response=schemas.SigningTextSchema,
    errors=(400, 404, 409, 503),
)
def signing_text(application_id: str) -> dict[str, Any]:
    text = call(
        _services().applications, "GetSigningText", apps_pb.GetSigningTextRequest(application_id=application_id)
    )
    return {"text": text.text, "version": text.version, "reference": text.reference}


@api.route(
    "/applications/<application_id>/sign/start",
    "POST",
    summary="Start signing the application with BankID on this phone",
    description="Signs the case's current signing text (GET …/signing-text). Open autoStartUrl on this phone or "
    "show qrData; then POST …/sign/collect every 2 s. The signature is for `version`: submit with it.",
    tag="signing",
    body=schemas.SignStartSchema,
    body_optional=True,
    response=schemas.SignStartedSchema,
    errors=(400, 404, 409, 429, 503),
)
def start_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    text = call(
        _services().applications, "GetSigningText", apps_pb.GetSigningTextRequest(application_id=application_id)
    )
    return_url = body.get("return_url", "")
    answer = call(
        _services().identity,
        "StartSign",
        identity_pb.StartSignRequest(
            user_visible_data=text.text,
            reference=text.reference,
            device=identity_pb.DEVICE_MOBILE,
            end_user_ip=request.remote_addr or "",
            return_url=return_url,
        ),
    )
    log.info("bankid signing started", extra={"fields": {"order_ref": answer.order_ref}})
    return {
        "order_ref": answer.order_ref,
        "auto_start_token": answer.auto_start_token,
        "auto_start_url": auto_start_url(answer.auto_start_token, return_url),
        "qr_data": answer.qr_data,
        "version": text.version,
    }


def _for_case(reference: str, application_id: str) -> bool:
    return reference == f"application:{application_id}" or reference.startswith(f"application:{application_id}:")


@api.route(
    "/applications/<application_id>/sign/collect",
    "POST",
    summary="Poll a BankID signing; when complete, the answer carries the signatureId",
    description=f"Poll every {COLLECT_INTERVAL_SECONDS} s while pending and show the new qrData each time. On "
    "complete: POST …/submit with {version, signatureId} (applicant) or …/co-sign with {signatureId} "
    "(co-applicant). 409 when the order signed another case.",
    tag="signing",
    body=schemas.SignOrderSchema,
    response=schemas.SignStatusSchema,
    errors=(400, 403, 404, 409, 503),
)
def collect_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = call(
        _services().identity,
        "CollectSign",
        identity_pb.CollectSignRequest(order_ref=body["order_ref"]),
    )
    status = _SIGN_STATUS.get(answer.status, "failed")
    if answer.reference and not _for_case(answer.reference, application_id):
        raise ApiError.of(409, "conflict", texts.SIGN_OTHER_CASE, {"orderRef": texts.SIGN_OTHER_CASE.sv})
    if status != "pending":
        log.info("bankid signing collected", extra={"fields": {"order_ref": body["order_ref"], "status": status}})
    return {
        "status": status,
        "hint_code": answer.hint_code,
        "message": answer.user_message,
        "message_en": answer.user_message_en,
        "qr_data": answer.qr_data if status == "pending" and answer.qr_data else None,
        "signature_id": answer.signature_id if status == "complete" and answer.signature_id else None,
    }


@api.route(
    "/applications/<application_id>/sign/cancel",
    "POST",
    summary="Cancel a pending BankID signing",
    tag="signing",
    body=schemas.SignOrderSchema,
    status=204,
    errors=(400, 403, 404, 503),
)
def cancel_signing(application_id: str, body: dict[str, Any]) -> None:
    call(
        _services().identity,
        "CancelSign",
        identity_pb.CancelSignRequest(order_ref=body["order_ref"]),
    )


@api.route(
    "/applications/<application_id>/submit",
    "POST",
    summary="Submit a draft",
    description="Forms that need signing (requiresSignature) take the signatureId of this version's BankID "
    "signature. With a co-applicant the case then waits in signature_pending until they sign (…/co-sign). "
    "400 lists unanswered questions under answers.<path>.",
    tag="applications",
    body=schemas.SubmitSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def submit_application(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SubmitRequest(
        application_id=application_id, expected_version=body["version"], signature_id=body.get("signature_id", "")
    )
    return _case_call("Submit", request_message, field_prefix="answers.", field_names=_SIGNATURE_FIELDS)


@api.route(
    "/applications/<application_id>/co-sign",
    "POST",
    summary="Sign as the co-applicant; then the case is submitted",
    tag="signing",
    body=schemas.CoSignSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 403, 404, 409, 503),
)
def co_sign(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SignRequest(application_id=application_id, signature_id=body["signature_id"])
    return _case_call("Sign", request_message, field_names=_SIGNATURE_FIELDS)


@api.route(
    "/applications/<application_id>/completion",
    "POST",
    summary="Answer the municipality's completion request (or random check)",
    description="A text and/or the ids of attachments uploaded to the case (POST …/attachments).",
    tag="applications",
    body=schemas.CompletionSchema,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def submit_completion(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SubmitCompletionRequest(
        application_id=application_id, text=body["text"], attachment_ids=body["attachment_ids"]
    )
    return _case_call("SubmitCompletion", request_message)


@api.route(
    "/applications/<application_id>/withdraw",
    "POST",
    summary="Take my application back (any time before a decision)",
    tag="applications",
    body=schemas.WithdrawSchema,
    body_optional=True,
    response=schemas.ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def withdraw_application(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.WithdrawRequest(application_id=application_id, reason=body.get("reason", ""))
    return _case_call("Withdraw", request_message)


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
