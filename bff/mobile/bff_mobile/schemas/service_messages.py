"""Service messages (planned maintenance, disruptions), BankID's own status and the overview."""

from __future__ import annotations

from marshmallow import fields

from bff_mobile.schemas.common import ResponseSchema


class ServiceMessageSchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "maintenance | disruption"})
    kind_text = fields.String(data_key="kindText", required=True)
    kind_text_en = fields.String(data_key="kindTextEn", required=True)
    text = fields.String(required=True, metadata={"description": "The notice in Swedish."})
    text_en = fields.String(
        data_key="textEn",
        required=True,
        metadata={"description": 'In English; "" when there is none (show the Swedish).'},
    )
    starts_at = fields.DateTime(data_key="startsAt", required=True)
    ends_at = fields.DateTime(data_key="endsAt", required=True)
    active = fields.Boolean(required=True, metadata={"description": "On now; otherwise planned (within a week)."})
    short = fields.String(required=True, metadata={"description": "At most 60 characters, Swedish."})
    short_en = fields.String(data_key="shortEn", required=True)


class BankIdStatusSchema(ResponseSchema):
    disrupted = fields.Boolean(
        required=True, metadata={"description": "BankID itself reported maintenance (login and signing may fail)."}
    )
    message = fields.String(required=True, metadata={"description": 'What to show, Swedish; "" when all is well.'})
    message_en = fields.String(data_key="messageEn", required=True)


class ServiceMessagesSchema(ResponseSchema):
    messages = fields.List(fields.Nested(ServiceMessageSchema), required=True)
    bankid = fields.Nested(BankIdStatusSchema, required=True)


class OverviewSchema(ResponseSchema):
    name = fields.String(required=True)
    unread = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Unread messages; null when the inbox is away."}
    )
    service_messages = fields.List(fields.Nested(ServiceMessageSchema), data_key="serviceMessages", required=True)
    bankid = fields.Nested(BankIdStatusSchema, required=True)
