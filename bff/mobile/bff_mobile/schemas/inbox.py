"""The inbox."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import ResponseSchema


class InboxQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=100, error=texts.FIELD_LIMIT),
        error_messages={"invalid": texts.FIELD_NOT_INTEGER},
        metadata={"description": "How many messages, 1–100 (default 50)."},
    )
    archived = fields.Boolean(load_default=False, metadata={"description": "The archived messages instead."})


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
