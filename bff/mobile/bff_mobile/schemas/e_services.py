"""The public catalogue: e-services, forms, periods and the provräkning."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import (
    BASE_MESSAGES,
    MAX_ADULTS,
    MAX_AMOUNT,
    MAX_CHILD_AGE,
    MAX_CHILDREN,
    MAX_FORM_VERSION,
    MIN_ADULTS,
    RequestSchema,
    ResponseSchema,
    period_field,
)


def kronor(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


AMOUNT_MESSAGE = texts.FIELD_AMOUNT.format(max=kronor(MAX_AMOUNT))
CHILD_AGE_MESSAGE = texts.FIELD_CHILD_AGE.format(max=MAX_CHILD_AGE)
CHILDREN_MESSAGE = texts.FIELD_CHILDREN.format(max=MAX_CHILDREN)


def _amount(data_key: str, description: str) -> fields.Integer:
    return fields.Integer(
        data_key=data_key,
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_AMOUNT, error=AMOUNT_MESSAGE),
        error_messages={**BASE_MESSAGES, "invalid": AMOUNT_MESSAGE, "too_large": AMOUNT_MESSAGE},
        metadata={"description": f"{description} Kronor per month, 0–{kronor(MAX_AMOUNT)} (default 0)."},
    )


class EstimateRequestSchema(RequestSchema):
    adults = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=MIN_ADULTS, max=MAX_ADULTS, error=texts.FIELD_ADULTS),
        error_messages={**BASE_MESSAGES, "invalid": texts.FIELD_ADULTS, "too_large": texts.FIELD_ADULTS},
        metadata={"description": f"Adults in the household: {MIN_ADULTS} to {MAX_ADULTS}."},
    )
    children_ages = fields.List(
        fields.Integer(
            strict=True,
            validate=validate.Range(min=0, max=MAX_CHILD_AGE, error=CHILD_AGE_MESSAGE),
            error_messages={**BASE_MESSAGES, "invalid": CHILD_AGE_MESSAGE, "too_large": CHILD_AGE_MESSAGE},
        ),
        data_key="childrenAges",
        load_default=list,
        validate=validate.Length(max=MAX_CHILDREN, error=CHILDREN_MESSAGE),
        error_messages={**BASE_MESSAGES, "invalid": CHILDREN_MESSAGE},
        metadata={
            "description": f"The age of each child living in the household (0–{MAX_CHILD_AGE}), at most {MAX_CHILDREN}."
        },
    )
    housing = _amount("housing", "Rent or housing cost.")
    electricity = _amount("electricity", "Household electricity.")
    home_insurance = _amount("homeInsurance", "Home insurance.")
    work_travel = _amount("workTravel", "Travel to and from work.")
    union_fee = _amount("unionFee", "Trade union fee.")
    akassa_fee = _amount("akassaFee", "Unemployment fund (a-kassa) fee.")
    earned_income = _amount("earnedIncome", "The household's earned income after tax.")
    other_income = _amount("otherIncome", "Benefits and other income after tax.")


class FormQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_FORM_VERSION, error=texts.FIELD_FORM_VERSION),
        error_messages={"invalid": texts.FIELD_FORM_VERSION},
        metadata={
            "description": "A given version of the form (a draft keeps the version it was made with). "
            "Leave out for the newest."
        },
    )


class PeriodQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # caches and proxies add parameters of their own

    period = period_field("The month (YYYY-MM) to apply for. Leave out for the window open now, or the next one.")


class EServiceFormSchema(ResponseSchema):
    kind = fields.String(required=True, metadata={"description": "For GET /v1/forms/{kind} and POST /v1/applications."})
    title = fields.String(required=True)
    when = fields.String(required=True, metadata={"description": "When to use this form, in Swedish."})


class EServiceSchema(ResponseSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    forms = fields.List(fields.Nested(EServiceFormSchema), required=True)


class EServiceListSchema(ResponseSchema):
    e_services = fields.List(fields.Nested(EServiceSchema), data_key="eServices", required=True)


FIELD_TYPES = ["text", "integer", "number", "month", "date", "choice", "yesno", "group", "file", "personnummer"]


class FormFieldSchema(ResponseSchema):
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    label = fields.String(required=True)
    help = fields.String(required=True)
    required = fields.Boolean(required=True)


class FormSchema(ResponseSchema):
    kind = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    fields_ = fields.List(
        fields.Nested(FormFieldSchema),
        data_key="fields",
        attribute="fields",
        required=True,
        metadata={"description": "The questions as one flat list (for simple clients)."},
    )
    definition = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "The whole definition: steps, questions (with show_if conditions, rules, help, options and "
            "the items of repeating groups), as the applications service keeps it."
        },
    )
    period_bound = fields.Boolean(
        data_key="periodBound", required=True, metadata={"description": "A monthly form: applied for one period."}
    )
    requires_signature = fields.Boolean(
        data_key="requiresSignature",
        required=True,
        metadata={"description": "Submitting needs a BankID signature (…/signing-text, …/sign/start)."},
    )


class PeriodSchema(ResponseSchema):
    period = fields.String(required=True, metadata={"description": "The month the money is for (YYYY-MM)."})
    opens = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    closes = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    open = fields.Boolean(required=True, metadata={"description": "The application can be handed in now."})
    text = fields.String(required=True, metadata={"description": "In plain Swedish, to show as it is."})
    payment_day = fields.String(
        data_key="paymentDay",
        required=True,
        metadata={"description": "YYYY-MM-DD: when the money is paid for an application handed in on time."},
    )


class CalculationLineSchema(ResponseSchema):
    code = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "Swedish."})
    label_en = fields.String(data_key="labelEn", required=True)
    amount = fields.Integer(required=True, metadata={"description": "Kronor per month."})
    kind = fields.String(required=True, metadata={"description": "norm | cost | assessed | income | disregard"})
    estimated = fields.Boolean(required=True)
    note = fields.String(required=True)


class CalculationSchema(ResponseSchema):
    year = fields.Integer(required=True, metadata={"description": "The year of the riksnorm used."})
    lines = fields.List(fields.Nested(CalculationLineSchema), required=True)
    norm_total = fields.Integer(data_key="normTotal", required=True)
    costs_total = fields.Integer(data_key="costsTotal", required=True)
    need_total = fields.Integer(data_key="needTotal", required=True)
    income_total = fields.Integer(data_key="incomeTotal", required=True)
    result = fields.Integer(
        required=True, metadata={"description": "Need minus income, kronor per month (below 0: no support)."}
    )
    estimated = fields.Boolean(required=True)
    caveat = fields.String(required=True, metadata={"description": "What the numbers mean, in Swedish; show it."})
