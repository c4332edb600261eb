"""Cases: answers (repeating groups and files included), submitting, completions, the whole case."""

from __future__ import annotations

import json
import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from bff_mobile import texts
from bff_mobile.schemas.common import (
    ANSWER_NAME,
    BASE_MESSAGES,
    KIND,
    MAX_ANSWER_LENGTH,
    MAX_ANSWERS,
    MAX_COMPLETION_FILES,
    MAX_COMPLETION_TEXT,
    MAX_VERSION,
    MAX_WITHDRAW_REASON,
    UUID,
    Id,
    RequestSchema,
    ResponseSchema,
    period_field,
    text_field,
    version_field,
)
from bff_mobile.schemas.e_services import CalculationLineSchema, CalculationSchema
from fickan_bff import case_status

_ANSWER_NAME = re.compile(ANSWER_NAME)
# The statuses a case can have, from the contract (the words case_status gives).
STATUSES = " | ".join(case_status.NAMES)


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
        clean_row: dict[str, str] = {}
        for key, value in row.items():
            if not isinstance(key, str) or not _ANSWER_NAME.fullmatch(key):
                errors[f"{row_path}.{key}"] = [texts.FIELD_UNKNOWN]
                continue
            text = _scalar(value, f"{row_path}.{key}", errors, texts.FIELD_GROUP_VALUE)
            if text is not None:
                clean_row[key] = text
        cleaned.append(clean_row)
    return _fits(_wire_json(cleaned), path, errors) if len(errors) == before else None


def _fits(wire: str, path: str, errors: dict[str, list[str]]) -> str | None:
    """A group or file list as JSON, within the contract's length of one answer. (How many rows and
    files a question takes is the form's own rule, checked by the service.)"""
    if len(wire) > MAX_ANSWER_LENGTH:
        errors[path] = [texts.FIELD_TOO_LONG.format(max=MAX_ANSWER_LENGTH)]
        return None
    return wire


def _files(ids: list[str], path: str, errors: dict[str, list[str]]) -> str | None:
    bad = [index for index, value in enumerate(ids) if not _UUID.fullmatch(value)]
    for index in bad:
        errors[f"{path}[{index}]"] = [texts.FIELD_FILE_ID]
    return None if bad else _fits(_wire_json([value.lower() for value in ids]), path, errors)


def wire_answer(value: Any, path: str, errors: dict[str, list[str]]) -> str | None:
    """One answer in the service's wire form (map<string, string>): text as is, an integer as text,
    a repeating group (a list of rows, each question → text or integer) or a file list (a list of
    attachment ids) as JSON. Problems are added to `errors` by path ("inkomster[1].belopp")."""
    if not isinstance(value, list):
        return _scalar(value, path, errors, texts.FIELD_NOT_ANSWER)
    if not value:
        return "[]"
    if all(isinstance(item, dict) for item in value):
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
                            "items": {
                                "type": "object",
                                "additionalProperties": {"oneOf": _SCALAR_DOC},
                            },
                        },
                        {
                            "type": "array",
                            "description": "A file question: the ids of uploaded attachments.",
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


class CreateApplicationSchema(RequestSchema):
    kind = text_field(
        max_length=64,
        pattern=KIND,
        pattern_message=texts.FIELD_KIND,
        description='e.g. "eb_grundansokan" (the first time), "eb_lopande" (every month); "ekonomiskt_bistand" is '
        "the first short form, kept for old clients.",
    )
    period = period_field("For a monthly form: the month applied for (YYYY-MM). Leave out for the period open now.")


class SaveAnswersSchema(RequestSchema):
    answers = Answers(
        required=True,
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_OBJECT},
        metadata={
            "description": "Question name → answer: text, or a whole number; a repeating group as a list of rows "
            '(each an object of question → answer, e.g. "inkomster": [{"slag": "lon", "belopp": 12000}]); a file '
            "question as a list of attachment ids (from POST …/attachments). Only the questions sent are changed. "
            'A wrong answer is reported by its path, e.g. "answers.inkomster[1].belopp".',
            "maxProperties": MAX_ANSWERS,
        },
    )
    version = version_field()


class SubmitSchema(RequestSchema):
    version = version_field()
    signature_id = Id(
        data_key="signatureId",
        metadata={
            "description": "Forms that need signing: the signatureId from POST …/sign/collect (the BankID signature "
            "of this version's signing text)."
        },
    )


def _no_empty_completion(data: dict[str, Any]) -> None:
    if not data.get("text", "").strip() and not data.get("attachment_ids"):
        raise ValidationError({"text": [texts.FIELD_COMPLETION_EMPTY]})


class CompletionSchema(RequestSchema):
    text = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_COMPLETION_TEXT, error=texts.FIELD_TOO_LONG),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={"description": "What the resident answers (may be empty when attachments are sent)."},
    )
    attachment_ids = fields.List(
        Id(),
        data_key="attachmentIds",
        load_default=list,
        validate=validate.Length(max=MAX_COMPLETION_FILES, error=texts.FIELD_TOO_MANY_ITEMS),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_FILE_ID},
        metadata={"description": "Ids of attachments uploaded to the case for this completion."},
    )
    version = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_VERSION, error=texts.FIELD_VERSION),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_VERSION, "too_large": texts.FIELD_VERSION},
        metadata={
            "description": "The case's version the app last read: two sends of one screen add once (0: not checked)."
        },
    )

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        _no_empty_completion(data)


class WithdrawSchema(RequestSchema):
    reason = fields.String(
        validate=validate.Length(max=MAX_WITHDRAW_REASON, error=texts.FIELD_TOO_LONG),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_NOT_TEXT, "invalid_utf8": texts.FIELD_NOT_TEXT},
        metadata={"description": "Optional: why (kept on the case's timeline)."},
    )


class CaseCalculationLineSchema(CalculationLineSchema):
    adjusted = fields.Boolean(required=True, metadata={"description": "A case worker changed this line."})
    original = fields.Integer(required=True, metadata={"description": "The amount before the change."})
    reason = fields.String(required=True, metadata={"description": "Why it was changed (Swedish)."})


class CaseCalculationSchema(CalculationSchema):
    lines = fields.List(fields.Nested(CaseCalculationLineSchema), required=True)


class TimelineEntrySchema(ResponseSchema):
    at = fields.DateTime(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"description": f"The case's status after the entry: {STATUSES}"})
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
    open_for_resident = fields.Boolean(
        data_key="openForResident",
        required=True,
        metadata={"description": "The resident may answer now, or add text and files to the answer (until dueDate)."},
    )
    overdue = fields.Boolean(required=True, metadata={"description": "The due date passed without an answer."})


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
    status = fields.String(required=True, metadata={"description": STATUSES})
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
    next_step_date = fields.String(
        data_key="nextStepDate",
        allow_none=True,
        required=True,
        metadata={"description": "YYYY-MM-DD of what happens next (due date, decision target, payment day)."},
    )
    handled_by = fields.Nested(
        "HandlerSchema",
        data_key="handledBy",
        allow_none=True,
        required=True,
        metadata={"description": "Who handles the case, and where to ask about it; null until it is sent."},
    )
    copy_url = fields.String(
        data_key="copyUrl",
        allow_none=True,
        required=True,
        metadata={"description": "The PDF copy of what was sent (GET with the bearer token); null until sent."},
    )


class HandlerSchema(ResponseSchema):
    case_worker_name = fields.String(
        data_key="caseWorkerName", allow_none=True, required=True, metadata={"description": "null until one acts."}
    )
    unit_name = fields.String(data_key="unitName", required=True)
    unit_name_en = fields.String(data_key="unitNameEn", required=True)
    contact_topic = fields.String(
        data_key="contactTopic",
        required=True,
        metadata={"description": "The topic for POST /v1/questions about the case (with applicationId)."},
    )


class ApplicationListSchema(ResponseSchema):
    applications = fields.List(fields.Nested(ApplicationSummarySchema), required=True)
