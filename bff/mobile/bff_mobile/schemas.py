"""The shapes of the mobile API: request bodies are loaded (and refused) by these schemas, answers
are dumped by them, and /openapi.json is generated from the same classes.

JSON names are camelCase (data_key); Python attributes are snake_case. Field messages are Swedish.
"""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from bff_mobile import texts

MAX_ANSWERS = 50
MAX_ANSWER_LENGTH = 4000
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 5000
MAX_VERSION = 2**53 - 1  # safe integer in JavaScript clients

MAX_RETURN_URL_LENGTH = 500  # identity's limit
MAX_USER_CODE_LENGTH = 20
USER_CODE_LETTERS = 8

PERSONAL_NUMBER = r"^(\d{12}|\d{8}-\d{4}|\d{6}[-+]\d{4})$"
ORDER_REF = r"^[A-Za-z0-9-]{1,100}$"
KIND = r"^[a-z][a-z0-9_]{0,63}$"
ANSWER_NAME = r"^[a-z][a-z0-9_]{0,63}$"
# An absolute URL (https://…, or the app's own scheme); which schemes are allowed is identity's call.
RETURN_URL = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+$"
REFRESH_TOKEN = r"^[A-Za-z0-9_-]{1,200}$"
# What the watch shows (XXXX-XXXX), as typed: any case, spaces and dashes anywhere.
USER_CODE = r"^[A-Za-z -]{1,20}$"
RESOURCE = r"^[a-z_]+:[A-Za-z0-9-]{1,64}$"

_BASE_MESSAGES = {"required": texts.FIELD_REQUIRED, "null": texts.FIELD_NULL}


class FullMatch(validate.Regexp):
    """Regexp that must match the whole value: `$` alone would also accept a trailing newline.
    The pattern (with ^…$) is what /openapi.json shows."""

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def _text(
    *,
    max_length: int,
    data_key: str | None = None,
    pattern: str | None = None,
    pattern_message: str = texts.FIELD_NOT_TEXT,
    description: str = "",
    required: bool = True,
) -> fields.String:
    """A non-blank string with Swedish messages (required unless said otherwise; an optional one
    may be left out, but when sent it must be right)."""
    validators: list[Any] = [
        validate.Length(min=1, error=texts.FIELD_BLANK),
        validate.Length(max=max_length, error=texts.FIELD_TOO_LONG),
    ]
    if pattern:
        validators.append(FullMatch(pattern, error=pattern_message))
    metadata: dict[str, Any] = {"description": description} if description else {}
    return fields.String(
        required=required,
        data_key=data_key,
        validate=validators,
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata=metadata,
    )


def _version() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=MAX_VERSION, error=texts.FIELD_VERSION),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_VERSION, "too_large": texts.FIELD_VERSION},
        metadata={"description": "The version the app last read; 0 skips the check (first save)."},
    )


class AnswerValue(fields.Field):
    """One answer: text, or a whole number (sent on as text, the way the service keeps answers)."""

    default_error_messages: ClassVar[dict[str, str]] = {"invalid": texts.FIELD_NOT_ANSWER, **_BASE_MESSAGES}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        if isinstance(value, int):
            if abs(value) > MAX_VERSION:
                raise self.make_error("invalid")
            return str(value)
        if len(value) > MAX_ANSWER_LENGTH:
            raise ValidationError(texts.FIELD_TOO_LONG.format(max=MAX_ANSWER_LENGTH))
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _at_most_answers(value: dict[str, Any]) -> None:
    if len(value) > MAX_ANSWERS:
        raise ValidationError(texts.FIELD_TOO_MANY.format(max=MAX_ANSWERS))


class RequestSchema(Schema):
    """A request body: unknown fields are refused, messages are Swedish."""

    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict[str, str]] = {"unknown": texts.FIELD_UNKNOWN, "type": texts.FIELD_NOT_OBJECT}


class ResponseSchema(Schema):
    """An answer body (dump only)."""


# --- Requests --------------------------------------------------------------------------------
class StartLoginSchema(RequestSchema):
    personal_number = _text(
        max_length=13,
        data_key="personalNumber",
        pattern=PERSONAL_NUMBER,
        pattern_message=texts.FIELD_PERSONAL_NUMBER,
        required=False,
        description="Optional: personnummer, 12 digits (or 10 with - or +). Leave it out (as BankID recommends) "
        "and whoever opens BankID or scans the QR code logs in. Sent in the body only, never logged.",
    )
    return_url = _text(
        max_length=MAX_RETURN_URL_LENGTH,
        data_key="returnUrl",
        pattern=RETURN_URL,
        pattern_message=texts.FIELD_RETURN_URL,
        required=False,
        description="Optional: where BankID sends the person back on this phone (https, or the app's own scheme; "
        "identity decides which are allowed). Also put in autoStartUrl.",
    )


class OrderRefSchema(RequestSchema):
    order_ref = _text(max_length=100, data_key="orderRef", pattern=ORDER_REF, pattern_message=texts.FIELD_ORDER_REF)


class RefreshSchema(RequestSchema):
    refresh_token = _text(
        max_length=200,
        data_key="refreshToken",
        pattern=REFRESH_TOKEN,
        pattern_message=texts.FIELD_REFRESH_TOKEN,
        description="The refresh token from the login or the last refresh. Each works once.",
    )


class LogoutSchema(RequestSchema):
    refresh_token = _text(
        max_length=200,
        data_key="refreshToken",
        pattern=REFRESH_TOKEN,
        pattern_message=texts.FIELD_REFRESH_TOKEN,
        required=False,
        description="The session to end. Without it (or without a body) the session of the bearer token ends.",
    )


def _user_code_letters(value: str) -> None:
    letters = [ch for ch in value if ch not in " -"]
    if len(letters) != USER_CODE_LETTERS:
        raise ValidationError(texts.FIELD_USER_CODE)


class ConfirmWatchSchema(RequestSchema):
    user_code = fields.String(
        required=True,
        data_key="userCode",
        validate=[
            validate.Length(max=MAX_USER_CODE_LENGTH, error=texts.FIELD_TOO_LONG),
            FullMatch(USER_CODE, error=texts.FIELD_USER_CODE),
            _user_code_letters,
        ],
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={
            "description": 'The code the watch shows, e.g. "BCDF-GHJK" (any case; spaces and dashes are ignored).'
        },
    )


class CreateApplicationSchema(RequestSchema):
    kind = _text(max_length=64, pattern=KIND, pattern_message=texts.FIELD_KIND, description='e.g. "ekonomiskt_bistand"')


class SaveAnswersSchema(RequestSchema):
    answers = fields.Dict(
        required=True,
        keys=fields.String(
            validate=validate.Regexp(ANSWER_NAME, error=texts.FIELD_UNKNOWN),
            error_messages={"invalid": texts.FIELD_UNKNOWN},
        ),
        values=AnswerValue(metadata={"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        validate=_at_most_answers,
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_OBJECT},
        metadata={
            "description": "Question name → answer. Numbers may be sent as integers or text.",
            "maxProperties": MAX_ANSWERS,
        },
    )
    version = _version()


class SubmitSchema(RequestSchema):
    version = _version()


class AskQuestionSchema(RequestSchema):
    subject = _text(max_length=MAX_SUBJECT_LENGTH)
    body = _text(max_length=MAX_BODY_LENGTH)


class InboxQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=100, error=texts.FIELD_LIMIT),
        error_messages={"invalid": texts.FIELD_NOT_INTEGER},
        metadata={"description": "How many messages, 1–100 (default 50)."},
    )


class AccessLogQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    resource = _text(
        max_length=100,
        pattern=RESOURCE,
        pattern_message=texts.FIELD_RESOURCE,
        required=False,
        description='Only what was read about this, e.g. "application:<id>". Leave out for everything.',
    )


# --- Answers ---------------------------------------------------------------------------------
class LoginStartedSchema(ResponseSchema):
    order_ref = fields.String(data_key="orderRef", required=True)
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


class DeviceSchema(ResponseSchema):
    id = fields.String(required=True, metadata={"description": '"session:<32 hex>" or "watch:<uuid>"'})
    kind = fields.String(required=True, metadata={"description": "web | mobile | watch"})
    created_at = fields.DateTime(data_key="createdAt", allow_none=True, required=True)
    last_used_at = fields.DateTime(data_key="lastUsedAt", allow_none=True, required=True)
    current = fields.Boolean(required=True, metadata={"description": "The session this request came from."})


class DeviceListSchema(ResponseSchema):
    devices = fields.List(fields.Nested(DeviceSchema), required=True)


class WatchPairedSchema(ResponseSchema):
    device_id = fields.String(data_key="deviceId", required=True, metadata={"description": '"watch:<uuid>"'})


class AccessEntrySchema(ResponseSchema):
    at = fields.DateTime(allow_none=True, required=True)
    actor_name = fields.String(data_key="actorName", required=True)
    actor_role = fields.String(data_key="actorRole", required=True, metadata={"description": "case_worker | ..."})
    actor_role_text = fields.String(
        data_key="actorRoleText", required=True, metadata={"description": 'The role in Swedish, e.g. "Handläggare".'}
    )
    actor_role_text_en = fields.String(
        data_key="actorRoleTextEn", required=True, metadata={"description": "The role in English."}
    )
    actor_unit = fields.String(data_key="actorUnit", required=True)
    action = fields.String(required=True, metadata={"description": "read | change"})
    resource = fields.String(required=True, metadata={"description": 'e.g. "application:<id>"'})
    description = fields.String(required=True, metadata={"description": "What was looked at, in Swedish."})
    reason = fields.String(required=True)


class AccessLogSchema(ResponseSchema):
    entries = fields.List(fields.Nested(AccessEntrySchema), required=True)


class FormFieldSchema(ResponseSchema):
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["text", "integer", "month"]))
    label = fields.String(required=True)
    help = fields.String(required=True)
    required = fields.Boolean(required=True)


class FormSchema(ResponseSchema):
    kind = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    fields_ = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields", required=True)


class ApplicationSummarySchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "draft | submitted"})
    status_text = fields.String(data_key="statusText", required=True, metadata={"description": "Swedish."})
    submitted_at = fields.DateTime(data_key="submittedAt", allow_none=True, required=True)
    version = fields.Integer(required=True)


class ApplicationSchema(ApplicationSummarySchema):
    answers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    created_at = fields.DateTime(data_key="createdAt", allow_none=True, required=True)


class ApplicationListSchema(ResponseSchema):
    applications = fields.List(fields.Nested(ApplicationSummarySchema), required=True)


class MessageSchema(ResponseSchema):
    id = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    read = fields.Boolean(required=True)
    created_at = fields.DateTime(data_key="createdAt", allow_none=True, required=True)
    reference = fields.String(required=True, metadata={"description": 'What it is about, e.g. "application:<id>".'})


class InboxSchema(ResponseSchema):
    messages = fields.List(fields.Nested(MessageSchema), required=True)
    unread = fields.Integer(required=True)


class QuestionSchema(ResponseSchema):
    id = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "received | answered"})
    received_at = fields.DateTime(data_key="receivedAt", allow_none=True, required=True)


class QuestionListSchema(ResponseSchema):
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class ErrorBodySchema(ResponseSchema):
    code = fields.String(required=True, metadata={"description": "Stable, for the app's logic."})
    message = fields.String(required=True, metadata={"description": "For the resident, Swedish."})
    message_en = fields.String(required=True, metadata={"description": "The same in English."})
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        attribute="fields",
        required=True,
        metadata={"description": 'Field → Swedish message; answers are "answers.<name>".'},
    )


class ErrorSchema(ResponseSchema):
    error = fields.Nested(ErrorBodySchema, required=True)
