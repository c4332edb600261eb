"""Properties, tried by hypothesis over many generated households and answers: the calculation never
crashes on valid input, never pays a negative amount and its totals add up; more income never raises
the amount and a higher cost never lowers it; bad input is refused as ValidationFailed and nothing
else; any answers a client may send to any form are either cleaned or refused, never a crash; and
the calculation input read from cleaned answers is always one the calculation accepts."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.domain import calculation, calculation_input, forms
from applications.domain.calculation import (
    ASSESSED,
    ASSESSED_COSTS,
    COST,
    COSTS,
    DISREGARD,
    INCOME,
    INCOME_KINDS,
    MAX_AMOUNT,
    MAX_CHILD_AGE,
    MAX_CHILDREN,
    NORM,
    PERSONS,
    CalculationInput,
    Child,
    Income,
    available_years,
    calculate,
)
from fickan_common.errors import ValidationFailed

YEARS = available_years()
FORMS = [forms.form_for(kind) for kind in ("ekonomiskt_bistand", "eb_lopande", "eb_grundansokan")]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.integers(min_value=0, max_value=MAX_AMOUNT)
children = st.builds(
    Child,
    age=st.integers(min_value=0, max_value=MAX_CHILD_AGE),
    lunch_at_school=st.booleans(),
    age_known=st.booleans(),
)
incomes = st.builds(
    Income, kind=st.sampled_from(sorted(INCOME_KINDS)), amount=amounts, person=st.sampled_from(sorted(PERSONS))
)
households = st.builds(
    CalculationInput,
    year=st.sampled_from(YEARS),
    adults=st.sampled_from([1, 2]),
    children=st.lists(children, max_size=MAX_CHILDREN).map(tuple),
    costs=st.dictionaries(st.sampled_from(sorted(COSTS)), amounts),
    assessed_costs=st.dictionaries(st.sampled_from(sorted(ASSESSED_COSTS)), amounts),
    incomes=st.lists(incomes, max_size=6).map(tuple),
    months_on_support=st.integers(min_value=0, max_value=1200),
    months_with_jobbstimulans=st.integers(min_value=0, max_value=1200),
    housing_cap=st.none() | amounts,
)


@pytest.fixture(autouse=True)
def _packaged_tables_only(monkeypatch):
    monkeypatch.setattr(calculation, "own_tables_dir", None)


@SETTINGS
@given(households)
def test_the_amount_is_never_negative_and_the_totals_add_up(household):
    result = calculate(household)

    by_kind = {kind: sum(x.amount for x in result.lines if x.kind == kind) for kind in (NORM, COST, ASSESSED)}
    incomes_counted = -sum(x.amount for x in result.lines if x.kind == INCOME)
    disregarded = sum(x.amount for x in result.lines if x.kind == DISREGARD)
    assert result.result >= 0 and result.income_total >= 0
    assert result.norm_total == by_kind[NORM] > 0
    assert result.costs_total == by_kind[COST] + by_kind[ASSESSED]
    assert result.need_total == result.norm_total + result.costs_total
    assert result.income_total == max(0, incomes_counted - disregarded)
    assert result.result == max(0, result.need_total - result.income_total)
    assert 0 <= disregarded <= incomes_counted  # a disregard never counts more than was earned
    for line in result.lines:
        assert (line.amount <= 0) if line.kind == INCOME else (line.amount >= 0), line


@SETTINGS
@given(households, incomes)
def test_more_income_never_raises_the_amount(household, extra):
    more = dataclasses.replace(household, incomes=(*household.incomes, extra))
    assert calculate(more).result <= calculate(household).result


@SETTINGS
@given(households, st.sampled_from(sorted(COSTS)), st.integers(min_value=1, max_value=50_000))
def test_a_higher_cost_never_lowers_the_amount(household, cost, more):
    before = household.costs.get(cost, 0)
    higher = dataclasses.replace(household, costs={**household.costs, cost: min(MAX_AMOUNT, before + more)})
    assert calculate(higher).result >= calculate(household).result


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=8),
    st.floats(allow_nan=True),
)


@SETTINGS
@given(
    adults=anything,
    ages=st.lists(anything, max_size=3),
    cost=anything,
    cost_key=st.sampled_from([*sorted(COSTS), "okänd", ""]),
    income=anything,
    kind=st.sampled_from([*sorted(INCOME_KINDS), "lotteri"]),
    months=anything,
)
def test_bad_input_is_refused_as_a_validation_error_and_nothing_else(
    adults, ages, cost, cost_key, income, kind, months
):
    household = CalculationInput(
        year=YEARS[-1],
        adults=adults,
        children=tuple(Child(age=age) for age in ages),
        costs={cost_key: cost},
        incomes=(Income(kind=kind, amount=income),),
        months_on_support=months,
    )
    try:
        result = calculate(household)
    except ValidationFailed as refused:
        assert refused.field_errors  # each problem named by its field
    else:
        assert result.result >= 0


# Answers as any client could send them: known and unknown names, text, numbers, lists and rows.
scalars = st.one_of(st.text(max_size=12), st.sampled_from(["0", "1", "ja", "nej", "2026-12", "6500", "-5", "1e9"]))
values: Any = st.recursive(
    scalars | st.integers() | st.none() | st.booleans(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def answers_for(form: forms.Form) -> st.SearchStrategy[dict[str, Any]]:
    names = [q.id for q in form.questions] + ["okand_fraga"]
    return st.dictionaries(st.sampled_from(names), values, max_size=12)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.kind)
@SETTINGS
@given(data=st.data())
def test_any_answers_are_cleaned_or_refused_and_what_is_kept_can_be_calculated(form, data):
    answers = data.draw(answers_for(form))
    try:
        cleaned = forms.clean_answers(form, answers)
    except ValidationFailed as refused:
        assert set(refused.field_errors) and all(refused.field_errors.values())
        return
    assert set(cleaned) <= set(answers)
    forms.completeness_errors(form, cleaned)  # never crashes on what was kept
    household = calculation_input.read(form, cleaned, YEARS[-1])
    assert calculate(household).result >= 0
