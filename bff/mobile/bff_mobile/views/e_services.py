"""The public catalogue: e-services, their forms, the monthly period and the provräkning."""

from __future__ import annotations

import json
import logging
from typing import Any

from bff_mobile.api import call
from bff_mobile.schemas.e_services import (
    CalculationSchema,
    EServiceListSchema,
    EstimateRequestSchema,
    FormQuerySchema,
    FormSchema,
    PeriodQuerySchema,
    PeriodSchema,
)
from bff_mobile.views.applications import calculation_body
from bff_mobile.views.common import api, services
from fickan.applications.v1 import applications_pb2 as apps_pb

log = logging.getLogger(__name__)


def _definition(definition_json: str) -> dict[str, Any] | None:
    if not definition_json:
        return None
    try:
        definition = json.loads(definition_json)
    except ValueError:
        log.warning("form definition is not JSON")
        return None
    return definition if isinstance(definition, dict) else None


# --- E-services, forms, periods and the provräkning (public) ------------------------------------
@api.route(
    "/e-services",
    "GET",
    summary="The municipality's e-services and their forms",
    description="Public: no login needed. Each e-service lists its forms and when to use each "
    '(e.g. "eb_grundansokan" the first time, "eb_lopande" every month).',
    tag="e-services",
    response=EServiceListSchema,
    public=True,
    errors=(503,),
)
def list_e_services() -> dict[str, Any]:
    answer = call(services().applications, "ListEServices", apps_pb.ListEServicesRequest(), public=True)
    return {
        "e_services": [
            {
                "id": e.id,
                "title": e.title,
                "description": e.description,
                "forms": [{"kind": f.kind, "title": f.title, "when": f.when} for f in e.forms],
            }
            for e in answer.e_services
        ]
    }


@api.route(
    "/forms/<kind>",
    "GET",
    summary="The form of an e-service",
    description="Public: no login needed. `definition` is the whole form (steps, questions, conditions, rules, "
    "help); `fields` the questions as one flat list for simple clients. A draft keeps the form version it was "
    "made with: ask for that one with ?version=.",
    tag="e-services",
    query=FormQuerySchema,
    response=FormSchema,
    public=True,
    errors=(400, 404, 503),
)
def get_form(kind: str, query: dict[str, Any]) -> dict[str, Any]:
    form = call(
        services().applications,
        "GetForm",
        apps_pb.GetFormRequest(kind=kind, version=query.get("version", 0)),
        public=True,
    )
    return {
        "kind": form.kind,
        "version": form.version,
        "title": form.title,
        "fields": [
            {"name": f.name, "type": f.type, "label": f.label, "help": f.help, "required": f.required}
            for f in form.fields
        ],
        "definition": _definition(form.definition_json),
        "period_bound": form.period_bound,
        "requires_signature": form.requires_signature,
    }


@api.route(
    "/periods/current",
    "GET",
    summary="When the monthly application can be handed in",
    description="Public: no login needed. Without ?period= the window open now, or the next one.",
    tag="e-services",
    query=PeriodQuerySchema,
    response=PeriodSchema,
    public=True,
    errors=(400, 404, 503),
)
def current_period(query: dict[str, Any]) -> dict[str, Any]:
    window = call(
        services().applications, "GetPeriod", apps_pb.GetPeriodRequest(period=query.get("period", "")), public=True
    )
    return {
        "period": window.period,
        "opens": window.opens,
        "closes": window.closes,
        "open": window.open,
        "text": window.text,
        "payment_day": window.payment_day,
    }


@api.route(
    "/estimate",
    "POST",
    summary="Provräkning: an estimate of ekonomiskt bistånd — not a decision",
    description="Public: no login needed, nothing is saved. The answer is an ESTIMATE ONLY, NOT A DECISION and "
    "not an application: it applies this year's riksnorm to the household and the costs and incomes given. The "
    "municipality assesses the whole situation when someone applies (assets, other benefits, reasonable costs), "
    "so the real decision can differ. Always show `caveat` (Swedish) with the result. A result above 0 means the "
    "household might be entitled to about that much per month.",
    tag="e-services",
    body=EstimateRequestSchema,
    response=CalculationSchema,
    public=True,
    errors=(400, 503),
)
def estimate(body: dict[str, Any]) -> dict[str, Any]:
    request_message = apps_pb.EstimateRequest(
        adults=body["adults"],
        children_ages=body["children_ages"],
        housing=body["housing"],
        electricity=body["electricity"],
        home_insurance=body["home_insurance"],
        work_travel=body["work_travel"],
        union_fee=body["union_fee"],
        akassa_fee=body["akassa_fee"],
        earned_income=body["earned_income"],
        other_income=body["other_income"],
    )
    return calculation_body(call(services().applications, "Estimate", request_message, public=True))
