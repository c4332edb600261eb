"""The calculation's input is read from a case's answers by the form's calculation tags, never by
question ids: a renamed question changes no amount, and a form whose tags do not cover what the
calculation needs is refused when it loads, with a message naming the form and the tag."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from applications.domain import calculation_input
from applications.domain.calculation import CalculationInput, Child, Income, calculate
from applications.domain.calculation_input import FormTagError
from applications.domain.forms import FORMS_DIR, form_for, parse_form


def raw(kind: str) -> dict[str, Any]:
    return json.loads((FORMS_DIR / f"{kind}.v1.json").read_text(encoding="utf-8"))


def question(definition: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for step in definition["steps"] for q in step["questions"] if q["id"] == question_id)


def read(answers: dict[str, Any], kind: str = "eb_grundansokan", **kwargs: Any) -> CalculationInput:
    return calculation_input.read(form_for(kind), answers, 2026, **kwargs)


GRUNDANSOKAN = {
    "period": "2026-12",
    "sysselsattning": "arbetar",
    "har_partner": "ja",
    "barn": [
        {"fornamn": "Alva", "alder": "12", "bor_heltid": "ja"},
        {"fornamn": "Nils", "alder": "5", "bor_heltid": "ja"},
    ],
    "boendeform": "hyresratt",
    "hyra": "8200",
    "hushallsel": "450",
    "hemforsakring": "180",
    "har_inkomster": "ja",
    "inkomster": [
        {"slag": "lon", "vem": "jag", "belopp": "4000"},
        {"slag": "barnbidrag", "vem": "jag", "belopp": "2500"},
        {"slag": "a_kassa", "vem": "partner", "belopp": "6000"},
    ],
    "arbetsresor": "970",
    "fackavgift": "",
    "a_kassa_avgift": "160",
    "ovriga_utgifter": [
        {"slag": "tandvard", "belopp": "1200", "beskrivning": "Akut tandvärk"},
        {"slag": "medicin", "belopp": "150", "beskrivning": "Recept"},
        {"slag": "medicin", "belopp": "100", "beskrivning": "Recept 2"},
    ],
    "kontoutdrag": ["0b7f0a4e-7a51-4c62-8f47-5a1f7e3b2c11"],
    "sanningsforsakran": "ja",
}


def test_the_grundansokan_is_read_by_its_tags():
    data = read(GRUNDANSOKAN, months_on_support=8, housing_cap=9000)
    assert data.adults == 2
    assert data.children == (Child(12), Child(5))
    assert data.costs == {
        "housing": 8200,
        "electricity": 450,
        "home_insurance": 180,
        "work_travel": 970,
        "akassa_fee": 160,
    }
    assert data.assessed_costs == {"dental": 1200, "medicine": 250}
    assert data.incomes == (
        Income("lon", 4000, "applicant"),
        Income("barnbidrag", 2500, "applicant"),
        Income("a_kassa", 6000, "partner"),
    )
    assert (data.months_on_support, data.housing_cap) == (8, 9000)
    calc = calculate(data)
    # norm 16 570 (couple, children 12 and 5)
    # costs 8 200 + 450 + 180 + 970 + 160 = 9 960; assessed 250 + 1 200 = 1 450 -> need 27 980
    # incomes 4 000 + 2 500 + 6 000 = 12 500, jobbstimulans 1 000 -> counted 11 500; result 16 480
    assert (calc.norm_total, calc.need_total, calc.income_total, calc.result) == (16570, 27980, 11500, 16480)


def test_renaming_every_calculation_question_changes_no_amount():
    """What the form README invites a municipality to do: rename questions and options."""
    renamed = copy.deepcopy(raw("eb_grundansokan"))
    renamed["kind"] = "eb_grundansokan_renamed"
    names = {"hyra": "boendekostnad", "har_partner": "sambo", "barn": "barnen", "inkomster": "pengar_in",
             "ovriga_utgifter": "extra", "hushallsel": "el", "arbetsresor": "resor", "a_kassa_avgift": "akassa",
             "hemforsakring": "forsakring"}  # fmt: skip
    for old, new in names.items():
        question(renamed, old)["id"] = new
    answers = {names.get(k, k): v for k, v in GRUNDANSOKAN.items()}
    # …and the income group's items and the person options too.
    for item in question(renamed, "pengar_in")["items"]:
        item["id"] = {"slag": "typ", "vem": "person", "belopp": "summa"}[item["id"]]
        for option in item.get("options", ()):
            if option["value"] == "jag":
                option["value"] = "sokande"
    answers["pengar_in"] = [
        {"typ": row["slag"], "person": "sokande" if row["vem"] == "jag" else row["vem"], "summa": row["belopp"]}
        for row in GRUNDANSOKAN["inkomster"]
    ]
    before = calculate(read(GRUNDANSOKAN))
    after = calculate(calculation_input.read(parse_form(renamed), answers, 2026))
    assert after == before


@pytest.mark.parametrize(
    ("question_id", "needed"),
    [
        ("hyra", '{"calc": "expense", "kind": "housing"}'),
        ("har_partner", '{"calc": "partner"}'),
        ("barn", '{"calc": "children"}'),
        ("inkomster", '{"calc": "incomes"}'),
    ],
)
def test_a_form_without_a_tag_the_calculation_needs_refuses_to_load(question_id, needed):
    definition = copy.deepcopy(raw("eb_grundansokan"))
    question(definition, question_id).pop("tags")
    with pytest.raises(FormTagError) as refused:
        calculation_input.check(parse_form(definition))
    message = str(refused.value)
    assert "eb_grundansokan v1" in message and needed in message


def test_wrong_tags_are_refused_by_name():
    typo = copy.deepcopy(raw("eb_lopande"))
    question(typo, "hyra")["tags"] = {"calc": "expense", "kind": "housng"}
    with pytest.raises(FormTagError, match=r"hyra.*'housng'"):
        calculation_input.check(parse_form(typo))
    untagged_option = copy.deepcopy(raw("eb_lopande"))
    expense_kind = question(untagged_option, "ovriga_utgifter")["items"][0]
    expense_kind["options"].append({"value": "kattmat", "label": "Kattmat"})
    with pytest.raises(FormTagError, match="'kattmat'"):
        calculation_input.check(parse_form(untagged_option))
    unknown = copy.deepcopy(raw("eb_lopande"))
    question(unknown, "hushallsel")["tags"] = {"calc": "elrakning"}
    with pytest.raises(FormTagError, match="elrakning"):
        calculation_input.check(parse_form(unknown))
    twice = copy.deepcopy(raw("eb_lopande"))
    question(twice, "hushallsel")["tags"] = {"calc": "expense", "kind": "housing"}
    with pytest.raises(FormTagError, match="två gånger"):
        calculation_input.check(parse_form(twice))


def test_every_form_shipped_reads_fully():
    for kind in ("eb_grundansokan", "eb_lopande", "ekonomiskt_bistand"):
        calculation_input.check(form_for(kind))  # does not raise


def test_garbage_answers_count_as_nothing_and_never_crash():
    answers = {
        "har_partner": "kanske",
        "barn": [{"alder": "tio"}, "inte en rad", {"alder": "45"}, {}],
        "hyra": "tusen",
        "hushallsel": "-300",
        "hemforsakring": "12.5",
        "arbetsresor": "1 250",
        "fackavgift": None,
        "ovriga_utgifter": [{"slag": "resa till månen", "belopp": "100"}, {"slag": "tandvard"}],
        "inkomster": [
            {"slag": "lon", "vem": "jag", "belopp": "mycket"},
            {"slag": "okänd", "vem": "någon", "belopp": "700"},
            {"belopp": "99999999999"},
            {"slag": "lon", "belopp": "٣٠٠٠"},  # other digit systems are not read as numbers
        ],
    }
    data = read(answers)
    assert data.adults == 1
    # "tio" and {} have no readable age: counted as children of unknown age; 45 is capped at 20
    assert data.children == (Child(7, age_known=False), Child(20), Child(7, age_known=False))
    assert data.costs == {"work_travel": 1250}
    assert data.assessed_costs == {}
    assert data.incomes == (Income("annat", 700, "applicant"), Income("annat", 1_000_000, "applicant"))
    assert calculate(data).result == 0
    assert read({}) == CalculationInput(year=2026, adults=1)
    assert read({"barn": "not json", "inkomster": 5}).incomes == ()


def test_groups_sent_as_json_text_are_read():
    answers = {"barn": json.dumps([{"alder": "3"}]), "inkomster": json.dumps([{"slag": "lon", "belopp": "100"}])}
    data = read(answers)
    assert data.children == (Child(3),)
    assert data.incomes == (Income("lon", 100),)


def test_the_simple_first_form_is_read_by_its_tags():
    answers = {"household_adults": "2", "household_children": "2", "housing_cost": "7000", "income": "3000"}
    data = read(answers, "ekonomiskt_bistand")
    assert data.adults == 2
    assert data.children == (Child(7, age_known=False), Child(7, age_known=False))
    assert data.costs == {"housing": 7000}
    assert data.incomes == (Income("annat", 3000),)
    calc = calculate(data)
    # 7 100 + 2 × 3 820 + 2 030 = 16 770; + 7 000 = 23 770; − 3 000 = 20 770
    assert (calc.norm_total, calc.result) == (16770, 20770)
    assert read({"household_adults": "0", "household_children": "x"}, "ekonomiskt_bistand").adults == 1
    assert len(read({"household_children": "999999999"}, "ekonomiskt_bistand").children) == 30


def test_a_child_lunch_question_is_read_where_a_form_has_one():
    definition = copy.deepcopy(raw("eb_lopande"))
    definition["kind"] = "eb_lopande_lunch"
    question(definition, "barn")["items"].append(
        {"id": "skollunch", "type": "yesno", "label": "Äter barnet lunch i skolan?", "tags": {"calc": "child_lunch"}}
    )
    data = calculation_input.read(parse_form(definition), {"barn": [{"alder": "9", "skollunch": "ja"}]}, 2019)
    assert data.children == (Child(9, lunch_at_school=True),)


def test_the_contract_and_the_calculation_agree_on_their_limits():
    """The estimate's limits are the contract's (BFFs read them there); the calculation's own caps
    must be the same, or an estimate could be refused by one and accepted by the other."""
    from applications.domain import calculation as calc
    from fickan.applications.v1 import applications_pb2 as pb
    from fickan_common import limits

    ages = limits.of(pb.EstimateRequest, "children_ages")
    assert (ages.max_items, ages.max) == (calc.MAX_CHILDREN, calc.MAX_CHILD_AGE)
    for amount in ("housing", "electricity", "home_insurance", "work_travel", "union_fee", "akassa_fee"):
        assert limits.of(pb.EstimateRequest, amount).max == calc.MAX_AMOUNT
    assert limits.of(pb.DecideRequest, "amount").max == calc.MAX_AMOUNT
