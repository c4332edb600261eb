"""Questions to the contact centre: ask (routed by topic or text), list, read a thread, write more."""

from __future__ import annotations

from typing import Any

from flask import Response

from bff_mobile.api import Upload, UploadedFile, call
from bff_mobile.schemas.questions import (
    AskQuestionSchema,
    QuestionListSchema,
    QuestionSchema,
    ThreadSchema,
    TopicListSchema,
    WriteSchema,
)
from bff_mobile.views.applications import file_response
from bff_mobile.views.common import api, services, time_of
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan_common import limits

QUESTION_CHANNEL = "mobile"
# What the contact service accepts in a thread (its contract's limits).
_FILE = limits.of(contact_pb.AddAttachmentRequest, "content")
FILE_TYPES = _FILE.content_types
MAX_FILENAME_LENGTH = limits.of(contact_pb.AddAttachmentRequest, "filename").max_length or 0
FILE_UPLOAD = Upload(
    field="file",
    max_bytes=_FILE.max_length or 0,
    description=f"{', '.join(t.split('/')[1].upper() for t in FILE_TYPES)} (checked by the content, not the "
    f"name), at most {(_FILE.max_length or 0) // (1024 * 1024)} MB.",
)


def _question(question: contact_pb.Question) -> dict[str, Any]:
    return {
        "id": question.question_id,
        "subject": question.subject,
        "body": question.body,
        "channel": question.channel,
        "status": question.status,
        "status_text": question.status_text,
        "status_text_en": question.status_text_en,
        "group": question.group_name,
        "linked_application_id": question.application_id,
        "unread_replies": question.unread_replies,
        "received_at": time_of(question, "received_at"),
        "last_activity_at": time_of(question, "last_activity_at"),
    }


def _thread(thread: contact_pb.Thread) -> dict[str, Any]:
    return {
        "question": _question(thread.question),
        "entries": [
            {
                "id": e.entry_id,
                "kind": e.kind,
                "body": e.body,
                "author": e.author_name,
                "at": time_of(e, "at"),
                "attachment_id": e.attachment_id or None,
            }
            for e in thread.entries
        ],
    }


@api.route(
    "/contact/topics",
    "GET",
    summary="What a question can be about (the ask form's choices)",
    tag="questions",
    response=TopicListSchema,
    errors=(503,),
)
def topics() -> dict[str, Any]:
    centre = call(services().contact, "GetContactCentre", contact_pb.GetContactCentreRequest())
    return {"topics": [{"code": t.code, "name": t.name, "name_en": t.name_en} for t in centre.topics]}


@api.route(
    "/questions",
    "POST",
    summary="Ask the contact centre a question",
    tag="questions",
    body=AskQuestionSchema,
    response=QuestionSchema,
    status=201,
    errors=(400, 403, 429, 503),
)
def ask_question(body: dict[str, Any]) -> dict[str, Any]:
    question = call(
        services().contact,
        "AskQuestion",
        contact_pb.AskQuestionRequest(
            subject=body["subject"],
            body=body["body"],
            topic=body.get("topic", ""),
            channel=QUESTION_CHANNEL,
            application_id=body.get("application_id", "").lower(),
        ),
        field_names={"application_id": "applicationId"},
    )
    return _question(question)


@api.route(
    "/questions",
    "GET",
    summary="My questions to the contact centre, latest activity first, with unread replies",
    tag="questions",
    response=QuestionListSchema,
    errors=(503,),
)
def list_questions() -> dict[str, Any]:
    answer = call(services().contact, "ListMyQuestions", contact_pb.ListMyQuestionsRequest())
    return {"questions": [_question(q) for q in answer.questions]}


@api.route(
    "/questions/<question_id>",
    "GET",
    summary="One question's thread (marks its replies read)",
    tag="questions",
    response=ThreadSchema,
    errors=(400, 404, 503),
)
def thread(question_id: str) -> dict[str, Any]:
    return _thread(call(services().contact, "GetMyThread", contact_pb.ThreadRequest(question_id=question_id)))


@api.route(
    "/questions/<question_id>/messages",
    "POST",
    summary="Write more in a question's thread",
    tag="questions",
    body=WriteSchema,
    response=ThreadSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def write(question_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = contact_pb.WriteRequest(question_id=question_id, body=body["body"])
    return _thread(call(services().contact, "WriteInThread", request_message))


@api.route(
    "/questions/<question_id>/attachments",
    "POST",
    summary="Send a file in a question's thread",
    description="multipart/form-data with the file in the field `file`: JPEG, PNG, HEIC or PDF, decided by the "
    "content (not the name), at most 10 MB (413 above that); at most 10 files in a thread.",
    tag="questions",
    upload=FILE_UPLOAD,
    response=ThreadSchema,
    status=201,
    errors=(400, 404, 409, 413, 503),
)
def add_file(question_id: str, upload: UploadedFile) -> dict[str, Any]:
    request_message = contact_pb.AddAttachmentRequest(
        question_id=question_id, filename=upload.filename[:MAX_FILENAME_LENGTH], content=upload.content
    )
    return _thread(call(services().contact, "AddAttachment", request_message))


@api.route(
    "/questions/<question_id>/attachments/<attachment_id>",
    "GET",
    summary="Download a file of a question's thread",
    tag="questions",
    binary=FILE_TYPES,
    errors=(400, 404, 503),
)
def get_file(question_id: str, attachment_id: str) -> Response:
    request_message = contact_pb.GetAttachmentRequest(question_id=question_id, attachment_id=attachment_id)
    found = call(services().contact, "GetAttachment", request_message)
    return file_response(found.content, found.content_type, found.filename, FILE_TYPES)
