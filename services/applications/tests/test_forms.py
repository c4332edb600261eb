"""Answers are checked against the form definition with Swedish messages."""

from __future__ import annotations

import pytest

from applications.domain.forms import EKONOMISKT_BISTAND as FORM
from applications.domain.forms import check_complete, clean_answers, form_for
from fickan_common.errors import NotFound, ValidationFailed

COMPLETE = {
    "period": "2026-12",
    "household_adults": "1",
    "household_children": "0",
    "housing_cost": "6500",
    "income": "0",
}


def test_valid_answers_are_kept_trimmed():
    assert clean_answers(FORM, {"period": " 2026-12 ", "income": "1200"}) == {"period": "2026-12", "income": "1200"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("income", "12 000", "heltal"),
        ("income", "-5", "heltal"),
        ("household_adults", "3", "mellan 1 och 2"),
        ("period", "2026-13", "ÅÅÅÅ-MM"),
        ("period", "december", "ÅÅÅÅ-MM"),
        ("other", "x" * 2001, "högst 2000"),
        ("shoe_size", "42", "finns inte"),
    ],
)
def test_malformed_answers_get_a_swedish_message_per_field(field, value, message):
    with pytest.raises(ValidationFailed) as err:
        clean_answers(FORM, {field: value})
    assert message in err.value.field_errors[field]


def test_submitting_needs_every_required_answer():
    check_complete(FORM, COMPLETE)
    with pytest.raises(ValidationFailed) as err:
        check_complete(FORM, {**COMPLETE, "income": ""})
    assert list(err.value.field_errors) == ["income"]


def test_unknown_e_service_is_not_found():
    with pytest.raises(NotFound):
        form_for("hundbidrag")
