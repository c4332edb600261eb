"""What every area's schemas share: limits, patterns, field helpers and the base request/answer schemas."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from bff_mobile import texts
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan_common import limits

# Limits of the services' requests are the contracts' own (proto options), read here, never copied.
_ESTIMATE = partial(limits.of, apps_pb.EstimateRequest)
MAX_ANSWERS = limits.of(apps_pb.SaveAnswersRequest, "answers").max_items or 0
MAX_ANSWER_LENGTH = limits.of(apps_pb.SaveAnswersRequest, "answers").max_length or 0  # one answer on the wire
MAX_COMPLETION_TEXT = limits.of(apps_pb.SubmitCompletionRequest, "text").max_length or 0
MAX_COMPLETION_FILES = limits.of(apps_pb.SubmitCompletionRequest, "attachment_ids").max_items or 0
MAX_WITHDRAW_REASON = limits.of(apps_pb.WithdrawRequest, "reason").max_length or 0
MIN_ADULTS, MAX_ADULTS = _ESTIMATE("adults").min or 1, _ESTIMATE("adults").max or 2
MAX_AMOUNT = _ESTIMATE("housing").max or 0  # kronor, each amount of the provräkning
MAX_CHILDREN = _ESTIMATE("children_ages").max_items or 0
MAX_CHILD_AGE = _ESTIMATE("children_ages").max or 0
MAX_SUBJECT_LENGTH = limits.of(contact_pb.AskQuestionRequest, "subject").max_length or 0
MAX_BODY_LENGTH = limits.of(contact_pb.AskQuestionRequest, "body").max_length or 0
MAX_TOPIC_LENGTH = limits.of(contact_pb.AskQuestionRequest, "topic").max_length or 0
MAX_PHONE_LENGTH = limits.of(contact_pb.AskQuestionRequest, "phone").max_length or 0
# This BFF's own bounds of what it passes on.
MAX_VERSION = 2**53 - 1  # safe integer in JavaScript clients
MAX_RETURN_URL_LENGTH = 500  # identity's limit
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
PERIOD = limits.of(apps_pb.GetPeriodRequest, "period")  # the service's YYYY-MM, with its years
texts.contract_hint(PERIOD)
BASE_MESSAGES = {"required": texts.FIELD_REQUIRED, "null": texts.FIELD_NULL}


class FullMatch(validate.Regexp):
    """Regexp that must match the whole value: `$` alone would also accept a trailing newline.
    The pattern (with ^…$) is what /openapi.json shows."""

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def text_field(
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
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata=metadata,
    )


def version_field() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=MAX_VERSION, error=texts.FIELD_VERSION),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_VERSION, "too_large": texts.FIELD_VERSION},
        metadata={"description": "The version the app last read; 0 skips the check (first save)."},
    )


class Id(fields.String):
    """A UUID in its canonical (lower-case) form; anything else is refused with a Swedish message."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"format": "uuid", **kwargs.pop("metadata", {})}
        super().__init__(
            validate=FullMatch(UUID, error=texts.FIELD_ID),
            error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_ID, "invalid_utf8": texts.FIELD_ID},
            metadata=metadata,
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).lower()


class RequestSchema(Schema):
    """A request body: unknown fields are refused, messages are Swedish."""

    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict[str, str]] = {"unknown": texts.FIELD_UNKNOWN, "type": texts.FIELD_NOT_OBJECT}


class ResponseSchema(Schema):
    """An answer body (dump only)."""


class JsonBoolean(fields.Boolean):
    """true or false in a JSON body, nothing else (marshmallow's Boolean also takes 0, 1, "yes", "on")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def json_boolean(**kwargs: Any) -> fields.Boolean:
    return JsonBoolean(error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_BOOLEAN}, **kwargs)


def period_field(description: str) -> fields.String:
    return text_field(
        max_length=20,
        pattern=PERIOD.pattern,
        pattern_message=PERIOD.hint or texts.FIELD_NOT_TEXT,
        required=False,
        description=description,
    )


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
    fields_en = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "The same fields → English message."},
    )
    key = fields.String(
        required=False,
        metadata={
            "description": 'The service\'s name for the message (e.g. "identity.bankid_in_progress"), when it sent one.'
        },
    )


class ErrorSchema(ResponseSchema):
    error = fields.Nested(ErrorBodySchema, required=True)
