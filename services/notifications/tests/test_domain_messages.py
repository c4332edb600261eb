"""The texts residents read in their inbox, and which events are too broken to deliver."""

import pytest

from notifications.domain import messages
from notifications.domain.messages import MalformedEvent


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-12", "december 2026"),
        ("2027-01", "januari 2027"),
        ("2026-05", "maj 2026"),
        ("2026-03", "mars 2026"),
    ],
)
def test_period_is_written_as_swedish_month_and_year(period: str, expected: str) -> None:
    assert messages.month_name(period) == expected


@pytest.mark.parametrize("period", ["", "2026-13", "2026-00", "2026-1", "december 2026", "2026-12-01"])
def test_unreadable_period_has_no_month_name(period: str) -> None:
    assert messages.month_name(period) is None


def test_every_month_has_its_own_lowercase_swedish_name() -> None:
    names = [messages.month_name(f"2026-{m:02d}") for m in range(1, 13)]
    assert len(set(names)) == 12
    assert all(name is not None and name == name.lower() for name in names)


def test_application_receipt_names_the_benefit_the_month_and_what_happens_next() -> None:
    text = messages.application_received("a1b2", "ekonomiskt_bistand", "2026-12")
    assert text.subject == "Vi har tagit emot din ansökan"
    assert "ekonomiskt bistånd" in text.body
    assert "december 2026" in text.body
    assert "beslut" in text.body
    assert text.reference == "application:a1b2"


def test_application_receipt_without_readable_period_or_known_kind_still_confirms_receipt() -> None:
    text = messages.application_received("a1b2", "", "")
    assert text.body.startswith("Vi har tagit emot din ansökan.")
    assert " för " not in text.body
    assert "2026" not in text.body


def test_question_receipt_refers_to_the_question() -> None:
    text = messages.question_received("q-9")
    assert text.subject == "Vi har tagit emot din fråga"
    assert text.reference == "question:q-9"
    assert "svar" in text.body


@pytest.mark.parametrize("value", ["", "   "])
def test_missing_id_makes_the_event_malformed(value: str) -> None:
    with pytest.raises(MalformedEvent, match="applicant_id"):
        messages.require_id("applicant_id", value)


def test_id_longer_than_the_store_holds_makes_the_event_malformed() -> None:
    with pytest.raises(MalformedEvent):
        messages.require_id("applicant_id", "x" * 37)


def test_usable_id_is_returned_trimmed() -> None:
    assert messages.require_id("applicant_id", " abc ") == "abc"
