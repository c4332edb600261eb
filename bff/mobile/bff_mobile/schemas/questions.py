"""Questions to the contact centre: ask, list, a thread, write more."""

from __future__ import annotations

from marshmallow import fields

from bff_mobile.schemas.common import (
    MAX_BODY_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TOPIC_LENGTH,
    UUID,
    RequestSchema,
    ResponseSchema,
    text_field,
)


class AskQuestionSchema(RequestSchema):
    subject = text_field(max_length=MAX_SUBJECT_LENGTH)
    body = text_field(max_length=MAX_BODY_LENGTH)
    topic = text_field(
        max_length=MAX_TOPIC_LENGTH,
        required=False,
        description="A topic code from GET /v1/contact/topics; left out, the question is routed by its text.",
    )
    application_id = text_field(
        max_length=36,
        data_key="applicationId",
        pattern=UUID,
        required=False,
        description="The case the question is about (one of the resident's own; its handledBy.contactTopic is "
        "the topic). Left out, the question is linked to the resident's open case, if any.",
    )


class WriteSchema(RequestSchema):
    body = text_field(max_length=MAX_BODY_LENGTH)


class QuestionSchema(ResponseSchema):
    id = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "received | with_agent | answered | closed"})
    status_text = fields.String(data_key="statusText", required=True, metadata={"description": "Swedish"})
    status_text_en = fields.String(data_key="statusTextEn", required=True)
    group = fields.String(required=True, metadata={"description": "The answer group or advisory service"})
    linked_application_id = fields.String(data_key="linkedApplicationId", required=True)
    unread_replies = fields.Integer(data_key="unreadReplies", required=True)
    received_at = fields.DateTime(data_key="receivedAt", allow_none=True, required=True)
    last_activity_at = fields.DateTime(data_key="lastActivityAt", allow_none=True, required=True)


class QuestionListSchema(ResponseSchema):
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class EntrySchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "question | message | reply | attachment | closed"})
    body = fields.String(required=True)
    author = fields.String(required=True, metadata={"description": "The agent's name on a reply"})
    at = fields.DateTime(allow_none=True, required=True)
    attachment_id = fields.String(
        data_key="attachmentId", allow_none=True, required=True, metadata={"description": "kind attachment: its id"}
    )


class ThreadSchema(ResponseSchema):
    question = fields.Nested(QuestionSchema, required=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)


class TopicSchema(ResponseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(data_key="nameEn", required=True)


class TopicListSchema(ResponseSchema):
    topics = fields.List(fields.Nested(TopicSchema), required=True)
