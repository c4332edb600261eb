"""Devices, watch pairing and the access log."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import (
    BASE_MESSAGES,
    MAX_USER_CODE_LENGTH,
    RESOURCE,
    USER_CODE,
    USER_CODE_LETTERS,
    FullMatch,
    RequestSchema,
    ResponseSchema,
    text_field,
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
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={
            "description": 'The code the watch shows, e.g. "BCDF-GHJK" (any case; spaces and dashes are ignored).'
        },
    )


class AccessLogQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    resource = text_field(
        max_length=100,
        pattern=RESOURCE,
        pattern_message=texts.FIELD_RESOURCE,
        required=False,
        description='Only what was read about this, e.g. "application:<id>". Leave out for everything.',
    )


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
