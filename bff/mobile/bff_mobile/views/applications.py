"""My cases: drafts, answers, attachments, submitting, completions and withdrawal."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from flask import Response

from bff_mobile.api import Upload, UploadedFile, call
from bff_mobile.schemas.applications import (
    ApplicationListSchema,
    ApplicationSchema,
    AttachmentSchema,
    CompletionSchema,
    CreateApplicationSchema,
    SaveAnswersSchema,
    SubmitSchema,
    WithdrawSchema,
)
from bff_mobile.schemas.common import UUID
from bff_mobile.views.common import api, services, time_of
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan_bff import case_status
from fickan_common import limits

log = logging.getLogger(__name__)

# What the applications service accepts (its contract's limits); a download is only ever one of these.
_UPLOAD = limits.of(apps_pb.UploadAttachmentRequest, "content")
MAX_ATTACHMENT_BYTES = _UPLOAD.max_length or 0
ATTACHMENT_TYPES = _UPLOAD.content_types
MAX_FILENAME_LENGTH = limits.of(apps_pb.UploadAttachmentRequest, "filename").max_length or 0
ATTACHMENT_UPLOAD = Upload(
    field="file",
    max_bytes=MAX_ATTACHMENT_BYTES,
    description=f"{', '.join(t.split('/')[1].upper() for t in ATTACHMENT_TYPES)} (checked by the content, not the "
    f"name), at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
)
_UUID = re.compile(UUID)
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/;]')


def _summary(app: apps_pb.Application) -> dict[str, Any]:
    """A case in a list: no answers, no details."""
    return {
        "id": app.application_id,
        "kind": app.kind,
        "title": app.title,
        "status": case_status.name(app.status),
        "status_text": app.status_text,
        "submitted_at": time_of(app, "submitted_at"),
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


def calculation_body(calculation: apps_pb.Calculation) -> dict[str, Any]:
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
        "decided_at": time_of(decision, "decided_at"),
        "automatic": decision.automatic,
    }


def _attachment(attachment: apps_pb.Attachment) -> dict[str, Any]:
    return {
        "id": attachment.attachment_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": time_of(attachment, "uploaded_at"),
    }


def _application(app: apps_pb.Application) -> dict[str, Any]:
    """The whole case as its resident may see it."""
    return {
        **_summary(app),
        "status_text_en": app.status_text_en,
        "form_version": app.form_version,
        "period": app.period or None,
        "answers": {name: _answer(value) for name, value in app.answers.items()},
        "created_at": time_of(app, "created_at"),
        "timeline": [
            {
                "at": time_of(entry, "at"),
                "status": case_status.name(entry.status),
                "text": entry.text,
                "text_en": entry.text_en,
                "actor": entry.actor,
            }
            for entry in app.timeline
        ],
        "calculation": calculation_body(app.calculation) if app.HasField("calculation") else None,
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
                "open_for_resident": r.open_for_resident,
                "overdue": r.overdue,
            }
            for r in app.completion_requests
        ],
        "attachments": [_attachment(a) for a in app.attachments],
        "next_action": app.next_action,
        "next_action_en": app.next_action_en,
        "payment_date": app.payment_date or None,
        "payment_amount": app.payment_amount if app.payment_date else None,
        "due_at": time_of(app, "due_at"),
        "paid_at": time_of(app, "paid_at"),
        "role": app.role,
        "awaiting_my_signature": app.awaiting_my_signature,
        "applicant_signed": app.applicant_signed,
        "co_applicant_signed": app.co_applicant_signed,
        "next_step_date": app.next_step_date or None,
        "handled_by": {
            "case_worker_name": app.case_worker_name or None,
            "unit_name": app.unit_name,
            "unit_name_en": app.unit_name_en,
            "contact_topic": app.contact_topic,
        }
        if app.HasField("submitted_at")
        else None,
        "copy_url": f"/v1/applications/{app.application_id}/copy.pdf" if app.HasField("submitted_at") else None,
    }


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice: plain ASCII for old clients, and UTF-8 (RFC 6266/8187)."""
    name = _UNSAFE_FILENAME.sub("_", filename).strip() or "bilaga"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "bilaga"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(content: bytes, content_type: str, filename: str, allowed: Iterable[str]) -> Response:
    """A stored file as a download: only ever one of the allowed types, never run by the client."""
    mimetype = content_type if content_type in allowed else "application/octet-stream"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- My cases --------------------------------------------------------------------------------
SIGNATURE_FIELDS = {"signature_id": "signatureId"}


def application_body(app: apps_pb.Application) -> dict[str, Any]:
    """The whole case as its resident may see it (ApplicationSchema)."""
    return _application(app)


def case_call(method: str, message: Any, **kwargs: Any) -> dict[str, Any]:
    return _application(call(services().applications, method, message, **kwargs))


@api.route(
    "/applications",
    "GET",
    summary="My cases (short: no answers)",
    tag="applications",
    response=ApplicationListSchema,
    errors=(503,),
)
def list_applications() -> dict[str, Any]:
    answer = call(services().applications, "ListMyApplications", apps_pb.ListMyApplicationsRequest())
    return {"applications": [_summary(a) for a in answer.applications]}


@api.route(
    "/applications",
    "POST",
    summary="Start a draft application",
    description="A monthly form needs its period open (see GET /v1/periods/current) and is pre-filled from the "
    "previous case. 409 when the period is not open or there already is an application for it.",
    tag="applications",
    body=CreateApplicationSchema,
    response=ApplicationSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def create_application(body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.CreateDraftRequest(kind=body["kind"], period=body.get("period", ""))
    return case_call("CreateDraft", request_message)


@api.route(
    "/applications/<application_id>",
    "GET",
    summary="One of my cases, whole: answers, timeline, calculation, decision, attachments, next step",
    tag="applications",
    response=ApplicationSchema,
    errors=(400, 404, 503),
)
def get_application(application_id: str) -> dict[str, Any]:
    return case_call("GetApplication", apps_pb.GetApplicationRequest(application_id=application_id))


@api.route(
    "/applications/<application_id>/answers",
    "PUT",
    summary="Save answers to a draft",
    description="Send the version last read: if the case changed since (e.g. on another device) the answer is "
    "409 stale_version and nothing is saved; read the case again. Saving a case that waits for the "
    "co-applicant's signature makes it a draft again (the signatures no longer hold).",
    tag="applications",
    body=SaveAnswersSchema,
    response=ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def save_answers(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SaveAnswersRequest(
        application_id=application_id, answers=body["answers"], expected_version=body["version"]
    )
    return case_call("SaveAnswers", request_message, field_prefix="answers.")


@api.route(
    "/applications/<application_id>/attachments",
    "POST",
    summary="Upload an attachment (a receipt, a statement) to my case",
    description="multipart/form-data with the file in the field `file`: JPEG, PNG, HEIC or PDF, decided by the "
    "content (not the name), at most 10 MB (413 above that). Then name its id in a file question's answer, or "
    "in a completion.",
    tag="applications",
    upload=ATTACHMENT_UPLOAD,
    response=AttachmentSchema,
    status=201,
    errors=(400, 404, 409, 413, 503),
)
def upload_attachment(application_id: str, upload: UploadedFile) -> dict[str, Any]:
    request_message = apps_pb.UploadAttachmentRequest(
        application_id=application_id, filename=upload.filename[:MAX_FILENAME_LENGTH], content=upload.content
    )
    stored = call(services().applications, "UploadAttachment", request_message)
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
    found = call(services().applications, "GetAttachment", request_message)
    return file_response(found.content, found.attachment.content_type, found.attachment.filename, ATTACHMENT_TYPES)


@api.route(
    "/applications/<application_id>/copy.pdf",
    "GET",
    summary="A copy of exactly what was sent (answers, attachments, signatures, time) as a tagged PDF",
    tag="applications",
    binary=("application/pdf",),
    errors=(400, 403, 404, 409, 503),
    description="Made by the applications service from what was kept when the case was sent. 409 before it is sent.",
)
def submitted_copy(application_id: str) -> Response:
    request_message = apps_pb.GetSubmittedCopyRequest(application_id=application_id)
    found = call(services().applications, "GetSubmittedCopy", request_message)
    return file_response(found.content, found.content_type, found.filename, ("application/pdf",))


@api.route(
    "/applications/<application_id>/submit",
    "POST",
    summary="Submit a draft",
    description="Forms that need signing (requiresSignature) take the signatureId of this version's BankID "
    "signature. With a co-applicant the case then waits in signature_pending until they sign (…/co-sign). "
    "400 lists unanswered questions under answers.<path>.",
    tag="applications",
    body=SubmitSchema,
    response=ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def submit_application(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SubmitRequest(
        application_id=application_id, expected_version=body["version"], signature_id=body.get("signature_id", "")
    )
    return case_call("Submit", request_message, field_prefix="answers.", field_names=SIGNATURE_FIELDS)


@api.route(
    "/applications/<application_id>/completion",
    "POST",
    summary="Answer the municipality's completion request (or random check)",
    description="A text and/or the ids of attachments uploaded to the case (POST …/attachments).",
    tag="applications",
    body=CompletionSchema,
    response=ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def submit_completion(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SubmitCompletionRequest(
        application_id=application_id,
        text=body["text"],
        attachment_ids=body["attachment_ids"],
        expected_version=body["version"],
    )
    return case_call("SubmitCompletion", request_message)


@api.route(
    "/applications/<application_id>/withdraw",
    "POST",
    summary="Take my application back (any time before a decision)",
    tag="applications",
    body=WithdrawSchema,
    body_optional=True,
    response=ApplicationSchema,
    errors=(400, 404, 409, 503),
)
def withdraw_application(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.WithdrawRequest(application_id=application_id, reason=body.get("reason", ""))
    return case_call("Withdraw", request_message)
