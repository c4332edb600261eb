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


def test_digits_of_other_scripts_are_stored_as_ascii_digits():
    """The probe: "٣٠٠٠" was stored as typed and calculated as 3000."""
    cleaned = clean_answers(FORM, {"income": "٣٠٠٠", "housing_cost": "६५००", "period": "٢٠٢٦-١٢"})
    assert cleaned == {"income": "3000", "housing_cost": "6500", "period": "2026-12"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("income", "²"),  # "²".isdigit() is true and int("²") fails
        ("income", "3²"),
        ("income", "99999999999999999999"),
        ("other", "hej\x00då"),
        ("other", "\x07"),
    ],
)
def test_superscripts_huge_numbers_and_control_characters_are_refused(field, value):
    with pytest.raises(ValidationFailed) as err:
        clean_answers(FORM, {field: value})
    assert err.value.field_errors[field]


def test_submitting_needs_every_required_answer():
    check_complete(FORM, COMPLETE)
    with pytest.raises(ValidationFailed) as err:
        check_complete(FORM, {**COMPLETE, "income": ""})
    assert list(err.value.field_errors) == ["income"]


def test_unknown_e_service_is_not_found():
    with pytest.raises(NotFound):
        form_for("hundbidrag")
