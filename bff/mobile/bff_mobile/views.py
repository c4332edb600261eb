"""The /v1 endpoints of the phone app. Thin: check, ask the services over gRPC, shape the answer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request

from bff_mobile import schemas
from bff_mobile.api import Api, call
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_bff.app import services_of
from fickan_bff.clients import Services

log = logging.getLogger(__name__)

api = Api("mobile_v1", "/v1")

QUESTION_CHANNEL = "mobile"

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
    answer = call(
        _services().identity,
        "StartLogin",
        identity_pb.StartLoginRequest(
            personal_number=body["personal_number"],
            device=identity_pb.DEVICE_MOBILE,
            end_user_ip=request.remote_addr or "",
        ),
        public=True,
    )
    # Never the personnummer: the order is enough to follow a login through the logs.
    log.info("bankid login started", extra={"fields": {"order_ref": answer.order_ref}})
    return {"order_ref": answer.order_ref, "auto_start_token": answer.auto_start_token, "qr_data": answer.qr_data}


@api.route(
    "/auth/collect",
    "POST",
    summary="Poll a BankID login; when complete, the answer carries the access token",
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
        "qr_data": answer.qr_data if status == "pending" and answer.qr_data else None,
        "access_token": answer.access_token if complete else None,
        "expires_in": answer.expires_in if complete else None,
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


@api.route("/me", "GET", summary="Who is logged in (from the token)", tag="auth", response=schemas.MeSchema)
def me() -> dict[str, Any]:
    principal = g.principal
    return {"id": principal.user_id, "name": principal.name, "roles": list(principal.roles), "device": principal.device}


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
