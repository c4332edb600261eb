"""The public pre-calculation (provräkning): anyone, without logging in, can see roughly what they
might get, line by line, with the same calculation the case workers use and a clear caveat."""

from __future__ import annotations

import re

import grpc
from flask import Blueprint, render_template, request

from bff_web import numbers
from bff_web.i18n import said_fields, t
from bff_web.session import services
from fickan.applications.v1 import applications_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("estimate", __name__)

AMOUNTS = (
    "housing",
    "electricity",
    "home_insurance",
    "work_travel",
    "union_fee",
    "akassa_fee",
    "earned_income",
    "other_income",
)


def _whole(raw: str) -> int | None:
    """A whole number (bff_web.numbers: ASCII digits, within the contract's integers), else None.
    The ranges are the service's (EstimateRequest's limits): it answers with field errors."""
    return numbers.whole(raw)


def _amount(name: str, errors: dict[str, str]) -> int:
    raw = re.sub(r"\s", "", request.form.get(name, ""))
    if not raw:
        return 0
    amount = _whole(raw)
    if amount is None:
        errors[name] = t("estimate_amount_invalid")
        return 0
    return amount


def _page(values: dict[str, str], errors: dict[str, str], result: object) -> str:
    fields = [(name, t(f"estimate_{name}")) for name in ("children_ages", *AMOUNTS)]
    return render_template("estimate.html", values=values, errors=errors, result=result, fields=fields)


@bp.get("/provrakning")
def form() -> str:
    return _page({}, {}, None)


@bp.post("/provrakning")
def calculate() -> tuple[str, int]:
    errors: dict[str, str] = {}
    values = {k: request.form.get(k, "")[:20] for k in (*AMOUNTS, "adults", "children_ages")}
    adults = _whole(request.form.get("adults", "1").strip())
    if adults is None:
        errors["adults"] = t("estimate_adults_invalid")
    ages: list[int] = []
    for part in re.split(r"[,\s]+", request.form.get("children_ages", "").strip())[:100]:
        age = _whole(part) if part else None
        if part and age is None:
            errors["children_ages"] = t("estimate_ages_invalid")
            break
        if age is not None:
            ages.append(age)
    amounts = {name: _amount(name, errors) for name in AMOUNTS}
    if errors:
        return _page(values, errors, None), 400
    try:
        result = services().applications.call(
            "Estimate", pb.EstimateRequest(adults=adults or 0, children_ages=ages, **amounts)
        )
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return _page(values, said_fields(exc), None), 400
    return _page(values, {}, result), 200
