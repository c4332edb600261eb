"""Fault reports (felanmälan) and feedback."""

from __future__ import annotations

from marshmallow import fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import BASE_MESSAGES, Id, RequestSchema, ResponseSchema, text_field
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan_common import limits

_REPORT = contact_pb.ReportFaultRequest
MAX_CODE = limits.of(_REPORT, "service_code").max_length or 0
MAX_DESCRIPTION = limits.of(_REPORT, "description").max_length or 0
MAX_ADDRESS = limits.of(_REPORT, "address").max_length or 0
MAX_ATTRIBUTES = limits.of(_REPORT, "attributes").max_items or 0
MAX_COMMENT = limits.of(contact_pb.GiveFeedbackRequest, "comment").max_length or 0
RATING = limits.of(contact_pb.GiveFeedbackRequest, "rating")
texts.contract_hint(RATING)


class ReportFaultSchema(RequestSchema):
    service_code = text_field(
        max_length=MAX_CODE, data_key="serviceCode", description="From GET /v1/fault-reports/kinds"
    )
    description = text_field(max_length=MAX_DESCRIPTION, description="Published: no names or personal details.")
    lat = fields.Float(required=False, allow_nan=False, error_messages=BASE_MESSAGES, metadata={"description": "WGS84"})
    long = fields.Float(
        required=False, allow_nan=False, error_messages=BASE_MESSAGES, metadata={"description": "WGS84"}
    )
    address = text_field(max_length=MAX_ADDRESS, required=False, description="When there is no position.")
    attributes = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=20)),
        required=False,
        validate=validate.Length(max=MAX_ATTRIBUTES, error=texts.FIELD_TOO_LONG),
        metadata={"description": "The kind's questions: code -> answers (keys of its values)."},
    )


class FaultAttributeValueSchema(ResponseSchema):
    key = fields.String(required=True)
    name = fields.String(required=True)


class FaultAttributeSchema(ResponseSchema):
    code = fields.String(required=True)
    datatype = fields.String(required=True)
    required = fields.Boolean(required=True)
    description = fields.String(required=True)
    values = fields.List(fields.Nested(FaultAttributeValueSchema), required=True)


class FaultKindSchema(ResponseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(data_key="nameEn", required=True)
    description = fields.String(required=True)
    attributes = fields.List(fields.Nested(FaultAttributeSchema), required=True)


class FaultKindListSchema(ResponseSchema):
    kinds = fields.List(fields.Nested(FaultKindSchema), required=True)
    area = fields.String(required=True, metadata={"description": "Where reports are accepted"})


class FaultReportSchema(ResponseSchema):
    id = fields.String(required=True, metadata={"description": "The Open311 service_request_id"})
    question_id = fields.String(data_key="questionId", required=True, metadata={"description": "Follow it here"})
    status = fields.String(required=True, metadata={"description": "open | closed"})
    service_name = fields.String(data_key="serviceName", required=True)


class FeedbackSubjectSchema(RequestSchema):
    """What a rating is about: a closed contact, a held booking or a sent e-service."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf(("contact", "booking", "e_service"), error=texts.FIELD_NOT_TEXT),
        error_messages=BASE_MESSAGES,
        metadata={"description": "contact | booking | e_service"},
    )
    subject_id = Id(data_key="subjectId", required=True)


class GiveFeedbackSchema(FeedbackSubjectSchema):
    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=RATING.min, max=RATING.max, error=RATING.hint or texts.FIELD_NOT_TEXT),
        error_messages=BASE_MESSAGES,
        metadata={"description": "1-5, as the contract declares"},
    )
    comment = fields.String(required=False, validate=validate.Length(max=MAX_COMMENT, error=texts.FIELD_TOO_LONG))


class FeedbackQuerySchema(FeedbackSubjectSchema):
    """The query of GET /v1/feedback: the same subject as a rating names."""


class FeedbackSchema(ResponseSchema):
    id = fields.String(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(required=True)
    editable_until = fields.DateTime(data_key="editableUntil", allow_none=True, required=True)


class MyFeedbackSchema(ResponseSchema):
    given = fields.Boolean(required=True, metadata={"description": "false: not rated yet (the other fields empty)"})
    id = fields.String(required=True)
    rating = fields.Integer(required=True, metadata={"description": "1-5; 0 when not given"})
    comment = fields.String(required=True)
    editable_until = fields.DateTime(
        data_key="editableUntil", allow_none=True, required=True, metadata={"description": "Changeable until then"}
    )
