"""The shapes of the mobile API: request bodies are loaded (and refused) by these schemas, answers
are dumped by them, and /openapi.json is generated from the same classes.

JSON names are camelCase (data_key); Python attributes are snake_case. Field messages are Swedish.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from bff_mobile import texts

MAX_ANSWERS = 50
MAX_ANSWER_LENGTH = 4000
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 5000
MAX_VERSION = 2**53 - 1  # safe integer in JavaScript clients

MAX_RETURN_URL_LENGTH = 500  # identity's limit
MAX_GROUP_ROWS = 50  # rows of one repeating group (the forms' own default)
MAX_ROW_ANSWERS = 30  # answers in one row of a group
MAX_FILES = 40  # attachments of one case (the service's limit)
MAX_COMPLETION_TEXT = 4000  # the service's limit
MAX_WITHDRAW_REASON = 300  # the service keeps this much
MAX_AMOUNT = 1_000_000  # kronor, the provräkning's limit for each amount
MAX_CHILDREN = 15
MAX_CHILD_AGE = 20
MAX_FORM_VERSION = 10_000
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
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"

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


class Id(fields.String):
    """A UUID in its canonical (lower-case) form; anything else is refused with a Swedish message."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"format": "uuid", **kwargs.pop("metadata", {})}
        super().__init__(
            validate=FullMatch(UUID, error=texts.FIELD_ID),
            error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_ID, "invalid_utf8": texts.FIELD_ID},
            metadata=metadata,
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).lower()


_ANSWER_NAME = re.compile(ANSWER_NAME)
_UUID = re.compile(UUID)
_SCALAR_DOC = [{"type": "string"}, {"type": "integer"}]


def _wire_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _scalar(value: Any, path: str, errors: dict[str, list[str]], not_answer: str) -> str | None:
    """Text as it is, a whole number as text; anything else is an error at `path`."""
    if value is None:
        errors[path] = [texts.FIELD_NULL]
    elif isinstance(value, bool) or not isinstance(value, str | int):
        errors[path] = [not_answer]
    elif isinstance(value, int):
        if abs(value) > MAX_VERSION:
            errors[path] = [not_answer]
        else:
            return str(value)
    elif len(value) > MAX_ANSWER_LENGTH:
        errors[path] = [texts.FIELD_TOO_LONG.format(max=MAX_ANSWER_LENGTH)]
    else:
        return value
    return None


def _group(rows: list[dict[str, Any]], path: str, errors: dict[str, list[str]]) -> str | None:
    cleaned: list[dict[str, str]] = []
    before = len(errors)
    for index, row in enumerate(rows):
        row_path = f"{path}[{index}]"
        if len(row) > MAX_ROW_ANSWERS:
            errors[row_path] = [texts.FIELD_TOO_MANY.format(max=MAX_ROW_ANSWERS)]
            continue
        clean_row: dict[str, str] = {}
        for key, value in row.items():
            if not isinstance(key, str) or not _ANSWER_NAME.fullmatch(key):
                errors[f"{row_path}.{key}"] = [texts.FIELD_UNKNOWN]
                continue
            text = _scalar(value, f"{row_path}.{key}", errors, texts.FIELD_GROUP_VALUE)
            if text is not None:
                clean_row[key] = text
        cleaned.append(clean_row)
    return _wire_json(cleaned) if len(errors) == before else None


def _files(ids: list[str], path: str, errors: dict[str, list[str]]) -> str | None:
    if len(ids) > MAX_FILES:
        errors[path] = [texts.FIELD_TOO_MANY_ITEMS.format(max=MAX_FILES)]
        return None
    bad = [index for index, value in enumerate(ids) if not _UUID.fullmatch(value)]
    for index in bad:
        errors[f"{path}[{index}]"] = [texts.FIELD_FILE_ID]
    return None if bad else _wire_json([value.lower() for value in ids])


def wire_answer(value: Any, path: str, errors: dict[str, list[str]]) -> str | None:
    """One answer in the service's wire form (map<string, string>): text as is, an integer as text,
    a repeating group (a list of rows, each question → text or integer) or a file list (a list of
    attachment ids) as JSON. Problems are added to `errors` by path ("inkomster[1].belopp")."""
    if not isinstance(value, list):
        return _scalar(value, path, errors, texts.FIELD_NOT_ANSWER)
    if not value:
        return "[]"
    if all(isinstance(item, dict) for item in value):
        if len(value) > MAX_GROUP_ROWS:
            errors[path] = [texts.FIELD_TOO_MANY_ITEMS.format(max=MAX_GROUP_ROWS)]
            return None
        return _group(value, path, errors)
    if all(isinstance(item, str) for item in value):
        return _files(value, path, errors)
    if all(isinstance(item, dict | str) for item in value):
        errors[path] = [texts.FIELD_LIST_MIXED]
    else:
        errors[path] = [texts.FIELD_NOT_ANSWER]
    return None


class Answers(fields.Dict):
    """Question name → answer (see `wire_answer`), loaded into the service's wire form. Errors are
    reported per path below the field: "answers.period", "answers.inkomster[1].belopp"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            keys=fields.String(),
            values=fields.Raw(
                metadata={
                    "oneOf": [
                        *_SCALAR_DOC,
                        {
                            "type": "array",
                            "description": "A repeating group: one object per row.",
                            "maxItems": MAX_GROUP_ROWS,
                            "items": {
                                "type": "object",
                                "maxProperties": MAX_ROW_ANSWERS,
                                "additionalProperties": {"oneOf": _SCALAR_DOC},
                            },
                        },
                        {
                            "type": "array",
                            "description": "A file question: the ids of uploaded attachments.",
                            "maxItems": MAX_FILES,
                            "items": {"type": "string", "format": "uuid"},
                        },
                    ]
                }
            ),
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if len(value) > MAX_ANSWERS:
            raise ValidationError(texts.FIELD_TOO_MANY.format(max=MAX_ANSWERS))
        errors: dict[str, list[str]] = {}
        wire: dict[str, str] = {}
        for name, raw in value.items():
            if not isinstance(name, str) or not _ANSWER_NAME.fullmatch(name):
                errors[str(name)] = [texts.FIELD_UNKNOWN]
                continue
            answer = wire_answer(raw, name, errors)
            if answer is not None:
                wire[name] = answer
        if errors:
            raise ValidationError(errors)
        return wire


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


def _period(description: str) -> fields.String:
    return _text(
        max_length=20, pattern=PERIOD, pattern_message=texts.FIELD_PERIOD, required=False, description=description
    )


class CreateApplicationSchema(RequestSchema):
    kind = _text(
        max_length=64,
        pattern=KIND,
        pattern_message=texts.FIELD_KIND,
        description='e.g. "eb_grundansokan" (the first time), "eb_lopande" (every month); "ekonomiskt_bistand" is '
        "the first short form, kept for old clients.",
    )
    period = _period("For a monthly form: the month applied for (YYYY-MM). Leave out for the period open now.")


class SaveAnswersSchema(RequestSchema):
    answers = Answers(
        required=True,
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_OBJECT},
        metadata={
            "description": "Question name → answer: text, or a whole number; a repeating group as a list of rows "
            '(each an object of question → answer, e.g. "inkomster": [{"slag": "lon", "belopp": 12000}]); a file '
            "question as a list of attachment ids (from POST …/attachments). Only the questions sent are changed. "
            'A wrong answer is reported by its path, e.g. "answers.inkomster[1].belopp".',
            "maxProperties": MAX_ANSWERS,
        },
    )
    version = _version()


class SubmitSchema(RequestSchema):
    version = _version()
    signature_id = Id(
        data_key="signatureId",
        metadata={
            "description": "Forms that need signing: the signatureId from POST …/sign/collect (the BankID signature "
            "of this version's signing text)."
        },
    )


class CoSignSchema(RequestSchema):
    signature_id = Id(
        data_key="signatureId",
        required=True,
        metadata={"description": "The co-applicant's own signature, from POST …/sign/collect."},
    )


class SignStartSchema(RequestSchema):
    return_url = _text(
        max_length=MAX_RETURN_URL_LENGTH,
        data_key="returnUrl",
        pattern=RETURN_URL,
        pattern_message=texts.FIELD_RETURN_URL,
        required=False,
        description="Optional: where BankID sends the person back on this phone (put in autoStartUrl too).",
    )


class SignOrderSchema(RequestSchema):
    order_ref = _text(max_length=100, data_key="orderRef", pattern=ORDER_REF, pattern_message=texts.FIELD_SIGN_ORDER)


def _no_empty_completion(data: dict[str, Any]) -> None:
    if not data.get("text", "").strip() and not data.get("attachment_ids"):
        raise ValidationError({"text": [texts.FIELD_COMPLETION_EMPTY]})


class CompletionSchema(RequestSchema):
    text = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_COMPLETION_TEXT, error=texts.FIELD_TOO_LONG),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={"description": "What the resident answers (may be empty when attachments are sent)."},
    )
    attachment_ids = fields.List(
        Id(),
        data_key="attachmentIds",
        load_default=list,
        validate=validate.Length(max=MAX_FILES, error=texts.FIELD_TOO_MANY_ITEMS),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_FILE_ID},
        metadata={"description": "Ids of attachments uploaded to the case for this completion."},
    )

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        _no_empty_completion(data)


class WithdrawSchema(RequestSchema):
    reason = fields.String(
        validate=validate.Length(max=MAX_WITHDRAW_REASON, error=texts.FIELD_TOO_LONG),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={"description": "Optional: why (kept on the case's timeline)."},
    )


def _amount(data_key: str, description: str) -> fields.Integer:
    return fields.Integer(
        data_key=data_key,
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_AMOUNT, error=texts.FIELD_AMOUNT),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_AMOUNT, "too_large": texts.FIELD_AMOUNT},
        metadata={"description": f"{description} Kronor per month, 0–1 000 000 (default 0)."},
    )


class EstimateRequestSchema(RequestSchema):
    adults = fields.Integer(
        required=True,
        strict=True,
        validate=validate.OneOf([1, 2], error=texts.FIELD_ADULTS),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_ADULTS, "too_large": texts.FIELD_ADULTS},
        metadata={"description": "Adults in the household: 1 or 2."},
    )
    children_ages = fields.List(
        fields.Integer(
            strict=True,
            validate=validate.Range(min=0, max=MAX_CHILD_AGE, error=texts.FIELD_CHILD_AGE),
            error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_CHILD_AGE, "too_large": texts.FIELD_CHILD_AGE},
        ),
        data_key="childrenAges",
        load_default=list,
        validate=validate.Length(max=MAX_CHILDREN, error=texts.FIELD_CHILDREN),
        error_messages={**_BASE_MESSAGES, "invalid": texts.FIELD_CHILDREN},
        metadata={"description": "The age of each child living in the household (0–20), at most 15."},
    )
    housing = _amount("housing", "Rent or housing cost.")
    electricity = _amount("electricity", "Household electricity.")
    home_insurance = _amount("homeInsurance", "Home insurance.")
    work_travel = _amount("workTravel", "Travel to and from work.")
    union_fee = _amount("unionFee", "Trade union fee.")
    akassa_fee = _amount("akassaFee", "Unemployment fund (a-kassa) fee.")
    earned_income = _amount("earnedIncome", "The household's earned income after tax.")
    other_income = _amount("otherIncome", "Benefits and other income after tax.")


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


class FormQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_FORM_VERSION, error=texts.FIELD_FORM_VERSION),
        error_messages={"invalid": texts.FIELD_FORM_VERSION},
        metadata={
            "description": "A given version of the form (a draft keeps the version it was made with). "
            "Leave out for the newest."
        },
    )


class PeriodQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    period = _period("The month (YYYY-MM) to apply for. Leave out for the window open now, or the next one.")


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


class EServiceFormSchema(ResponseSchema):
    kind = fields.String(required=True, metadata={"description": "For GET /v1/forms/{kind} and POST /v1/applications."})
    title = fields.String(required=True)
    when = fields.String(required=True, metadata={"description": "When to use this form, in Swedish."})


class EServiceSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    forms = fields.List(fields.Nested(EServiceFormSchema), required=True)


class EServiceListSchema(ResponseSchema):
    e_services = fields.List(fields.Nested(EServiceSchema), data_key="eServices", required=True)


FIELD_TYPES = ["text", "integer", "number", "month", "date", "choice", "yesno", "group", "file", "personnummer"]


class FormFieldSchema(ResponseSchema):
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    label = fields.String(required=True)
    help = fields.String(required=True)
    required = fields.Boolean(required=True)


class FormSchema(ResponseSchema):
    kind = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    fields_ = fields.List(
        fields.Nested(FormFieldSchema),
        data_key="fields",
        attribute="fields",
        required=True,
        metadata={"description": "The questions as one flat list (for simple clients)."},
    )
    definition = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "The whole definition: steps, questions (with show_if conditions, rules, help, options and "
            "the items of repeating groups), as the applications service keeps it."
        },
    )
    period_bound = fields.Boolean(
        data_key="periodBound", required=True, metadata={"description": "A monthly form: applied for one period."}
    )
    requires_signature = fields.Boolean(
        data_key="requiresSignature",
        required=True,
        metadata={"description": "Submitting needs a BankID signature (…/signing-text, …/sign/start)."},
    )


class PeriodSchema(ResponseSchema):
    period = fields.String(required=True, metadata={"description": "The month the money is for (YYYY-MM)."})
    opens = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    closes = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    open = fields.Boolean(required=True, metadata={"description": "The application can be handed in now."})
    text = fields.String(required=True, metadata={"description": "In plain Swedish, to show as it is."})
    payment_day = fields.String(
        data_key="paymentDay",
        required=True,
        metadata={"description": "YYYY-MM-DD: when the money is paid for an application handed in on time."},
    )


class CalculationLineSchema(ResponseSchema):
    code = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "Swedish."})
    label_en = fields.String(data_key="labelEn", required=True)
    amount = fields.Integer(required=True, metadata={"description": "Kronor per month."})
    kind = fields.String(required=True, metadata={"description": "norm | cost | assessed | income | disregard"})
    estimated = fields.Boolean(required=True)
    note = fields.String(required=True)


class CalculationSchema(ResponseSchema):
    year = fields.Integer(required=True, metadata={"description": "The year of the riksnorm used."})
    lines = fields.List(fields.Nested(CalculationLineSchema), required=True)
    norm_total = fields.Integer(data_key="normTotal", required=True)
    costs_total = fields.Integer(data_key="costsTotal", required=True)
    need_total = fields.Integer(data_key="needTotal", required=True)
    income_total = fields.Integer(data_key="incomeTotal", required=True)
    result = fields.Integer(
        required=True, metadata={"description": "Need minus income, kronor per month (below 0: no support)."}
    )
    estimated = fields.Boolean(required=True)
    caveat = fields.String(required=True, metadata={"description": "What the numbers mean, in Swedish; show it."})


class CaseCalculationLineSchema(CalculationLineSchema):
    adjusted = fields.Boolean(required=True, metadata={"description": "A case worker changed this line."})
    original = fields.Integer(required=True, metadata={"description": "The amount before the change."})
    reason = fields.String(required=True, metadata={"description": "Why it was changed (Swedish)."})


class CaseCalculationSchema(CalculationSchema):
    lines = fields.List(fields.Nested(CaseCalculationLineSchema), required=True)


class TimelineEntrySchema(ResponseSchema):
    at = fields.DateTime(allow_none=True, required=True)
    status = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "Swedish."})
    text_en = fields.String(data_key="textEn", required=True)
    actor = fields.String(required=True, metadata={"description": "resident | co_applicant | staff | system"})


class DecisionSchema(ResponseSchema):
    outcome = fields.String(required=True, metadata={"description": "approved | partly_approved | rejected"})
    outcome_text = fields.String(data_key="outcomeText", required=True)
    outcome_text_en = fields.String(data_key="outcomeTextEn", required=True)
    amount = fields.Integer(required=True)
    reasons = fields.String(required=True)
    appeal = fields.String(required=True, metadata={"description": "How to appeal (when partly approved or rejected)."})
    appeal_en = fields.String(data_key="appealEn", required=True)
    decided_at = fields.DateTime(data_key="decidedAt", allow_none=True, required=True)
    automatic = fields.Boolean(required=True)


class CompletionRequestSchema(ResponseSchema):
    id = fields.String(required=True)
    items = fields.List(fields.String(), required=True, metadata={"description": "What is missing, one per line."})
    message = fields.String(required=True)
    due_date = fields.String(data_key="dueDate", required=True, metadata={"description": "YYYY-MM-DD"})
    random_check = fields.Boolean(data_key="randomCheck", required=True)
    answered = fields.Boolean(required=True)
    answer_text = fields.String(data_key="answerText", required=True)
    answer_attachment_ids = fields.List(fields.String(), data_key="answerAttachmentIds", required=True)


class AttachmentSchema(ResponseSchema):
    id = fields.String(required=True, metadata={"description": "For answers (file questions) and completions."})
    filename = fields.String(required=True)
    content_type = fields.String(
        data_key="contentType",
        required=True,
        metadata={"description": "image/jpeg | image/png | image/heic | application/pdf (by the content)"},
    )
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    sha256 = fields.String(required=True)
    uploaded_at = fields.DateTime(data_key="uploadedAt", allow_none=True, required=True)


class ApplicationSummarySchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "draft | signature_pending | submitted | received | in_progress | completion_requested | "
            "random_check | completion_submitted | decided | payment_scheduled | paid | closed | withdrawn"
        },
    )
    status_text = fields.String(data_key="statusText", required=True, metadata={"description": "Swedish."})
    submitted_at = fields.DateTime(data_key="submittedAt", allow_none=True, required=True)
    version = fields.Integer(required=True)


class ApplicationSchema(ApplicationSummarySchema):
    status_text_en = fields.String(data_key="statusTextEn", required=True)
    form_version = fields.Integer(data_key="formVersion", required=True)
    period = fields.String(allow_none=True, required=True, metadata={"description": "YYYY-MM for a monthly form."})
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(
            metadata={
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}},
                    {"type": "array", "items": {"type": "string", "format": "uuid"}},
                ]
            }
        ),
        required=True,
        metadata={
            "description": "Text answers as text; a repeating group as a list of rows; a file question as a "
            "list of attachment ids."
        },
    )
    created_at = fields.DateTime(data_key="createdAt", allow_none=True, required=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema), required=True)
    calculation = fields.Nested(
        CaseCalculationSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The riksnorm calculation (preliminary while a draft)."},
    )
    decision = fields.Nested(DecisionSchema, allow_none=True, required=True)
    completion_requests = fields.List(
        fields.Nested(CompletionRequestSchema), data_key="completionRequests", required=True
    )
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)
    next_action = fields.String(
        data_key="nextAction", required=True, metadata={"description": "What the resident can do next, Swedish."}
    )
    next_action_en = fields.String(data_key="nextActionEn", required=True)
    payment_date = fields.String(data_key="paymentDate", allow_none=True, required=True)
    payment_amount = fields.Integer(data_key="paymentAmount", allow_none=True, required=True)
    due_at = fields.DateTime(
        data_key="dueAt", allow_none=True, required=True, metadata={"description": "When a decision is due."}
    )
    paid_at = fields.DateTime(data_key="paidAt", allow_none=True, required=True)
    role = fields.String(required=True, metadata={"description": "applicant | co_applicant"})
    awaiting_my_signature = fields.Boolean(
        data_key="awaitingMySignature",
        required=True,
        metadata={"description": "The caller is the co-applicant and must sign (…/sign/start, then …/co-sign)."},
    )
    applicant_signed = fields.Boolean(data_key="applicantSigned", required=True)
    co_applicant_signed = fields.Boolean(data_key="coApplicantSigned", required=True)


class ApplicationListSchema(ResponseSchema):
    applications = fields.List(fields.Nested(ApplicationSummarySchema), required=True)


class SigningTextSchema(ResponseSchema):
    text = fields.String(required=True, metadata={"description": "Exactly what is signed (simple Markdown)."})
    version = fields.Integer(required=True, metadata={"description": "The version of the answers it is for."})
    reference = fields.String(required=True)


class SignStartedSchema(LoginStartedSchema):
    version = fields.Integer(
        required=True,
        metadata={"description": "The version of the answers being signed: submit with this version."},
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
        metadata={"description": "When complete: for POST …/submit (applicant) or …/co-sign (co-applicant)."},
    )


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
