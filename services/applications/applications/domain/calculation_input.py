"""The calculation's input, read from a case's answers by the form's calculation tags.

A form that says `"calculation": "riksnorm"` tags the questions the riksnorm calculation reads
(`{"calc": "partner"}`, `{"calc": "expense", "kind": "housing"}`, …; the vocabulary is in
data/forms/README.md). The code never names a question: a municipality renames a question, or adds
one, in its form file, and the calculation follows the tags. A form whose tags do not cover what the
calculation needs (or use a tag it does not know) is refused when the forms load, at start-up, with a
message naming the form and the tag — never a case calculated with a line silently left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from applications.domain import calculation as calc

if TYPE_CHECKING:  # forms checks every form with this module while it loads them
    from applications.domain.forms import Form, Question

RIKSNORM = "riksnorm"
PERSONS = (calc.APPLICANT, calc.PARTNER, calc.CHILD)
# What a form with the riksnorm calculation must tag: each entry is satisfied by one of its tags.
REQUIRED = (
    ("hushållets vuxna", ('{"calc": "partner"}', '{"calc": "adults"}')),
    ("hushållets barn", ('{"calc": "children"} med {"calc": "child_age"}', '{"calc": "children_count"}')),
    ("boendekostnaden", ('{"calc": "expense", "kind": "housing"}',)),
    ("inkomsterna", ('{"calc": "incomes"} med {"calc": "amount"} och {"calc": "income_kind"}', '{"calc": "income"}')),
)


class FormTagError(ValueError):
    """A form's calculation tags are incomplete or wrong: the form must not be used."""


@dataclass(frozen=True)
class Group:
    """A repeating group the calculation reads row by row: which item holds what."""

    id: str
    amount: str = ""
    kind: str = ""  # the item whose option says the kind (income or assessed expense)
    person: str = ""  # the item whose option says whose income it is
    age: str = ""
    lunch: str = ""
    kinds: dict[str, str] = field(default_factory=dict)  # option value -> calculation key
    persons: dict[str, str] = field(default_factory=dict)  # option value -> applicant | partner | child


@dataclass(frozen=True)
class CalculationQuestions:
    """Where in one form each input of the calculation is."""

    partner: str = ""  # yes/no: two adults
    adults: str = ""  # a number of adults
    children: Group | None = None
    children_count: str = ""
    expenses: dict[str, str] = field(default_factory=dict)  # question -> COSTS key
    assessed: Group | None = None
    incomes: Group | None = None
    income: dict[str, str] = field(default_factory=dict)  # question -> INCOME_KINDS key


def _where(form: Form, question: Question | None = None) -> str:
    return f"Formuläret {form.kind} v{form.version}" + (f", frågan {question.id}" if question else "")


def _option_map(form: Form, question: Question, known: Mapping[str, Any], what: str) -> dict[str, str]:
    """option value -> calculation key: the option's own {"calc": …} tag, or its value when that is a key."""
    mapping = {}
    for option in question.options:
        value = str(option.get("value", ""))
        key = (option.get("tags") or {}).get("calc", value)
        if key not in known:
            raise FormTagError(
                f"{_where(form, question)}: svaret {value!r} säger inte vilken {what} det är "
                f'(tagga alternativet med {{"calc": "<{what}>"}}; kända: {", ".join(known)}).'
            )
        mapping[value] = key
    return mapping


def _group(form: Form, question: Question, role: str) -> Group:
    items = {q.tags.get("calc"): q for q in question.items if q.tags.get("calc")}
    unknown = set(items) - {"amount", "income_kind", "expense_kind", "income_person", "child_age", "child_lunch"}
    if unknown:
        raise FormTagError(f"{_where(form, question)}: okänd tagg i gruppen: {sorted(unknown)}.")
    if role == "children":
        if "child_age" not in items:
            raise FormTagError(
                f'{_where(form, question)}: barnens grupp saknar en fråga taggad {{"calc": "child_age"}}.'
            )
        lunch = items.get("child_lunch")
        return Group(question.id, age=items["child_age"].id, lunch=lunch.id if lunch else "")
    kind_tag = "income_kind" if role == "incomes" else "expense_kind"
    for needed in ("amount", kind_tag):
        if needed not in items:
            raise FormTagError(f'{_where(form, question)}: gruppen saknar en fråga taggad {{"calc": "{needed}"}}.')
    known = calc.INCOME_KINDS if role == "incomes" else calc.ASSESSED_COSTS
    kinds = _option_map(form, items[kind_tag], known, "inkomst" if role == "incomes" else "utgift")
    person = items.get("income_person")
    persons = _option_map(form, person, dict.fromkeys(PERSONS), "person") if person else {}
    return Group(
        question.id,
        amount=items["amount"].id,
        kind=items[kind_tag].id,
        person=person.id if person else "",
        kinds=kinds,
        persons=persons,
    )


# Found once per loaded form (the form is kept beside its answer, so its id is never reused).
_FOUND: dict[int, tuple[Form, CalculationQuestions]] = {}


def questions_of(form: Form) -> CalculationQuestions:
    """The form's calculation questions, checked: raises FormTagError naming the form and the tag."""
    known = _FOUND.get(id(form))
    if known is None:
        known = _FOUND[id(form)] = (form, _find(form))
    return known[1]


def _find(form: Form) -> CalculationQuestions:
    found: dict[str, Any] = {"expenses": {}, "income": {}}
    for question in form.questions:
        tag = question.tags.get("calc")
        if tag is None:
            continue
        if tag in ("partner", "adults", "children_count"):
            if found.get(tag):
                raise FormTagError(f'{_where(form, question)}: två frågor är taggade {{"calc": "{tag}"}}.')
            found[tag] = question.id
        elif tag in ("children", "assessed_expenses", "incomes"):
            role = {"assessed_expenses": "assessed"}.get(tag, tag)
            if found.get(role):
                raise FormTagError(f'{_where(form, question)}: två grupper är taggade {{"calc": "{tag}"}}.')
            if question.type != "group":
                raise FormTagError(f'{_where(form, question)}: {{"calc": "{tag}"}} hör till en upprepad grupp.')
            found[role] = _group(form, question, role)
        elif tag == "expense":
            kind = question.tags.get("kind")
            if kind not in calc.COSTS:
                raise FormTagError(f"{_where(form, question)}: okänd utgift {kind!r} (kända: {', '.join(calc.COSTS)}).")
            if kind in found["expenses"].values():
                raise FormTagError(f"{_where(form, question)}: utgiften {kind!r} är taggad två gånger.")
            found["expenses"][question.id] = kind
        elif tag == "income":
            kind = question.tags.get("kind", "annat")
            kind = {"other": "annat", "earned": calc.EARNED}.get(kind, kind)
            if kind not in calc.INCOME_KINDS:
                raise FormTagError(f"{_where(form, question)}: okänd inkomst {kind!r}.")
            found["income"][question.id] = kind
        else:
            raise FormTagError(f'{_where(form, question)}: okänd tagg {{"calc": "{tag}"}}.')
    result = CalculationQuestions(**found)
    have = (
        bool(result.partner or result.adults),
        bool(result.children or result.children_count),
        "housing" in result.expenses.values(),
        bool(result.incomes or result.income),
    )
    for (what, tags), ok in zip(REQUIRED, have, strict=True):
        if not ok:
            raise FormTagError(
                f"{_where(form)} har beräkning {RIKSNORM} men ingen fråga om {what}: "
                f"tagga en fråga med {' eller '.join(tags)}."
            )
    return result


def check(form: Form) -> None:
    """Refuses a form whose calculation tags are incomplete (called when the forms load)."""
    if form.raw.get("calculation") == RIKSNORM:
        questions_of(form)
    elif form.raw.get("calculation"):
        raise FormTagError(f"{_where(form)}: okänd beräkning {form.raw['calculation']!r} (känd: {RIKSNORM}).")


def _whole(value: Any) -> int | None:
    """A whole non-negative number from an answer ("6500", "6 500", 6500), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = "".join(value.split()).replace("\u202f", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _money(value: Any) -> int:
    amount = _whole(value)
    return 0 if amount is None else min(amount, calc.MAX_AMOUNT)


def _yes(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "ja")


def _rows(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, str):  # a group may arrive as JSON text (gRPC map<string, string>)
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def read(
    form: Form,
    answers: Mapping[str, Any],
    year: int,
    months_on_support: int = 0,
    months_with_jobbstimulans: int = 0,
    housing_cap: int | None = None,
) -> calc.CalculationInput:
    """The calculation input of a case: the answers to the form's tagged questions. An optional
    question left unanswered counts as nothing (0 kr, no child); amounts above the calculation's
    cap count as the cap."""
    where = questions_of(form)
    if where.partner:
        adults = 2 if _yes(answers.get(where.partner)) else 1
    else:
        adults = 2 if (_whole(answers.get(where.adults)) or 1) >= 2 else 1

    children: list[calc.Child] = []
    if where.children:
        for row in _rows(answers.get(where.children.id))[: calc.MAX_CHILDREN]:
            age = _whole(row.get(where.children.age))
            if age is None:
                children.append(calc.Child(age=calc.UNKNOWN_AGE_BAND_AGE, age_known=False))
            else:
                lunch = _yes(row.get(where.children.lunch)) if where.children.lunch else False
                children.append(calc.Child(age=min(age, calc.MAX_CHILD_AGE), lunch_at_school=lunch))
    if not children and where.children_count:
        count = min(_whole(answers.get(where.children_count)) or 0, calc.MAX_CHILDREN)
        children = [calc.Child(age=calc.UNKNOWN_AGE_BAND_AGE, age_known=False) for _ in range(count)]

    costs = {kind: amount for question, kind in where.expenses.items() if (amount := _money(answers.get(question)))}

    assessed: dict[str, int] = {}
    if where.assessed:
        group = where.assessed
        for row in _rows(answers.get(group.id)):
            key = group.kinds.get(str(row.get(group.kind, "")).strip())
            amount = _money(row.get(group.amount))
            if key and amount:
                assessed[key] = min(assessed.get(key, 0) + amount, calc.MAX_AMOUNT)

    incomes: list[calc.Income] = []
    if where.incomes:
        group = where.incomes
        for row in _rows(answers.get(group.id)):
            amount = _money(row.get(group.amount))
            if not amount:
                continue
            kind = group.kinds.get(str(row.get(group.kind, "")).strip(), "annat")
            person = group.persons.get(str(row.get(group.person, "")).strip(), calc.APPLICANT)
            incomes.append(calc.Income(kind, amount, person))
    for question, kind in where.income.items():
        if amount := _money(answers.get(question)):
            incomes.append(calc.Income(kind, amount))

    return calc.CalculationInput(
        year=year,
        adults=adults,
        children=tuple(children),
        costs=costs,
        assessed_costs=assessed,
        incomes=tuple(incomes),
        months_on_support=months_on_support,
        months_with_jobbstimulans=months_with_jobbstimulans,
        housing_cap=housing_cap,
    )
