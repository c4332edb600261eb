"""The calculation of ekonomiskt bistånd: worked examples with the riksnorm tables, each computed by
hand in a comment, the case worker's adjustments and the tables. (The input read from a form's
answers has tests of its own: test_calculation_input_from_form_tags.py.)

2026 amounts used below (data/riksnorm/2026.json; "est." = estimated, not confirmed):
  single 3 940, couple 7 100; child 4–6: 3 050 est., 7–10: 3 820 est., 11–14: 4 390, 15–18: 4 960 est.
  common 1: 1 280, 2: 1 410, 3: 1 780 est., 4: 2 030, 6: 2 630 est., 7: 2 830 est.
  prisbasbelopp 59 200 est. (÷ 12 = 4 933)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from applications.domain import calculation
from applications.domain.calculation import (
    TABLES_DIR,
    Adjustment,
    Calculation,
    CalculationInput,
    Child,
    Income,
    NormTableError,
    available_years,
    calculate,
    load_table,
)
from fickan_common.errors import NotFound, ValidationFailed

TABLES = TABLES_DIR  # the installed package's own tables (scripts/check_alone.sh runs these tests without the source)


@pytest.fixture(autouse=True)
def _packaged_tables_only(monkeypatch):
    monkeypatch.setattr(calculation, "own_tables_dir", None)


def amounts(calc: Calculation) -> dict[str, int]:
    return {line.code: line.amount for line in calc.lines}


def single(**kwargs) -> CalculationInput:
    return CalculationInput(year=2026, adults=1, **kwargs)


# --- worked examples ------------------------------------------------------------------------------


def test_single_adult_with_rent_electricity_and_home_insurance():
    calc = calculate(single(costs={"housing": 6500, "electricity": 300, "home_insurance": 150}))
    # norm: 3 940 (single) + 1 280 (common, 1 person) = 5 220
    # costs: 6 500 + 300 + 150 = 6 950; need: 5 220 + 6 950 = 12 170; no income -> 12 170
    assert amounts(calc) == {
        "norm.personal.adults": 3940,
        "norm.common": 1280,
        "cost.housing": 6500,
        "cost.electricity": 300,
        "cost.home_insurance": 150,
    }
    assert (calc.norm_total, calc.costs_total, calc.need_total) == (5220, 6950, 12170)
    assert (calc.income_total, calc.result) == (0, 12170)
    assert calc.estimated is False  # single and 1-person common amounts are confirmed
    assert (calc.year, calc.table_version) == (2026, 1)
    labels = {line.code: line.label for line in calc.lines}
    assert labels["norm.personal.adults"] == "Personliga kostnader, vuxen"
    assert labels["norm.common"] == "Gemensamma hushållskostnader (1 person)"
    assert labels["cost.housing"] == "Boende"


def test_couple_without_children():
    calc = calculate(CalculationInput(year=2026, adults=2))
    # 7 100 (both adults) + 1 410 (common, 2 persons) = 8 510, the official couple total
    assert amounts(calc) == {"norm.personal.adults": 7100, "norm.common": 1410}
    assert calc.norm_total == calc.result == 8510
    assert calc.estimated is False


def test_couple_with_children_12_and_5_is_marked_estimated():
    calc = calculate(CalculationInput(year=2026, adults=2, children=(Child(12), Child(5))))
    # 7 100 (couple) + 4 390 (11–14, confirmed) + 3 050 (4–6, estimated) + 2 030 (common, 4 persons,
    # confirmed) = 16 570
    assert amounts(calc) == {
        "norm.personal.adults": 7100,
        "norm.personal.child.0": 4390,
        "norm.personal.child.1": 3050,
        "norm.common": 2030,
    }
    assert calc.norm_total == calc.result == 16570
    estimated = {line.code: line.estimated for line in calc.lines}
    assert estimated == {
        "norm.personal.adults": False,
        "norm.personal.child.0": False,
        "norm.personal.child.1": True,
        "norm.common": False,
    }
    assert calc.estimated is True
    assert calc.line("norm.personal.child.0").label == "Personliga kostnader, barn 12 år"
    assert calc.line("norm.common").label == "Gemensamma hushållskostnader (4 personer)"


def test_jobbstimulans_after_six_months_on_support():
    calc = calculate(single(incomes=(Income("lon", 4000),), months_on_support=8))
    # need 5 220; income 4 000, of which 25 % = 1 000 is not counted -> counted 3 000
    # result 5 220 − 3 000 = 2 220
    assert amounts(calc)["income.0"] == -4000
    assert amounts(calc)["disregard.jobbstimulans"] == 1000
    stim = calc.line("disregard.jobbstimulans")
    assert stim.kind == "disregard"
    assert "25 % av lönen räknas inte (jobbstimulans)" in stim.note
    assert calc.line("income.0").label == "Lön (sökande)"
    assert (calc.income_total, calc.result) == (3000, 2220)


def test_no_jobbstimulans_before_six_months():
    calc = calculate(single(incomes=(Income("lon", 4000),), months_on_support=3))
    # the whole 4 000 is counted: 5 220 − 4 000 = 1 220
    assert "disregard.jobbstimulans" not in amounts(calc)
    assert (calc.income_total, calc.result) == (4000, 1220)


def test_jobbstimulans_starts_at_exactly_six_months_and_ends_after_24_used():
    at_six = calculate(single(incomes=(Income("lon", 4000),), months_on_support=6))
    assert amounts(at_six)["disregard.jobbstimulans"] == 1000
    used_up = calculate(single(incomes=(Income("lon", 4000),), months_on_support=30, months_with_jobbstimulans=24))
    assert "disregard.jobbstimulans" not in amounts(used_up)
    last = calculate(single(incomes=(Income("lon", 4000),), months_on_support=30, months_with_jobbstimulans=23))
    assert amounts(last)["disregard.jobbstimulans"] == 1000


def test_jobbstimulans_covers_both_adults_earnings_only_and_rounds_down():
    calc = calculate(
        CalculationInput(
            year=2026,
            adults=2,
            incomes=(Income("lon", 3001), Income("lon", 2002, "partner"), Income("a_kassa", 5000)),
            months_on_support=12,
        )
    )
    # earned 3 001 + 2 002 = 5 003; 25 % = 1 250.75 -> 1 250 (the a-kassa is not earned income)
    assert amounts(calc)["disregard.jobbstimulans"] == 1250
    # counted: 3 001 + 2 002 + 5 000 − 1 250 = 8 753; need 8 510 -> result 0
    assert calc.income_total == 8753
    assert calc.result == 0


def test_income_larger_than_the_need_gives_zero_not_negative_support():
    calc = calculate(single(costs={"housing": 5000}, incomes=(Income("sjukpenning", 15000),)))
    # need 5 220 + 5 000 = 10 220 < income 15 000 -> 0
    assert calc.need_total == 10220
    assert calc.income_total == 15000
    assert calc.result == 0


def test_a_childs_earnings_are_disregarded_up_to_a_twelfth_of_prisbasbelopp():
    calc = calculate(single(children=(Child(16),), incomes=(Income("lon", 6000, "child"), Income("barnbidrag", 1250))))
    # norm: 3 940 + 4 960 (15–18, est.) + 1 410 (common, 2) = 10 310
    # child's salary 6 000, of which 59 200 ÷ 12 = 4 933 is not counted -> 1 067 counted
    # counted: 1 067 + 1 250 (barnbidrag counts fully) = 2 317; result 10 310 − 2 317 = 7 993
    line = calc.line("disregard.child_income")
    assert line.amount == 4933
    assert line.estimated is True  # the 2026 prisbasbelopp is marked estimated in the table
    assert "prisbasbelopp" in line.note
    assert calc.line("income.0").label == "Lön (barn)"
    assert (calc.norm_total, calc.income_total, calc.result) == (10310, 2317, 7993)


def test_a_small_child_income_is_disregarded_entirely_and_gives_no_jobbstimulans():
    calc = calculate(single(children=(Child(16),), incomes=(Income("lon", 3000, "child"),), months_on_support=10))
    # 3 000 < 4 933: all of it is disregarded; the child's salary gives no jobbstimulans
    assert amounts(calc)["disregard.child_income"] == 3000
    assert "disregard.jobbstimulans" not in amounts(calc)
    assert calc.income_total == 0
    assert calc.result == calc.need_total == 10310


def test_household_of_nine_persons_adds_the_six_to_seven_step_for_each_person_beyond_seven():
    children = tuple(Child(age) for age in (1, 3, 5, 8, 12, 16, 19))
    calc = calculate(CalculationInput(year=2026, adults=2, children=children))
    # common: 7 persons 2 830 + 2 × (2 830 − 2 630) = 3 230, estimated (6 and 7 are estimated)
    common = calc.line("norm.common")
    assert common.amount == 3230
    assert common.estimated is True
    assert common.label == "Gemensamma hushållskostnader (9 personer)"
    assert "utöver sju" in common.note
    # personal: 7 100 + 3 050 (1–2) + 2 720 (3) + 3 050 (4–6) + 3 820 (7–10) + 4 390 (11–14)
    #           + 4 960 (15–18) + 5 000 (19–20) = 34 090; norm 34 090 + 3 230 = 37 320
    assert calc.norm_total == 37320


def test_the_2023_table_gives_the_published_2023_amounts():
    calc = calculate(CalculationInput(year=2023, adults=1))
    # 3 490 + 1 130 = 4 620
    assert calc.norm_total == 4620
    nine = calculate(CalculationInput(year=2023, adults=2, children=tuple(Child(4) for _ in range(7))))
    # common: 2 510 + 2 × (2 510 − 2 330) = 2 870; personal 6 300 + 7 × 2 700 = 25 200 -> 28 070
    assert nine.line("norm.common").amount == 2870
    assert nine.norm_total == 28070
    assert nine.estimated is False


def test_housing_is_capped_at_the_reasonable_cost_with_a_note():
    calc = calculate(single(costs={"housing": 9000}, housing_cap=7500))
    # 9 000 > cap 7 500 -> 7 500 counted; need 5 220 + 7 500 = 12 720
    housing = calc.line("cost.housing")
    assert housing.amount == 7500
    assert housing.note.startswith("Högst skälig boendekostnad 7 500 kr räknas")
    assert "9 000 kr" in housing.note
    assert calc.result == 12720


def test_housing_below_the_cap_is_counted_as_it_is():
    calc = calculate(single(costs={"housing": 7000}, housing_cap=7500))
    assert calc.line("cost.housing").amount == 7000
    assert calc.line("cost.housing").note == ""


def test_assessed_costs_are_added_to_the_need():
    calc = calculate(single(assessed_costs={"dental": 1200, "medicine": 300}, costs={"housing": 0}))
    # 5 220 + 300 + 1 200 = 6 720; a cost of 0 gives no line
    assert amounts(calc) == {
        "norm.personal.adults": 3940,
        "norm.common": 1280,
        "assessed.medicine": 300,
        "assessed.dental": 1200,
    }
    assert calc.line("assessed.dental").label == "Akut tandvård"
    assert calc.line("assessed.dental").kind == "assessed"
    assert (calc.costs_total, calc.result) == (1500, 6720)


# --- "utan lunch" (2019: the only table here with those amounts) -----------------------------------


def test_utan_lunch_amount_for_a_small_child_who_eats_lunch_at_preschool():
    at_preschool = calculate(CalculationInput(year=2019, adults=1, children=(Child(3, lunch_at_school=True),)))
    at_home = calculate(CalculationInput(year=2019, adults=1, children=(Child(3),)))
    # 2019, 3 years: 2 120; without the five weekday lunches: 1 940
    assert at_preschool.line("norm.personal.child.0").amount == 1940
    assert "utan lunch" in at_preschool.line("norm.personal.child.0").note
    assert at_home.line("norm.personal.child.0").amount == 2120
    # school age has no separate amount
    school = calculate(CalculationInput(year=2019, adults=1, children=(Child(8, lunch_at_school=True),)))
    assert school.line("norm.personal.child.0").amount == 2990
    # the 2026 table has no "utan lunch" amounts: the normal (estimated) amount is used
    in_2026 = calculate(CalculationInput(year=2026, adults=1, children=(Child(3, lunch_at_school=True),)))
    assert in_2026.line("norm.personal.child.0").amount == 2720


# --- the case worker's adjustments ----------------------------------------------------------------


def test_an_adjustment_changes_a_line_keeps_the_original_and_recomputes_the_totals():
    data = single(costs={"housing": 6500, "electricity": 300, "home_insurance": 150})
    calc = calculate(data, [Adjustment("cost.electricity", 450, "Elräkningen för december visar 450 kr.")])
    line = calc.line("cost.electricity")
    assert (line.amount, line.original, line.adjusted) == (450, 300, True)
    assert line.reason == "Elräkningen för december visar 450 kr."
    # 12 170 − 300 + 450 = 12 320
    assert (calc.costs_total, calc.need_total, calc.result) == (7100, 12320, 12320)
    assert calc.line("cost.housing").adjusted is False


def test_adjusting_a_salary_recomputes_jobbstimulans_from_it():
    data = single(incomes=(Income("lon", 4000),), months_on_support=8)
    calc = calculate(data, [Adjustment("income.0", -6000, "Lönebeskedet visar 6 000 kr.")])
    # 25 % of 6 000 = 1 500; counted 4 500; result 5 220 − 4 500 = 720
    assert calc.line("income.0").original == -4000
    assert calc.line("disregard.jobbstimulans").amount == 1500
    assert (calc.income_total, calc.result) == (4500, 720)


def test_a_case_worker_may_add_a_known_cost_that_was_not_stated():
    calc = calculate(single(), [Adjustment("assessed.glasses", 900, "Glasögon enligt kostnadsförslag.")])
    line = calc.line("assessed.glasses")
    assert (line.amount, line.original, line.adjusted, line.label) == (900, 0, True, "Glasögon")
    assert calc.result == 5220 + 900


def test_a_norm_line_may_be_lowered_and_stays_marked_estimated():
    data = CalculationInput(year=2026, adults=1, children=(Child(5),))
    calc = calculate(
        data, [Adjustment("norm.personal.child.0", 2000, "Barnet bor hos den andra föräldern halva tiden.")]
    )
    line = calc.line("norm.personal.child.0")
    assert (line.amount, line.original, line.estimated) == (2000, 3050, True)
    # 3 940 + 2 000 + 1 410 = 7 350
    assert calc.norm_total == 7350


def test_bad_adjustments_are_refused_with_swedish_messages_per_adjustment():
    data = single(costs={"housing": 6500}, incomes=(Income("lon", 4000),), months_on_support=8)
    with pytest.raises(ValidationFailed) as caught:
        calculate(
            data,
            [
                Adjustment("cost.housing", 6000, "Skälig hyra enligt riktlinjen."),  # fine
                Adjustment("norm.nothing", 100, "Okänd rad."),
                Adjustment("cost.housing", 6100, "   "),
                Adjustment("income.0", 4000, "Inkomsten som plus."),
                Adjustment("cost.electricity", 100, "x" * 501),
                Adjustment("norm.common", 1_000_001, "För stort."),
                Adjustment("cost.housing", 5000, "Samma rad igen."),
                Adjustment("disregard.child_income", 100, "Finns inte här."),
                Adjustment("norm.common", -5, "Negativ norm."),
            ],
        )
    errors = caught.value.field_errors
    assert set(errors) == {f"adjustments[{i}]" for i in range(1, 9)}
    assert errors["adjustments[1]"] == "Det finns ingen rad ”norm.nothing” i beräkningen."
    assert errors["adjustments[2]"] == "Skriv varför beloppet justeras."
    assert errors["adjustments[3]"].startswith("En inkomst kan inte bli ett tillägg.")
    assert "500 tecken" in errors["adjustments[4]"]
    assert "1 000 000 kr" in errors["adjustments[5]"]
    assert "redan" in errors["adjustments[6]"]
    assert "ingen rad" in errors["adjustments[7]"]
    assert "negativt" in errors["adjustments[8]"]
    assert caught.value.message == "Justeringarna kunde inte göras."


def test_an_income_adjusted_to_zero_is_allowed():
    calc = calculate(
        single(incomes=(Income("annat", 1000),)), [Adjustment("income.0", 0, "Engångsbelopp, räknas inte.")]
    )
    assert calc.income_total == 0
    assert calc.result == 5220


# --- input validation -----------------------------------------------------------------------------


def test_invalid_input_is_refused_with_messages_per_field():
    with pytest.raises(ValidationFailed) as caught:
        calculate(
            CalculationInput(
                year=2026,
                adults=3,
                children=(Child(21),),
                costs={"yacht": 100, "housing": -1},
                incomes=(Income("lotto", 100), Income("lon", 100, "grannen")),
            )
        )
    errors = caught.value.field_errors
    assert set(errors) == {
        "adults",
        "children[0].age",
        "costs.yacht",
        "costs.housing",
        "incomes[0].kind",
        "incomes[1].person",
    }
    assert errors["children[0].age"] == "Barnets ålder ska vara mellan 0 och 20 år."


def test_a_year_without_a_table_is_not_found_with_a_swedish_message():
    with pytest.raises(NotFound) as caught:
        calculate(CalculationInput(year=2031, adults=1))
    assert "Det finns ingen riksnormtabell för år 2031" in caught.value.message
    assert "2026" in caught.value.message


# --- labels and estimated flags -------------------------------------------------------------------


def test_every_line_has_a_swedish_and_an_english_label_and_is_estimated_exactly_when_its_amount_is():
    table = load_table(2026)
    calc = calculate(
        CalculationInput(
            year=2026,
            adults=2,
            children=(Child(0), Child(2), Child(3), Child(6), Child(9), Child(13), Child(17), Child(20)),
            costs={
                k: 100 for k in ("housing", "electricity", "home_insurance", "work_travel", "union_fee", "akassa_fee")
            },
            assessed_costs={k: 50 for k in ("medical", "medicine", "dental", "glasses", "childcare_fee", "other")},
            incomes=(
                Income("lon", 5000),
                Income("lon", 800, "child"),
                *(Income(kind, 10, "partner") for kind in ("a_kassa", "aktivitetsstod", "sjukpenning")),
                *(Income(kind, 10) for kind in ("foraldrapenning", "barnbidrag", "underhallsstod", "bostadsbidrag")),
                *(Income(kind, 10) for kind in ("pension", "studiemedel", "annat")),
            ),
            months_on_support=7,
        )
    )
    assert {line.kind for line in calc.lines} == {"norm", "cost", "assessed", "income", "disregard"}
    for line in calc.lines:
        assert line.label and line.label_en and line.label != line.label_en, line
    ages = (0, 2, 3, 6, 9, 13, 17, 20)
    expected = {
        "norm.personal.adults": table.couple.estimated,
        "norm.common": True,  # 10 persons: built from the estimated 6- and 7-person amounts
        "disregard.child_income": table.prisbasbelopp.estimated,
        **{f"norm.personal.child.{i}": table.child_band(age).normal.estimated for i, age in enumerate(ages)},
    }
    for line in calc.lines:
        assert line.estimated is expected.get(line.code, False), line
    # the flags themselves, straight from the 2026 file: only 11–14 among the children is confirmed
    assert [calc.line(f"norm.personal.child.{i}").estimated for i in range(8)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        True,
        True,
    ]
    assert calc.estimated is True
    swedish = {line.label for line in calc.lines}
    assert {"Lön (sökande)", "Sjukpenning (make/maka/sambo)", "Jobbstimulans", "Hushållsel"} <= swedish


def test_as_dict_is_json_and_round_trips():
    calc = calculate(
        single(
            children=(Child(4),),
            costs={"housing": 9000},
            incomes=(Income("lon", 4000),),
            months_on_support=8,
            housing_cap=7500,
        ),
        [Adjustment("cost.housing", 8000, "Beslut om högre skälig kostnad.")],
    )
    text = json.dumps(calc.as_dict(), ensure_ascii=False)
    data = json.loads(text)
    assert data["lines"][0]["label_en"] == "Personal costs, adult"
    assert data["estimated"] is True
    again = Calculation.from_dict(data)
    assert again == calc
    assert again.line("cost.housing").original == 7500
    assert again.line("cost.housing").reason == "Beslut om högre skälig kostnad."


def test_a_public_pre_calculation_works_from_a_few_fields():
    calc = calculate(CalculationInput(year=2026, adults=1, costs={"housing": 6000}, incomes=(Income("annat", 2000),)))
    # 5 220 + 6 000 − 2 000 = 9 220
    assert calc.result == 9220


# --- the tables -----------------------------------------------------------------------------------


def test_packaged_tables():
    assert {2019, 2023, 2026} <= set(available_years())
    table = load_table(2026)
    assert (table.single.amount, table.single.estimated) == (3940, False)
    assert table.common(9) == (3230, True)
    assert load_table(2026) is table  # cached
    assert load_table(2019).child_band(1).without_lunch.amount == 2190
    assert load_table(2023).child_band(1).without_lunch is None


def _write(folder: Path, year: int, **changes) -> Path:
    data = json.loads((TABLES / "2023.json").read_text(encoding="utf-8"))
    data.update(year=year, **changes)
    path = folder / f"{year}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_municipalitys_own_tables_take_precedence(tmp_path, monkeypatch):
    _write(tmp_path, 2026, version=7, adults={"single": {"amount": 4000}, "couple": {"amount": 7200}})
    _write(tmp_path, 2027, version=1)
    calculation.use_tables_dir(tmp_path)
    assert {2023, 2026, 2027} <= set(available_years())
    calc = calculate(CalculationInput(year=2026, adults=1))
    # own table: 4 000 + 1 130 (its common costs, copied from 2023) = 5 130
    assert (calc.table_version, calc.norm_total, calc.estimated) == (7, 5130, False)
    assert calculate(CalculationInput(year=2023, adults=1)).norm_total == 4620  # still the packaged one
    calculation.use_tables_dir(None)
    assert calculate(CalculationInput(year=2026, adults=1)).norm_total == 5220


def test_a_replaced_table_is_read_again(tmp_path, monkeypatch):
    path = _write(tmp_path, 2026, version=1)
    calculation.use_tables_dir(tmp_path)
    assert load_table(2026).version == 1
    _write(tmp_path, 2026, version=2)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_table(2026).version == 2


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"children": [{"from_age": 0, "to_age": 5, "amount": 1}, {"from_age": 7, "to_age": 20, "amount": 1}]},
            "åldersband",
        ),
        ({"common_costs": {"1": {"amount": 1}}}, "'2'"),
        ({"prisbasbelopp": {"amount": "52 500"}}, "prisbasbelopp"),
        ({"year": 2025}, "2025"),
    ],
)
def test_a_broken_table_is_refused_with_the_file_and_the_problem(tmp_path, monkeypatch, changes, problem):
    path = _write(tmp_path, 2026)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")
    calculation.use_tables_dir(tmp_path)
    with pytest.raises(NormTableError) as caught:
        load_table(2026)
    assert str(path) in caught.value.message
    assert problem in caught.value.message


def test_a_missing_folder_of_own_tables_fails_loudly(tmp_path, monkeypatch):
    calculation.use_tables_dir(tmp_path / "finns-inte")
    with pytest.raises(NormTableError) as caught:
        load_table(2026)
    assert "FICKAN_RIKSNORM_DIR" in caught.value.message
