"""Signing with BankID as applicant or co-applicant."""

from __future__ import annotations

from marshmallow import fields, validate

from bff_mobile import texts
from bff_mobile.schemas.applications import ApplicationSchema
from bff_mobile.schemas.auth import LoginStartedSchema
from bff_mobile.schemas.common import (
    MAX_RETURN_URL_LENGTH,
    ORDER_REF,
    RETURN_URL,
    Id,
    RequestSchema,
    ResponseSchema,
    text_field,
)


class CoSignSchema(RequestSchema):
    signature_id = Id(
        data_key="signatureId",
        required=True,
        metadata={"description": "The co-applicant's own signature, from POST …/sign/collect (already on the case)."},
    )


class SignStartSchema(RequestSchema):
    return_url = text_field(
        max_length=MAX_RETURN_URL_LENGTH,
        data_key="returnUrl",
        pattern=RETURN_URL,
        pattern_message=texts.FIELD_RETURN_URL,
        required=False,
        description="Optional: where BankID sends the person back on this phone (put in autoStartUrl too).",
    )


class SignOrderSchema(RequestSchema):
    order_ref = text_field(
        max_length=100, data_key="orderRef", pattern=ORDER_REF, pattern_message=texts.FIELD_SIGN_ORDER
    )


class SigningTextSchema(ResponseSchema):
    text = fields.String(required=True, metadata={"description": "Exactly what is signed (simple Markdown)."})
    version = fields.Integer(required=True, metadata={"description": "The version of the answers it is for."})
    reference = fields.String(required=True)


class SignStartedSchema(LoginStartedSchema):
    version = fields.Integer(
        required=True,
        metadata={"description": "The version of the answers being signed."},
    )


class SignStatusSchema(ResponseSchema):
    status = fields.String(required=True, validate=validate.OneOf(["pending", "failed", "complete"]))
    hint_code = fields.String(data_key="hintCode", required=True)
    message = fields.String(required=True, metadata={"description": "What to tell the person (Swedish, BankID)."})
    message_en = fields.String(data_key="messageEn", required=True)
    qr_data = fields.String(
        data_key="qrData", allow_none=True, required=True, metadata={"description": "While pending."}
    )
    signature_id = fields.String(
        data_key="signatureId",
        allow_none=True,
        required=True,
        metadata={
            "description": "When complete: the signature, already on the case. Only for app versions that still "
            "POST …/submit (applicant) or …/co-sign (co-applicant) with it; those answer the case as it is."
        },
    )
    application = fields.Nested(
        ApplicationSchema,
        allow_none=True,
        required=True,
        metadata={
            "description": "When complete: the case as it now is, submitted by the service (status submitted or "
            "later; signature_pending while a co-applicant has yet to sign). Null otherwise."
        },
    )
