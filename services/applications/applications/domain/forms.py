"""E-service forms as data, and validation of answers with Swedish messages.

A minimal first form; the full versioned form definitions (steps, conditions, repeating groups,
uploads) come with the applications issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fickan_common.errors import NotFound, ValidationFailed


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text | integer | month
    label: str
    help: str = ""
    required: bool = True
    minimum: int = 0
    maximum: int = 0
    max_length: int = 2000


@dataclass(frozen=True)
class Form:
    kind: str
    version: int
    title: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


EKONOMISKT_BISTAND = Form(
    kind="ekonomiskt_bistand",
    version=1,
    title="Ansökan om ekonomiskt bistånd",
    fields=(
        Field("period", "month", "Vilken månad söker du för?", "Skriv år och månad, till exempel 2026-12."),
        Field("household_adults", "integer", "Antal vuxna i hushållet", minimum=1, maximum=2),
        Field("household_children", "integer", "Antal barn i hushållet", minimum=0, maximum=15),
        Field("housing_cost", "integer", "Hyra eller boendekostnad per månad (kr)", minimum=0, maximum=100_000),
        Field("income", "integer", "Hushållets inkomster den här månaden (kr)", minimum=0, maximum=1_000_000),
        Field("other", "text", "Något mer vi behöver veta?", required=False),
    ),
)

FORMS = {EKONOMISKT_BISTAND.kind: EKONOMISKT_BISTAND}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_INTEGER = re.compile(r"^\d{1,9}$")


def form_for(kind: str) -> Form:
    try:
        return FORMS[kind]
    except KeyError:
        raise NotFound("Det finns ingen sådan e-tjänst.") from None


def _check(field: Field, value: str) -> str | None:
    """The Swedish error for one answer, or None when it is fine. Empty answers are allowed here."""
    if value == "":
        return None
    if field.type == "integer":
        if not _INTEGER.match(value):
            return "Skriv ett heltal, utan mellanslag eller bokstäver."
        number = int(value)
        if number < field.minimum or number > field.maximum:
            return f"Skriv ett tal mellan {field.minimum} och {field.maximum}."
    elif field.type == "month":
        match = _MONTH.match(value)
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            return "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12."
    elif len(value) > field.max_length:
        return f"Texten får vara högst {field.max_length} tecken."
    return None


def clean_answers(form: Form, answers: dict[str, str]) -> dict[str, str]:
    """Validated answers of a draft (may be incomplete). Unknown fields are refused."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, raw in answers.items():
        field = form.field(name)
        if field is None:
            errors[name] = "Frågan finns inte i formuläret."
            continue
        value = raw.strip()
        problem = _check(field, value)
        if problem:
            errors[name] = problem
        else:
            cleaned[name] = value
    if errors:
        raise ValidationFailed("Några svar behöver rättas.", errors)
    return cleaned


def check_complete(form: Form, answers: dict[str, str]) -> None:
    """Before submitting: every required question answered."""
    missing = {f.name: "Svara på frågan." for f in form.fields if f.required and not answers.get(f.name)}
    if missing:
        raise ValidationFailed("Ansökan är inte färdig. Svara på frågorna som saknas.", missing)
