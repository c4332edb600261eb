"""Logging in, tokens and who is logged in."""

from __future__ import annotations

from marshmallow import fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import (
    MAX_RETURN_URL_LENGTH,
    ORDER_REF,
    PERSONAL_NUMBER,
    REFRESH_TOKEN,
    RETURN_URL,
    RequestSchema,
    ResponseSchema,
    text_field,
)


# --- Requests --------------------------------------------------------------------------------
class StartLoginSchema(RequestSchema):
    personal_number = text_field(
        max_length=13,
        data_key="personalNumber",
        pattern=PERSONAL_NUMBER,
        pattern_message=texts.FIELD_PERSONAL_NUMBER,
        required=False,
        description="Optional: personnummer, 12 digits (or 10 with - or +). Leave it out (as BankID recommends) "
        "and whoever opens BankID or scans the QR code logs in. Sent in the body only, never logged.",
    )
    return_url = text_field(
        max_length=MAX_RETURN_URL_LENGTH,
        data_key="returnUrl",
        pattern=RETURN_URL,
        pattern_message=texts.FIELD_RETURN_URL,
        required=False,
        description="Optional: where BankID sends the person back on this phone: the app's own scheme, or an https "
        "address on one of the municipality's hosts (identity's FICKAN_RETURN_URL_HOSTS); anything else is refused "
        "with 400. Also put in autoStartUrl.",
    )


class OrderRefSchema(RequestSchema):
    order_ref = text_field(
        max_length=100, data_key="orderRef", pattern=ORDER_REF, pattern_message=texts.FIELD_ORDER_REF
    )
    collect_secret = text_field(
        max_length=100,
        data_key="collectSecret",
        pattern=REFRESH_TOKEN,
        pattern_message=texts.FIELD_COLLECT_SECRET,
        description="The collectSecret the login start answered. Without it the orderRef collects nothing, so "
        "an orderRef seen elsewhere (a log, a screen) is useless. Keep it in memory only.",
    )


class RefreshSchema(RequestSchema):
    refresh_token = text_field(
        max_length=200,
        data_key="refreshToken",
        pattern=REFRESH_TOKEN,
        pattern_message=texts.FIELD_REFRESH_TOKEN,
        description="The refresh token from the login or the last refresh. Each works once.",
    )


class LogoutSchema(RequestSchema):
    refresh_token = text_field(
        max_length=200,
        data_key="refreshToken",
        pattern=REFRESH_TOKEN,
        pattern_message=texts.FIELD_REFRESH_TOKEN,
        required=False,
        description="The session to end. Without it (or without a body) the session of the bearer token ends.",
    )


# --- Answers ---------------------------------------------------------------------------------
class LoginStartedSchema(ResponseSchema):
    order_ref = fields.String(data_key="orderRef", required=True)
    collect_secret = fields.String(
        data_key="collectSecret",
        required=True,
        metadata={"description": "Send it with orderRef to /v1/auth/collect and /v1/auth/cancel; never log it."},
    )
    auto_start_token = fields.String(
        data_key="autoStartToken", required=True, metadata={"description": "Starts the BankID app on this phone."}
    )
    auto_start_url = fields.String(
        data_key="autoStartUrl",
        required=True,
        metadata={
            "description": "Open it to start BankID on this phone: bankid:///?autostarttoken=<token>&redirect=null, "
            "or redirect=<the returnUrl, URL-encoded>."
        },
    )
    qr_data = fields.String(data_key="qrData", required=True, metadata={"description": "For BankID on another device."})


class UserSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class LoginStatusSchema(ResponseSchema):
    status = fields.String(required=True, validate=validate.OneOf(["pending", "failed", "complete"]))
    hint_code = fields.String(data_key="hintCode", required=True)
    message = fields.String(required=True, metadata={"description": "What to tell the person (Swedish, BankID)."})
    message_en = fields.String(
        data_key="messageEn", required=True, metadata={"description": "The same in English (empty if none)."}
    )
    qr_data = fields.String(data_key="qrData", allow_none=True, metadata={"description": "Refreshed while pending."})
    access_token = fields.String(data_key="accessToken", allow_none=True, metadata={"description": "When complete."})
    expires_in = fields.Integer(data_key="expiresIn", allow_none=True, metadata={"description": "Seconds."})
    refresh_token = fields.String(
        data_key="refreshToken",
        allow_none=True,
        metadata={"description": "When complete: for POST /v1/auth/refresh. Keep it in the phone's secure storage."},
    )
    user = fields.Nested(UserSchema, allow_none=True)


class TokensSchema(ResponseSchema):
    access_token = fields.String(data_key="accessToken", required=True)
    expires_in = fields.Integer(data_key="expiresIn", required=True, metadata={"description": "Seconds."})
    refresh_token = fields.String(
        data_key="refreshToken", required=True, metadata={"description": "The next one; the one sent is spent."}
    )


class MeSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    device = fields.String(required=True)
    unit = fields.String(metadata={"description": "Staff: the unit they work in. Left out when there is none."})
