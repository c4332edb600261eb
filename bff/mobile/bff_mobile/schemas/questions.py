"""Questions to the contact centre."""

from __future__ import annotations

from marshmallow import fields

from bff_mobile.schemas.common import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH, RequestSchema, ResponseSchema, text_field


class AskQuestionSchema(RequestSchema):
    subject = text_field(max_length=MAX_SUBJECT_LENGTH)
    body = text_field(max_length=MAX_BODY_LENGTH)


class QuestionSchema(ResponseSchema):
    id = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "received | answered"})
    received_at = fields.DateTime(data_key="receivedAt", allow_none=True, required=True)


class QuestionListSchema(ResponseSchema):
    questions = fields.List(fields.Nested(QuestionSchema), required=True)
