"""Signing an application with BankID, as the applicant or the co-applicant."""

from __future__ import annotations

import logging
from typing import Any

from flask import request

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.errors import ApiError
from bff_mobile.schemas.applications import ApplicationSchema
from bff_mobile.schemas.signing import (
    CoSignSchema,
    SigningTextSchema,
    SignOrderSchema,
    SignStartedSchema,
    SignStartSchema,
    SignStatusSchema,
)
from bff_mobile.views.applications import SIGNATURE_FIELDS, case_call
from bff_mobile.views.common import COLLECT_INTERVAL_SECONDS, api, auto_start_url, services
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.identity.v1 import identity_pb2 as identity_pb

log = logging.getLogger(__name__)

_SIGN_STATUS = {identity_pb.PENDING: "pending", identity_pb.FAILED: "failed", identity_pb.COMPLETE: "complete"}


@api.route(
    "/applications/<application_id>/signing-text",
    "GET",
    summary="The text to sign with BankID for this version of the answers",
    tag="signing",
    response=SigningTextSchema,
    errors=(400, 404, 409, 503),
)
def signing_text(application_id: str) -> dict[str, Any]:
    text = call(services().applications, "GetSigningText", apps_pb.GetSigningTextRequest(application_id=application_id))
    return {"text": text.text, "version": text.version, "reference": text.reference}


@api.route(
    "/applications/<application_id>/sign/start",
    "POST",
    summary="Start signing the application with BankID on this phone",
    description="Signs the case's current signing text (GET …/signing-text). Open autoStartUrl on this phone or "
    "show qrData; then POST …/sign/collect every 2 s. The signature is for `version`: submit with it.",
    tag="signing",
    body=SignStartSchema,
    body_optional=True,
    response=SignStartedSchema,
    errors=(400, 404, 409, 429, 503),
)
def start_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    text = call(services().applications, "GetSigningText", apps_pb.GetSigningTextRequest(application_id=application_id))
    return_url = body.get("return_url", "")
    answer = call(
        services().identity,
        "StartSign",
        identity_pb.StartSignRequest(
            user_visible_data=text.text,
            reference=text.reference,
            device=identity_pb.DEVICE_MOBILE,
            end_user_ip=request.remote_addr or "",
            return_url=return_url,
        ),
    )
    # Never the order reference: it identifies the order to BankID (see the login's collect secret).
    log.info("bankid signing started", extra={"fields": {"application_id": application_id}})
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
    body=SignOrderSchema,
    response=SignStatusSchema,
    errors=(400, 403, 404, 409, 503),
)
def collect_signing(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = call(
        services().identity,
        "CollectSign",
        identity_pb.CollectSignRequest(order_ref=body["order_ref"]),
    )
    status = _SIGN_STATUS.get(answer.status, "failed")
    if answer.reference and not _for_case(answer.reference, application_id):
        raise ApiError.of(409, "conflict", texts.SIGN_OTHER_CASE, {"orderRef": texts.SIGN_OTHER_CASE.sv})
    if status != "pending":
        log.info("bankid signing collected", extra={"fields": {"application_id": application_id, "status": status}})
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
    body=SignOrderSchema,
    status=204,
    errors=(400, 403, 404, 503),
)
def cancel_signing(application_id: str, body: dict[str, Any]) -> None:
    call(
        services().identity,
        "CancelSign",
        identity_pb.CancelSignRequest(order_ref=body["order_ref"]),
    )


@api.route(
    "/applications/<application_id>/co-sign",
    "POST",
    summary="Sign as the co-applicant; then the case is submitted",
    tag="signing",
    body=CoSignSchema,
    response=ApplicationSchema,
    errors=(400, 403, 404, 409, 503),
)
def co_sign(application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.SignRequest(application_id=application_id, signature_id=body["signature_id"])
    return case_call("Sign", request_message, field_names=SIGNATURE_FIELDS)
