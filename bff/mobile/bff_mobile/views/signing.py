"""Signing an application with BankID, as the applicant or the co-applicant. The applications service
runs the sequence (start, collect, then submit or co-sign, once); these routes only start, poll and map."""

from __future__ import annotations

import logging
from typing import Any

from flask import request

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.schemas.applications import ApplicationSchema
from bff_mobile.schemas.signing import (
    CoSignSchema,
    SigningTextSchema,
    SignOrderSchema,
    SignStartedSchema,
    SignStartSchema,
    SignStatusSchema,
)
from bff_mobile.views.applications import SIGNATURE_FIELDS, application_body, case_call
from bff_mobile.views.common import COLLECT_INTERVAL_SECONDS, api, auto_start_url, services
from fickan.applications.v1 import applications_pb2 as apps_pb

log = logging.getLogger(__name__)

_SIGN_STATUS = {
    apps_pb.SigningProgress.PENDING: "pending",
    apps_pb.SigningProgress.FAILED: "failed",
    apps_pb.SigningProgress.COMPLETE: "complete",
}


@api.route(
    "/applications/<application_id>/signing-text",
    "GET",
    summary="The text to sign with BankID for this version of the answers",
    tag="signing",
    response=SigningTextSchema,
    errors=(400, 404, 409, 503),
)
def signing_text(application_id: str) -> dict[str, Any]:
    # An unfinished form is refused with its missing answers, named as SaveAnswers/Submit name them.
    text = call(
        services().applications,
        "GetSigningText",
        apps_pb.GetSigningTextRequest(application_id=application_id),
        field_prefix="answers.",
    )
    return {"text": text.text, "version": text.version, "reference": text.reference}


@api.route(
    "/applications/<application_id>/sign/start",
    "POST",
    summary="Start signing the application with BankID on this phone",
    description="The applications service starts the BankID order of the case's current signing text (GET "
    "…/signing-text) for the caller, the applicant or the co-applicant. Open autoStartUrl on this phone or "
    f"show qrData; then POST …/sign/collect every {COLLECT_INTERVAL_SECONDS} s. `version` is the version signed.",
    tag="signing",
    body=SignStartSchema,
    body_optional=True,
    response=SignStartedSchema,
    errors=(400, 403, 404, 409, 429, 503),
)
def start_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return_url = body.get("return_url", "")
    answer = call(
        services().applications,
        "StartSigning",
        apps_pb.StartSigningRequest(
            application_id=application_id, end_user_ip=request.remote_addr or "", return_url=return_url
        ),
        field_prefix="answers.",
        field_names={"return_url": "returnUrl"},
    )
    # Never the order reference: it identifies the order to BankID (see the login's collect secret).
    log.info("bankid signing started", extra={"fields": {"application_id": application_id}})
    return {
        "order_ref": answer.order_ref,
        "auto_start_token": answer.auto_start_token,
        "auto_start_url": auto_start_url(answer.auto_start_token, return_url),
        "qr_data": answer.qr_data,
        "version": answer.version,
    }


@api.route(
    "/applications/<application_id>/sign/collect",
    "POST",
    summary="Poll a BankID signing; when complete, the case is already submitted or co-signed",
    description=f"Poll every {COLLECT_INTERVAL_SECONDS} s while pending and show the new qrData each time. On "
    "complete the applications service has already submitted the case (applicant; with a co-applicant it waits "
    "in signature_pending) or recorded the co-applicant's signature: `application` is the case as it now is, "
    "and a repeated collect answers the same. (`signatureId` is kept for app versions that still POST …/submit "
    "or …/co-sign with it: those answer the case as it is.) 409 when the case changed while signing (sign "
    "again) or the order is another case's.",
    tag="signing",
    body=SignOrderSchema,
    response=SignStatusSchema,
    errors=(400, 403, 404, 409, 503),
)
def collect_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = call(
        services().applications,
        "CollectSigning",
        apps_pb.CollectSigningRequest(application_id=application_id, order_ref=body["order_ref"]),
        field_names={"order_ref": "orderRef"},
    )
    status = _SIGN_STATUS.get(answer.status, "failed")
    if status != "pending":
        log.info("bankid signing collected", extra={"fields": {"application_id": application_id, "status": status}})
    complete = status == "complete"
    return {
        "status": status,
        "hint_code": answer.hint_code,
        "message": answer.user_message if not complete else texts.SIGNED.sv,
        "message_en": answer.user_message_en if not complete else texts.SIGNED.en,
        "qr_data": answer.qr_data if status == "pending" and answer.qr_data else None,
        "signature_id": answer.signature_id if complete and answer.signature_id else None,
        "application": application_body(answer.application) if complete else None,
    }


@api.route(
    "/applications/<application_id>/sign/cancel",
    "POST",
    summary="Cancel a pending BankID signing",
    tag="signing",
    body=SignOrderSchema,
    status=204,
    errors=(400, 403, 404, 409, 503),
)
def cancel_signing(application_id: str, body: dict[str, Any]) -> None:
    call(
        services().applications,
        "CancelSigning",
        apps_pb.CancelSigningRequest(application_id=application_id, order_ref=body["order_ref"]),
        field_names={"order_ref": "orderRef"},
    )


@api.route(
    "/applications/<application_id>/co-sign",
    "POST",
    summary="Sign as the co-applicant with a signatureId (older app versions)",
    description="POST …/sign/collect already records the co-applicant's signature and submits the case; this "
    "answers the case as it is when given that signature.",
    tag="signing",
    body=CoSignSchema,
    response=ApplicationSchema,
    errors=(400, 403, 404, 409, 503),
)
def co_sign(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SignRequest(application_id=application_id, signature_id=body["signature_id"])
    return case_call("Sign", request_message, field_names=SIGNATURE_FIELDS)
