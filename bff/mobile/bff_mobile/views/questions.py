"""Questions to the contact centre."""

from __future__ import annotations

import logging
from typing import Any

from bff_mobile.api import call
from bff_mobile.schemas.questions import AskQuestionSchema, QuestionListSchema, QuestionSchema
from bff_mobile.views.common import api, services, time_of
from fickan.contact.v1 import contact_pb2 as contact_pb

log = logging.getLogger(__name__)

QUESTION_CHANNEL = "mobile"


def _question(question: contact_pb.Question) -> dict[str, Any]:
    return {
        "id": question.question_id,
        "subject": question.subject,
        "body": question.body,
        "channel": question.channel,
        "status": question.status,
        "received_at": time_of(question, "received_at"),
    }


@api.route(
    "/questions",
    "POST",
    summary="Ask the contact centre a question",
    tag="questions",
    body=AskQuestionSchema,
    response=QuestionSchema,
    status=201,
    errors=(400, 429, 503),
)
def ask_question(body: dict[str, Any]) -> dict[str, Any]:
    question = call(
        services().contact,
        "AskQuestion",
        contact_pb.AskQuestionRequest(subject=body["subject"], body=body["body"], channel=QUESTION_CHANNEL),
    )
    return _question(question)


@api.route(
    "/questions",
    "GET",
    summary="My questions to the contact centre",
    tag="questions",
    response=QuestionListSchema,
    errors=(503,),
)
def list_questions() -> dict[str, Any]:
    answer = call(services().contact, "ListMyQuestions", contact_pb.ListMyQuestionsRequest())
    return {"questions": [_question(q) for q in answer.questions]}
