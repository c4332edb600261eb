"""Personnummer and samordningsnummer are read the way Skatteverket issues them."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from identity.domain.personnummer import InvalidPersonnummer, is_valid, luhn_check_digit, parse

from .conftest import DATA


def test_every_skatteverket_test_personnummer_is_accepted():
    with open(DATA / "skatteverket_testpersonnummer.csv") as f:
        numbers = [row["testpersonnummer"] for row in csv.DictReader(f)]
    assert len(numbers) > 40_000
    refused = [n for n in numbers if not is_valid(n)]
    assert refused == []


def test_every_skatteverket_test_samordningsnummer_is_accepted_even_with_day_60_and_month_00():
    numbers = json.loads((DATA / "skatteverket_testsamordningsnummer_personnummer-meta_allCoords.json").read_text())
    assert len(numbers) > 2000
    refused = [n for n in numbers if not is_valid(n)]
    assert refused == []
    assert all(parse(n).is_samordningsnummer for n in numbers)


@pytest.mark.parametrize("case", json.loads((DATA / "personnummer-meta_list.json").read_text()))
def test_cross_language_cases_agree_in_every_written_form(case):
    for form in ("long_format", "separated_long", "separated_format"):
        assert is_valid(case[form]) is case["valid"], (form, case[form])


@pytest.mark.parametrize("kind", ["ssn", "con"])
def test_the_structured_cases_agree_as_strings_and_integers(kind):
    cases = json.loads((DATA / "personnummer-meta_structured.json").read_text())[kind]
    for value in cases["string"]["valid"]:
        assert is_valid(value), value
    for value in cases["string"]["invalid"]:
        assert not is_valid(value), value
    for value in cases["integer"]["valid"]:
        assert is_valid(str(value)), value
    for value in cases["integer"]["invalid"]:
        assert not is_valid(str(value)), value


def test_organisation_numbers_are_not_personnummer():
    cases = json.loads((DATA / "personnummer-meta_orgnumber.json").read_text())
    assert cases and all(not c["valid"] for c in cases)
    for case in cases:
        assert not is_valid(case["short_format"]) and not is_valid(case["separated_format"]), case


def test_interim_numbers_are_not_personnummer():
    for case in json.loads((DATA / "personnummer-meta_interim.json").read_text()):
        assert not is_valid(case["long_format"])


def test_short_forms_get_their_century_from_the_separator():
    today = date(2026, 11, 25)
    assert parse("900101-2385", today).canonical == "199001012385"
    assert parse("121212-1212", today).canonical == "201212121212"
    assert parse("121212+1212", today).canonical == "191212121212"  # turned 100


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "19900101-2386", "1990010123", "199013012385", "19900132-2380", "2990-01-01", "19900101 238"],
)
def test_malformed_or_wrong_check_digit_is_refused(bad):
    with pytest.raises(InvalidPersonnummer):
        parse(bad)


def test_luhn_check_digit():
    assert luhn_check_digit("900101238") == 5


def test_masked_form_hides_the_last_four_digits():
    assert parse("199001012385").masked() == "19900101-****"
