"""The calculation of ekonomiskt bistånd (försörjningsstöd): riksnorm + reasonable costs − counted income.

Plain Python; the only I/O is reading the riksnorm tables, versioned data files per year
(`applications/data/riksnorm/<year>.json`, format in the README there). A municipality may put its own
tables in a folder of its own (the setting `FICKAN_RIKSNORM_DIR`, handed in at start with
`use_tables_dir`); a year found there takes precedence over the packaged table of that year.

    norm    = personal costs of every member + common household costs for the household's size
    need    = norm + reasonable costs (housing capped at the municipality's reasonable level) + assessed costs
    counted = all household income − jobbstimulans − children's earnings up to prisbasbelopp/12
    result  = max(0, need − counted)

Every amount is whole kronor per month. The result is a tuple of lines, each with a stable code, a
Swedish label (English second), and `estimated=True` when the table amount behind it is not confirmed
by a public source. A case worker may set a line to another amount with a reason (`Adjustment`); the
totals are then recomputed from the lines.

Decisions worth knowing:
- "Utan lunch 5 dagar/vecka" (tables that have it, e.g. 2019) is the personal cost of a child 0–6
  *without* the weekday lunches, i.e. for a child who eats lunch at preschool five days a week
  (`Child.lunch_at_school=True`); it is the lower amount because the household does not pay for those
  meals. The default (`False`) gives the full amount, so missing information never lowers the norm.
- A child whose age is unknown (the simple first form only asks for a count) gets the 7–10 band, with
  the note "Barnets ålder okänd".
- Children's earnings (`lon` of a `child`) are disregarded up to prisbasbelopp/12 per month for all
  children together (incomes do not say which child they belong to).
- Jobbstimulans and the children's disregard follow the income lines *after* a case worker's
  adjustments, so correcting a salary corrects its 25 % too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from applications import texts
from fickan_common.errors import DomainError, NotFound, ValidationFailed

TABLES_DIR = Path(__file__).resolve().parent.parent / "data" / "riksnorm"
TABLES_DIR_ENV = "FICKAN_RIKSNORM_DIR"  # the setting's name, for the operator's messages

MAX_AMOUNT = 1_000_000
MAX_CHILDREN = 30
MAX_CHILD_AGE = 20
MAX_REASON = 500
UNKNOWN_AGE_BAND_AGE = 7  # a child of unknown age gets the 7–10 band

NORM, COST, ASSESSED, INCOME, DISREGARD = "norm", "cost", "assessed", "income", "disregard"
KINDS = (NORM, COST, ASSESSED, INCOME, DISREGARD)

APPLICANT, PARTNER, CHILD = "applicant", "partner", "child"
PERSONS = {APPLICANT: ("sökande", "applicant"), PARTNER: ("make/maka/sambo", "partner"), CHILD: ("barn", "child")}

# Reasonable actual costs, in the order they are shown: key -> (Swedish, English).
COSTS: dict[str, tuple[str, str]] = {
    "housing": ("Boende", "Housing"),
    "electricity": ("Hushållsel", "Household electricity"),
    "home_insurance": ("Hemförsäkring", "Home insurance"),
    "work_travel": ("Arbetsresor", "Travel to and from work"),
    "union_fee": ("Fackavgift", "Trade union fee"),
    "akassa_fee": ("Avgift till a-kassa", "Unemployment insurance fund fee"),
}
# Separately assessed costs.
ASSESSED_COSTS: dict[str, tuple[str, str]] = {
    "medical": ("Läkarvård", "Medical care"),
    "medicine": ("Medicin", "Medicine"),
    "dental": ("Akut tandvård", "Emergency dental care"),
    "glasses": ("Glasögon", "Glasses"),
    "childcare_fee": ("Barnomsorgsavgift", "Childcare fee"),
    "other": ("Annan utgift", "Other expense"),
}
EARNED = "lon"
INCOME_KINDS: dict[str, tuple[str, str]] = {
    EARNED: ("Lön", "Earned income"),
    "a_kassa": ("Ersättning från a-kassa", "Unemployment benefit"),
    "aktivitetsstod": ("Aktivitetsstöd", "Activity support"),
    "sjukpenning": ("Sjukpenning", "Sickness benefit"),
    "foraldrapenning": ("Föräldrapenning", "Parental benefit"),
    "barnbidrag": ("Barnbidrag", "Child allowance"),
    "underhallsstod": ("Underhållsstöd", "Maintenance support"),
    "bostadsbidrag": ("Bostadsbidrag", "Housing allowance"),
    "pension": ("Pension", "Pension"),
    "studiemedel": ("Studiemedel", "Student finance"),
    "annat": ("Annan inkomst", "Other income"),
}

CODE_ADULTS = "norm.personal.adults"
CODE_CHILD = "norm.personal.child."  # + index in CalculationInput.children
CODE_COMMON = "norm.common"
CODE_COST = "cost."  # + key of COSTS
CODE_ASSESSED = "assessed."  # + key of ASSESSED_COSTS
CODE_INCOME = "income."  # + index in CalculationInput.incomes
CODE_JOBBSTIMULANS = "disregard.jobbstimulans"
CODE_CHILD_INCOME = "disregard.child_income"


def kr(amount: int) -> str:
    """7500 -> "7 500 kr" (Swedish thousands separator)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} kr".replace(",", " ")


# --------------------------------------------------------------------------------------------------
# The riksnorm tables


class NormTableError(DomainError):
    """A riksnorm table (or the folder of the municipality's tables) is broken: an operator must fix it."""


@dataclass(frozen=True)
class Amount:
    amount: int
    estimated: bool = False


@dataclass(frozen=True)
class ChildBand:
    from_age: int
    to_age: int
    normal: Amount
    without_lunch: Amount | None = None  # a child 0–6 eating lunch at preschool five days a week

    @property
    def label(self) -> str:
        return f"{self.from_age} år" if self.from_age == self.to_age else f"{self.from_age}–{self.to_age} år"


@dataclass(frozen=True)
class Jobbstimulans:
    after_months: int
    share_disregarded: Decimal
    for_months: int


@dataclass(frozen=True)
class NormTable:
    year: int
    version: int
    source: str
    path: str
    single: Amount
    couple: Amount
    children: tuple[ChildBand, ...]
    common_costs: Mapping[int, Amount]  # household size 1..7
    prisbasbelopp: Amount
    jobbstimulans: Jobbstimulans

    def child_band(self, age: int) -> ChildBand:
        for band in self.children:
            if band.from_age <= age <= band.to_age:
                return band
        raise ValueError(f"no band for age {age}")  # unreachable: bands are checked to cover 0..20

    def common(self, persons: int) -> tuple[int, bool]:
        """The common household costs for `persons` (≥ 1) and whether the amount is estimated. Beyond
        seven persons, the difference between the 6- and 7-person amounts is added for each extra one."""
        if persons <= 7:
            amount = self.common_costs[persons]
            return amount.amount, amount.estimated
        six, seven = self.common_costs[6], self.common_costs[7]
        step = seven.amount - six.amount
        return seven.amount + (persons - 7) * step, six.estimated or seven.estimated


_YEAR_FILE = re.compile(r"^(\d{4})\.json$")


# The municipality's own tables (the setting FICKAN_RIKSNORM_DIR), handed in once at start.
own_tables_dir: Path | None = None


def use_tables_dir(folder: Path | None) -> None:
    """The folder of the municipality's own tables (None: the packaged tables only)."""
    global own_tables_dir
    own_tables_dir = folder


def _override_dir() -> Path | None:
    folder = own_tables_dir
    if folder is None:
        return None
    if not folder.is_dir():
        raise NormTableError(texts.NORM_DIR.format(env=TABLES_DIR_ENV, value=folder))
    return folder


def _years_in(folder: Path) -> set[int]:
    return {int(m.group(1)) for p in folder.iterdir() if p.is_file() and (m := _YEAR_FILE.match(p.name))}


def available_years() -> list[int]:
    """The years that have a table: the packaged ones and the municipality's own, ascending."""
    years = _years_in(TABLES_DIR) if TABLES_DIR.is_dir() else set()
    override = _override_dir()
    if override is not None:
        years |= _years_in(override)
    return sorted(years)


def table_path(year: int) -> Path | None:
    """Where the table for `year` is read from (the municipality's folder first), or None."""
    for folder in (_override_dir(), TABLES_DIR):
        if folder is not None and (folder / f"{year}.json").is_file():
            return folder / f"{year}.json"
    return None


def load_table(year: int) -> NormTable:
    """The riksnorm table of `year`. Cached per file and modification time, so a replaced file is read
    again without a restart. NotFound (Swedish message) when the year has no table."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise NotFound(texts.NORM_YEAR)
    path = table_path(year)
    if path is None:
        years = ", ".join(str(y) for y in available_years()) or texts.NONE
        raise NotFound(texts.NORM_NO_TABLE.format(year=year, years=years))
    stat = path.stat()
    return _read_table(str(path), stat.st_mtime_ns, stat.st_size, year)


@lru_cache(maxsize=64)
def _read_table(path: str, _mtime_ns: int, _size: int, year: int) -> NormTable:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NormTableError(texts.NORM_UNREADABLE.format(path=path, problem=exc)) from exc
    try:
        return _parse_table(data, path, year)
    except KeyError as exc:
        raise NormTableError(texts.NORM_MISSING.format(path=path, name=repr(exc.args[0]))) from exc
    except (TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise NormTableError(texts.NORM_WRONG.format(path=path, problem=exc)) from exc


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what} ska vara ett heltal ≥ {minimum}, inte {value!r}")
    return value


def _amount(data: Any, what: str) -> Amount:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} ska vara {{'amount': ..., 'estimated': ...}}")
    estimated = data.get("estimated", False)
    if not isinstance(estimated, bool):
        raise ValueError(f"{what}.estimated ska vara true eller false")
    return Amount(_int(data["amount"], f"{what}.amount"), estimated)


def _parse_table(data: Any, path: str, year: int) -> NormTable:
    if not isinstance(data, Mapping):
        raise ValueError("tabellen ska vara ett JSON-objekt")
    if _int(data["year"], "year") != year:
        raise ValueError(f"year är {data['year']} men filen heter {year}.json")
    bands = []
    for i, band in enumerate(data["children"]):
        what = f"children[{i}]"
        without = band.get("without_lunch")
        bands.append(
            ChildBand(
                from_age=_int(band["from_age"], f"{what}.from_age"),
                to_age=_int(band["to_age"], f"{what}.to_age"),
                normal=_amount(band, what),
                without_lunch=None if without is None else _amount(without, f"{what}.without_lunch"),
            )
        )
    bands.sort(key=lambda b: b.from_age)
    expected = 0
    for band in bands:
        if band.from_age != expected or band.to_age < band.from_age:
            raise ValueError(f"barnens åldersband ska följa på varandra från 0 år; fel vid {band.label}")
        expected = band.to_age + 1
    if expected != MAX_CHILD_AGE + 1:
        raise ValueError(f"barnens åldersband ska täcka 0–{MAX_CHILD_AGE} år")
    common = {size: _amount(data["common_costs"][str(size)], f"common_costs.{size}") for size in range(1, 8)}
    stim = data["jobbstimulans"]
    share = Decimal(str(stim["share_disregarded"]))
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError("jobbstimulans.share_disregarded ska vara mellan 0 och 1")
    source = data.get("source", "")
    return NormTable(
        year=year,
        version=_int(data["version"], "version", minimum=1),
        source=source if isinstance(source, str) else "",
        path=path,
        single=_amount(data["adults"]["single"], "adults.single"),
        couple=_amount(data["adults"]["couple"], "adults.couple"),
        children=tuple(bands),
        common_costs=MappingProxyType(common),
        prisbasbelopp=_amount(data["prisbasbelopp"], "prisbasbelopp"),
        jobbstimulans=Jobbstimulans(
            after_months=_int(stim["after_months"], "jobbstimulans.after_months"),
            share_disregarded=share,
            for_months=_int(stim["for_months"], "jobbstimulans.for_months"),
        ),
    )


# --------------------------------------------------------------------------------------------------
# Input and output


@dataclass(frozen=True)
class Child:
    age: int  # 0..20
    # Eats lunch at preschool/school five days a week. For 0–6 year olds in a table with "utan lunch"
    # amounts this gives the lower amount (the household does not pay for those lunches).
    lunch_at_school: bool = False
    age_known: bool = True  # False: the age was not asked (simple form); `age` is then the 7–10 band


@dataclass(frozen=True)
class Income:
    kind: str  # one of INCOME_KINDS
    amount: int
    person: str = APPLICANT  # applicant | partner | child


@dataclass(frozen=True)
class CalculationInput:
    year: int
    adults: int  # 1 (alone) or 2 (married/sambo applying together)
    children: tuple[Child, ...] = ()
    costs: Mapping[str, int] = field(default_factory=dict)  # keys of COSTS
    assessed_costs: Mapping[str, int] = field(default_factory=dict)  # keys of ASSESSED_COSTS
    incomes: tuple[Income, ...] = ()
    months_on_support: int = 0  # consecutive months with försörjningsstöd before this one
    months_with_jobbstimulans: int = 0  # months the disregard has already been used
    housing_cap: int | None = None  # the municipality's reasonable housing cost; None = no cap


@dataclass(frozen=True)
class Line:
    code: str
    label: str  # Swedish
    label_en: str
    amount: int  # + adds to the need; incomes are negative; disregards positive
    kind: str  # norm | cost | assessed | income | disregard
    estimated: bool = False  # the table amount behind the line is not confirmed
    note: str = ""  # Swedish
    adjusted: bool = False  # a case worker changed it
    original: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Adjustment:
    code: str
    amount: int
    reason: str


@dataclass(frozen=True)
class Calculation:
    year: int
    table_version: int
    lines: tuple[Line, ...]
    norm_total: int
    costs_total: int
    need_total: int
    income_total: int  # counted income (incomes − disregards), ≥ 0
    result: int  # max(0, need_total − income_total)
    estimated: bool

    def line(self, code: str) -> Line:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lines"] = [asdict(line) for line in self.lines]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calculation:
        lines = tuple(
            Line(
                code=str(item["code"]),
                label=str(item["label"]),
                label_en=str(item["label_en"]),
                amount=int(item["amount"]),
                kind=str(item["kind"]),
                estimated=bool(item.get("estimated", False)),
                note=str(item.get("note", "")),
                adjusted=bool(item.get("adjusted", False)),
                original=None if item.get("original") is None else int(item["original"]),
                reason=str(item.get("reason", "")),
            )
            for item in data["lines"]
        )
        return cls(
            year=int(data["year"]),
            table_version=int(data["table_version"]),
            lines=lines,
            norm_total=int(data["norm_total"]),
            costs_total=int(data["costs_total"]),
            need_total=int(data["need_total"]),
            income_total=int(data["income_total"]),
            result=int(data["result"]),
            estimated=bool(data["estimated"]),
        )


# --------------------------------------------------------------------------------------------------
# The calculation


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_input(data: CalculationInput) -> None:
    errors: dict[str, texts.Text] = {}

    def amount(key: str, value: Any) -> None:
        if not _is_int(value) or not 0 <= value <= MAX_AMOUNT:
            errors[key] = texts.CALC_AMOUNT.format(max=texts.kr(MAX_AMOUNT))

    if data.adults not in (1, 2) or not _is_int(data.adults):
        errors["adults"] = texts.CALC_ADULTS
    if len(data.children) > MAX_CHILDREN:
        errors["children"] = texts.CALC_CHILDREN.format(max=MAX_CHILDREN)
    for i, child in enumerate(data.children):
        if not _is_int(child.age) or not 0 <= child.age <= MAX_CHILD_AGE:
            errors[f"children[{i}].age"] = texts.CALC_CHILD_AGE.format(max=MAX_CHILD_AGE)
    for name, known, values in (("costs", COSTS, data.costs), ("assessed_costs", ASSESSED_COSTS, data.assessed_costs)):
        for key, value in values.items():
            if key not in known:
                errors[f"{name}.{key}"] = texts.CALC_UNKNOWN_COST
            else:
                amount(f"{name}.{key}", value)
    for i, income in enumerate(data.incomes):
        if income.kind not in INCOME_KINDS:
            errors[f"incomes[{i}].kind"] = texts.CALC_UNKNOWN_INCOME
        if income.person not in PERSONS:
            errors[f"incomes[{i}].person"] = texts.CALC_INCOME_PERSON
        amount(f"incomes[{i}].amount", income.amount)
    for name in ("months_on_support", "months_with_jobbstimulans"):
        value = getattr(data, name)
        if not _is_int(value) or not 0 <= value <= 1200:
            errors[name] = texts.CALC_MONTHS
    if data.housing_cap is not None:
        amount("housing_cap", data.housing_cap)
    if errors:
        raise ValidationFailed(texts.CALC_TO_FIX, errors)


def _norm_lines(data: CalculationInput, table: NormTable) -> list[Line]:
    if data.adults == 2:
        adults = Line(
            CODE_ADULTS,
            "Personliga kostnader, två vuxna",
            "Personal costs, two adults",
            table.couple.amount,
            NORM,
            table.couple.estimated,
            note="Gifta eller sambor.",
        )
    else:
        adults = Line(
            CODE_ADULTS,
            "Personliga kostnader, vuxen",
            "Personal costs, adult",
            table.single.amount,
            NORM,
            table.single.estimated,
        )
    lines = [adults]
    for i, child in enumerate(data.children):
        age = child.age if child.age_known else UNKNOWN_AGE_BAND_AGE
        band = table.child_band(age)
        notes = []
        chosen = band.normal
        if child.lunch_at_school and band.without_lunch is not None:
            chosen = band.without_lunch
            notes.append("Barnet äter lunch i förskolan eller skolan fem dagar i veckan (belopp utan lunch).")
        if child.age_known:
            label, label_en = f"Personliga kostnader, barn {child.age} år", f"Personal costs, child aged {child.age}"
        else:
            label, label_en = "Personliga kostnader, barn", "Personal costs, child"
            notes.insert(0, f"Barnets ålder okänd; normen för barn {band.label} används.")
        lines.append(
            Line(f"{CODE_CHILD}{i}", label, label_en, chosen.amount, NORM, chosen.estimated, note=" ".join(notes))
        )
    persons = data.adults + len(data.children)
    amount, estimated = table.common(persons)
    note = ""
    if persons > 7:
        step = table.common_costs[7].amount - table.common_costs[6].amount
        note = (
            f"Beloppet för 7 personer ({kr(table.common_costs[7].amount)}) och {kr(step)} för var och en "
            f"av de {persons - 7} personerna utöver sju."
        )
    unit_sv, unit_en = ("person", "person") if persons == 1 else ("personer", "persons")
    lines.append(
        Line(
            CODE_COMMON,
            f"Gemensamma hushållskostnader ({persons} {unit_sv})",
            f"Common household costs ({persons} {unit_en})",
            amount,
            NORM,
            estimated,
            note=note,
        )
    )
    return lines


def _cost_lines(data: CalculationInput, wanted: set[str]) -> list[Line]:
    """A line for every stated cost above 0, and for a known cost a case worker adds (`wanted`)."""
    lines = []
    for key, (label, label_en) in COSTS.items():
        code, stated = f"{CODE_COST}{key}", data.costs.get(key, 0)
        if stated <= 0 and code not in wanted:
            continue
        amount, note = stated, ""
        if key == "housing" and data.housing_cap is not None and stated > data.housing_cap:
            amount = data.housing_cap
            note = f"Högst skälig boendekostnad {kr(data.housing_cap)} räknas (faktisk kostnad {kr(stated)})."
        lines.append(Line(code, label, label_en, amount, COST, note=note))
    for key, (label, label_en) in ASSESSED_COSTS.items():
        code, stated = f"{CODE_ASSESSED}{key}", data.assessed_costs.get(key, 0)
        if stated <= 0 and code not in wanted:
            continue
        lines.append(Line(code, label, label_en, stated, ASSESSED, note="Prövas särskilt."))
    return lines


def _income_lines(data: CalculationInput) -> list[Line]:
    lines = []
    for i, income in enumerate(data.incomes):
        if income.amount <= 0:
            continue
        kind_sv, kind_en = INCOME_KINDS[income.kind]
        person_sv, person_en = PERSONS[income.person]
        lines.append(
            Line(f"{CODE_INCOME}{i}", f"{kind_sv} ({person_sv})", f"{kind_en} ({person_en})", -income.amount, INCOME)
        )
    return lines


def _disregard_lines(data: CalculationInput, table: NormTable, incomes: Sequence[Line]) -> list[Line]:
    """Jobbstimulans and children's earnings, from the (possibly adjusted) income lines."""
    earned_adults = earned_children = 0
    for line in incomes:
        income = data.incomes[int(line.code.removeprefix(CODE_INCOME))]
        if income.kind != EARNED:
            continue
        if income.person == CHILD:
            earned_children += -line.amount
        else:
            earned_adults += -line.amount
    lines = []
    stim = table.jobbstimulans
    if (
        earned_adults > 0
        and data.months_on_support >= stim.after_months
        and data.months_with_jobbstimulans < stim.for_months
    ):
        disregard = int((Decimal(earned_adults) * stim.share_disregarded).to_integral_value(ROUND_FLOOR))
        percent = (stim.share_disregarded * 100).normalize()
        if disregard > 0:
            lines.append(
                Line(
                    CODE_JOBBSTIMULANS,
                    "Jobbstimulans",
                    "Job incentive (earned income disregard)",
                    disregard,
                    DISREGARD,
                    note=(
                        f"{percent:f} % av lönen räknas inte (jobbstimulans) efter {stim.after_months} månader "
                        f"med försörjningsstöd. Månad {data.months_with_jobbstimulans + 1} av högst "
                        f"{stim.for_months}."
                    ),
                )
            )
    if earned_children > 0:
        per_month = table.prisbasbelopp.amount // 12
        disregard = min(earned_children, per_month)
        if disregard > 0:
            lines.append(
                Line(
                    CODE_CHILD_INCOME,
                    "Barns arbetsinkomst som inte räknas",
                    "Children's earnings not counted",
                    disregard,
                    DISREGARD,
                    table.prisbasbelopp.estimated,
                    note=(
                        "Hemmavarande barns och skolungdomars arbetsinkomst räknas inte upp till ett prisbasbelopp "
                        f"per år ({kr(table.prisbasbelopp.amount)}), det vill säga {kr(per_month)} per månad."
                    ),
                )
            )
    return lines


def _check_adjustments(
    adjustments: Sequence[Adjustment],
) -> tuple[dict[str, texts.Text], dict[str, tuple[int, Adjustment]]]:
    """Per-adjustment checks that need no lines. Returns the errors and the valid adjustments by code."""
    errors: dict[str, texts.Text] = {}
    by_code: dict[str, tuple[int, Adjustment]] = {}
    for i, adjustment in enumerate(adjustments):
        key = f"adjustments[{i}]"
        reason = adjustment.reason.strip() if isinstance(adjustment.reason, str) else ""
        if not isinstance(adjustment.code, str) or not adjustment.code:
            errors[key] = texts.ADJUST_WHICH
        elif not reason:
            errors[key] = texts.ADJUST_WHY
        elif len(reason) > MAX_REASON:
            errors[key] = texts.ADJUST_REASON_MAX.format(max=MAX_REASON)
        elif not _is_int(adjustment.amount) or abs(adjustment.amount) > MAX_AMOUNT:
            errors[key] = texts.ADJUST_AMOUNT.format(max=texts.kr(MAX_AMOUNT))
        elif adjustment.code in by_code:
            errors[key] = texts.ADJUST_TWICE
        else:
            by_code[adjustment.code] = (i, adjustment)
    return errors, by_code


def _apply(lines: list[Line], by_code: dict[str, tuple[int, Adjustment]], errors: dict[str, texts.Text]) -> list[Line]:
    result = []
    for line in lines:
        if line.code not in by_code:
            result.append(line)
            continue
        i, adjustment = by_code.pop(line.code)
        reason = adjustment.reason.strip()
        if line.kind == INCOME and adjustment.amount > 0:
            errors[f"adjustments[{i}]"] = texts.ADJUST_INCOME_SIGN.format(example=texts.kr(-abs(line.amount) or -1000))
        elif line.kind != INCOME and adjustment.amount < 0:
            errors[f"adjustments[{i}]"] = texts.ADJUST_NOT_NEGATIVE
        result.append(
            Line(
                line.code,
                line.label,
                line.label_en,
                adjustment.amount,
                line.kind,
                line.estimated,
                line.note,
                adjusted=True,
                original=line.amount,
                reason=reason,
            )
        )
    return result


def calculate(data: CalculationInput, adjustments: Sequence[Adjustment] = ()) -> Calculation:
    """The calculation for one month. Raises NotFound when the year has no table and ValidationFailed
    (Swedish messages, keyed by field or by "adjustments[<i>]") for bad input or adjustments."""
    table = load_table(data.year)
    _check_input(data)
    errors, by_code = _check_adjustments(adjustments)
    # A case worker may add a known cost that was not stated (e.g. electricity); other codes must exist.
    addable = set(by_code) & ({f"{CODE_COST}{k}" for k in COSTS} | {f"{CODE_ASSESSED}{k}" for k in ASSESSED_COSTS})

    base = _norm_lines(data, table) + _cost_lines(data, addable) + _income_lines(data)
    base = _apply(base, by_code, errors)
    disregards = _apply(_disregard_lines(data, table, [x for x in base if x.kind == INCOME]), by_code, errors)
    for i, adjustment in sorted(by_code.values(), key=lambda item: item[0]):
        errors[f"adjustments[{i}]"] = texts.ADJUST_NO_LINE.format(code=adjustment.code)
    if errors:
        ordered = dict(sorted(errors.items(), key=lambda item: int(item[0].removeprefix("adjustments[")[:-1])))
        raise ValidationFailed(texts.ADJUSTMENTS_FAILED, ordered)

    lines = tuple(base + disregards)
    norm_total = sum(x.amount for x in lines if x.kind == NORM)
    costs_total = sum(x.amount for x in lines if x.kind in (COST, ASSESSED))
    need_total = norm_total + costs_total
    incomes = -sum(x.amount for x in lines if x.kind == INCOME)
    income_total = max(0, incomes - sum(x.amount for x in lines if x.kind == DISREGARD))
    return Calculation(
        year=table.year,
        table_version=table.version,
        lines=lines,
        norm_total=norm_total,
        costs_total=costs_total,
        need_total=need_total,
        income_total=income_total,
        result=max(0, need_total - income_total),
        estimated=any(x.estimated for x in lines),
    )
