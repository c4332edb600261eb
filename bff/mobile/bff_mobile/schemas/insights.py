"""Comparisons with other municipalities (Kolada key figures) and guides by life situation."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from bff_mobile import texts
from bff_mobile.schemas.common import RequestSchema, ResponseSchema, text_field
from fickan.insights.v1 import insights_pb2
from fickan_common import limits

# The contract's cap on a resident's pick, read from the proto (the service enforces it too).
MAX_MUNICIPALITIES = limits.of(insights_pb2.GetComparisonRequest, "municipality_ids").max_items or 0
MUNICIPALITIES = r"^\d{4}(,\d{4})*$"
OPTION = r"^[a-z0-9][a-z0-9-]{0,59}$"


class ComparisonQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    kpi = text_field(
        max_length=20, required=False, description="A KPI of this comparison (Kolada id); leave out for the first."
    )
    set = text_field(
        max_length=60, required=False, description="A comparison group of this comparison; leave out for the first."
    )
    municipalities = text_field(
        max_length=500,  # a bound on the text; the count is checked below
        required=False,
        pattern=MUNICIPALITIES,
        pattern_message=texts.FIELD_MUNICIPALITIES,
        description=f"The resident's pick among the group's members: Kolada ids, comma-separated, at most "
        f"{MAX_MUNICIPALITIES}. Leave out to compare with the whole group.",
    )
    year = fields.Integer(
        validate=validate.Range(min=1990, max=2100, error=texts.FIELD_YEAR),
        error_messages={"invalid": texts.FIELD_YEAR},
        metadata={"description": "One year only (rank and mean of that year); leave out for every year kept."},
    )

    @validates("municipalities")
    def _at_most(self, value: str, **_: Any) -> None:
        if len(value.split(",")) > MAX_MUNICIPALITIES:
            raise ValidationError(f"Välj högst {MAX_MUNICIPALITIES} kommuner att jämföra med.")


class MunicipalitySchema(ResponseSchema):
    id = fields.String(required=True, metadata={"description": "Kolada's id, e.g. 1283; 0000 is the country."})
    title = fields.String(required=True)


class KpiSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    unit = fields.String(required=True)
    higher_is_better = fields.Boolean(data_key="higherIsBetter", required=True)


class ComparisonSetSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    members = fields.List(fields.Nested(MunicipalitySchema), required=True)


class ComparisonServiceSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    kpis = fields.List(fields.Nested(KpiSchema), required=True)
    sets = fields.List(fields.Nested(ComparisonSetSchema), required=True)


class ComparisonServiceListSchema(ResponseSchema):
    home = fields.Nested(MunicipalitySchema, required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Demo figures, not from Kolada: say so."})
    services = fields.List(fields.Nested(ComparisonServiceSchema), required=True)


class PointSchema(ResponseSchema):
    year = fields.Integer(required=True)
    value = fields.Float(allow_none=True, required=True, metadata={"description": "null: no figure that year."})
    status = fields.String(required=True, metadata={"description": "Kolada's status of the figure, often empty."})


class SeriesSchema(ResponseSchema):
    municipality = fields.Nested(MunicipalitySchema, required=True)
    home = fields.Boolean(required=True)
    reference = fields.Boolean(required=True, metadata={"description": "The whole country."})
    points = fields.List(fields.Nested(PointSchema), required=True)


class YearSummarySchema(ResponseSchema):
    year = fields.Integer(required=True)
    mean = fields.Float(allow_none=True, required=True, metadata={"description": "Of the chosen municipalities."})
    rank = fields.Integer(allow_none=True, required=True, metadata={"description": "1 = best; null: no figure."})
    ranked = fields.Integer(required=True, metadata={"description": "How many had a figure that year."})
    comment = fields.String(required=True, metadata={"description": "The municipality's comment, or empty."})


class ComparisonSchema(ResponseSchema):
    service = fields.Nested(ComparisonServiceSchema, required=True)
    kpi = fields.Nested(KpiSchema, required=True)
    set = fields.Nested(ComparisonSetSchema, required=True)
    chosen = fields.List(fields.Nested(MunicipalitySchema), required=True)
    years = fields.List(fields.Integer(), required=True)
    series = fields.List(fields.Nested(SeriesSchema), required=True)
    summaries = fields.List(fields.Nested(YearSummarySchema), required=True)
    fetched_at = fields.DateTime(data_key="fetchedAt", allow_none=True, required=True)
    demo = fields.Boolean(required=True)
    source = fields.String(required=True, metadata={"description": "Name it beside the figures (CC BY 4.0)."})


class GuideSchema(ResponseSchema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    target_group = fields.String(data_key="targetGroup", required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)


class GuideListSchema(ResponseSchema):
    guides = fields.List(fields.Nested(GuideSchema), required=True)


class GuideOptionSchema(ResponseSchema):
    id = fields.String(required=True)
    label = fields.String(required=True)


class GuideQuestionSchema(ResponseSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    help = fields.String(required=True)
    options = fields.List(fields.Nested(GuideOptionSchema), required=True)


class GuideLinkSchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "e_service | information | contact"})
    title = fields.String(required=True)
    description = fields.String(required=True)
    url = fields.String(
        required=True, metadata={"description": "information: a page (relative: the web's); contact: tel: or a page"}
    )
    e_service_id = fields.String(
        data_key="eServiceId", required=True, metadata={"description": "e_service: the id in GET /v1/e-services."}
    )
    contact_group = fields.String(
        data_key="contactGroup",
        required=True,
        metadata={"description": "contact: the contact centre's topic, to preselect when asking a question."},
    )


class GuideResultSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    links = fields.List(fields.Nested(GuideLinkSchema), required=True)


class GuideAnswerSchema(ResponseSchema):
    question_id = fields.String(data_key="questionId", required=True)
    question = fields.String(required=True)
    option_id = fields.String(data_key="optionId", required=True)
    answer = fields.String(required=True)


class GuideStepSchema(ResponseSchema):
    session_id = fields.String(data_key="sessionId", required=True)
    guide = fields.Nested(GuideSchema, required=True)
    step = fields.Integer(required=True, metadata={"description": "The number of the question shown."})
    question = fields.Nested(
        GuideQuestionSchema, allow_none=True, required=True, metadata={"description": "null when ended"}
    )
    result = fields.Nested(
        GuideResultSchema, allow_none=True, required=True, metadata={"description": "set when ended"}
    )
    answers = fields.List(fields.Nested(GuideAnswerSchema), required=True)


class GuideAnswerRequestSchema(RequestSchema):
    question_id = text_field(max_length=60, data_key="questionId", pattern=OPTION, pattern_message=texts.FIELD_SLUG)
    option_id = text_field(max_length=60, data_key="optionId", pattern=OPTION, pattern_message=texts.FIELD_SLUG)
