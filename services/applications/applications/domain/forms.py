"""E-service forms as versioned data files, and one generic validator of answers against them.

The definitions live in `applications/data/forms/<kind>.v<version>.json` (see the README there for
the format): steps, questions (text, integer/number, date, month, choice, yesno, group, file, info,
summary), conditions (`show_if`), validation rules with Swedish messages, help texts and tags that
map answers to the calculation. The code here knows the format, never a particular form.

Answers are stored as a flat dict keyed by top-level question id. A scalar answer is a string
("12000", "ja", "2026-12-01"); a repeating group is a list of dicts of strings; a file question is a
list of attachment ids. Over gRPC's `map<string, string>` a group or file answer travels as JSON.
Errors are keyed by field path: "inkomster[1].belopp" (0-based index).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from applications import texts
from fickan_common import conditions
from fickan_common.errors import NotFound, ValidationFailed

DATA = Path(__file__).resolve().parent.parent / "data"
FORMS_DIR = DATA / "forms"

SCALAR_TYPES = {"text", "integer", "number", "date", "month", "choice", "yesno", "personnummer"}
DISPLAY_TYPES = {"info", "summary"}
YES, NO = "ja", "nej"

# Default messages; a question's "rules" and "messages" may say it better for that question.
MESSAGES = {
    # A missing answer names its question, so an error summary of several is still clear.
    "required": texts.FORM_REQUIRED,
    "required_file": texts.FORM_REQUIRED_FILE,
    "integer": texts.FORM_INTEGER,
    "control": texts.FORM_CONTROL,
    "range": texts.FORM_RANGE,
    "month": texts.FORM_MONTH,
    "date": texts.FORM_DATE,
    "choice": texts.FORM_CHOICE,
    "yesno": texts.FORM_YESNO,
    "max_length": texts.FORM_MAX_LENGTH,
    "group": texts.FORM_GROUP,
    "min_items": texts.FORM_MIN_ITEMS,
    "max_items": texts.FORM_MAX_ITEMS,
    "file": texts.FORM_FILE,
    "unknown": texts.FORM_UNKNOWN,
    "not_answerable": texts.FORM_NOT_ANSWERABLE,
    "equals": texts.FORM_EQUALS,
    "personnummer": texts.FORM_PERSONNUMMER,
}

# ASCII digits only: Python's \d also takes "٣" and "৩", which int() reads as 3.
_INTEGER = re.compile(r"^[0-9]{1,9}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PERSONNUMMER = re.compile(r"^([0-9]{6}|[0-9]{8})[-+]?[0-9]{4}$")
MASKED_PERSONNUMMER = re.compile(r"^[0-9]{8}-\*{4}$")  # what is stored once identity has resolved it
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 2000
    options: tuple[dict[str, Any], ...] = ()
    items: tuple[Question, ...] = ()
    min_items: int = 0
    max_items: int = 50
    show_if: dict[str, Any] | None = None
    rules: tuple[dict[str, Any], ...] = ()
    tags: dict[str, Any] = field(default_factory=dict)
    prefill: bool = True
    multiple: bool = False
    messages: dict[str, str] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return self.type not in DISPLAY_TYPES

    def item(self, item_id: str) -> Question | None:
        return next((q for q in self.items if q.id == item_id), None)

    def option(self, value: str) -> dict[str, Any] | None:
        return next((o for o in self.options if o.get("value") == value), None)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    help: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Form:
    kind: str
    version: int
    title: str
    e_service: str
    steps: tuple[Step, ...]
    period_bound: bool = False
    prefill_from: tuple[str, ...] = ()
    requires_signature: bool = False
    decision_target_hours: int = 24
    intro: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for step in self.steps for q in step.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    # The first form's shape, kept for old clients: one flat list of questions.
    @property
    def fields(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.answerable)

    def field(self, name: str) -> Question | None:
        return self.question(name)

    def definition_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False)


def _question(raw: Mapping[str, Any]) -> Question:
    return Question(
        id=raw["id"],
        type=raw["type"],
        label=raw.get("label", ""),
        help=raw.get("help", ""),
        required=bool(raw.get("required", False)),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        max_length=int(raw.get("max_length", 2000)),
        options=tuple(raw.get("options", ())),
        items=tuple(_question(i) for i in raw.get("items", ())),
        min_items=int(raw.get("min_items", 0)),
        max_items=int(raw.get("max_items", 50)),
        show_if=raw.get("show_if"),
        rules=tuple(raw.get("rules", ())),
        tags=dict(raw.get("tags", {})),
        prefill=bool(raw.get("prefill", True)),
        multiple=bool(raw.get("multiple", False)),
        messages=dict(raw.get("messages", {})),
    )


def parse_form(raw: Mapping[str, Any]) -> Form:
    """A definition from its JSON form. Raises ValueError on a malformed definition."""
    steps = tuple(
        Step(s["id"], s.get("title", ""), s.get("help", ""), tuple(_question(q) for q in s["questions"]))
        for s in raw["steps"]
    )
    form = Form(
        kind=raw["kind"],
        version=int(raw["version"]),
        title=raw["title"],
        e_service=raw.get("e_service", ""),
        steps=steps,
        period_bound=bool(raw.get("period_bound", False)),
        prefill_from=tuple(raw.get("prefill_from", ())),
        requires_signature=bool(raw.get("requires_signature", False)),
        decision_target_hours=int(raw.get("decision_target_hours", 24)),
        intro=raw.get("intro", ""),
        raw=dict(raw),
    )
    ids = [q.id for q in form.questions]
    if len(ids) != len(set(ids)):
        raise ValueError(f"form {form.kind} v{form.version}: duplicate question ids")
    for q in form.questions:
        if q.type not in SCALAR_TYPES | DISPLAY_TYPES | {"group", "file"}:
            raise ValueError(f"form {form.kind}: question {q.id} has unknown type {q.type}")
    return form


@cache
def _all_forms() -> dict[tuple[str, int], Form]:
    forms: dict[tuple[str, int], Form] = {}
    for path in sorted(FORMS_DIR.glob("*.v*.json")):
        form = parse_form(json.loads(path.read_text(encoding="utf-8")))
        # A form the calculation cannot read fully is refused here, at start-up, not paid wrong later.
        from applications.domain import calculation_input

        calculation_input.check(form)
        forms[(form.kind, form.version)] = form
    return forms


def form_for(kind: str, version: int | None = None) -> Form:
    """The newest version of an e-service form, or the given version (drafts keep theirs)."""
    forms = _all_forms()
    if version:
        try:
            return forms[(kind, version)]
        except KeyError:
            raise NotFound(texts.NO_SUCH_ESERVICE) from None
    versions = [v for (k, v) in forms if k == kind]
    if not versions:
        raise NotFound(texts.NO_SUCH_ESERVICE)
    return forms[(kind, max(versions))]


@cache
def catalogue() -> list[dict[str, Any]]:
    """The municipality's e-services (data/catalogue.json)."""
    return json.loads((DATA / "catalogue.json").read_text(encoding="utf-8"))["e_services"]


def e_service_entry(kind: str) -> dict[str, Any]:
    """The catalogue's entry of the e-service a form belongs to ({} when the catalogue does not list it)."""
    return next((e for e in catalogue() for f in e["forms"] if f["kind"] == kind), {})


def e_service_of(kind: str) -> str:
    """The id of the e-service a form belongs to (its kind when the catalogue does not list it)."""
    return next((e["id"] for e in catalogue() for f in e["forms"] if f["kind"] == kind), kind)


EKONOMISKT_BISTAND = form_for("ekonomiskt_bistand")


# --- conditions ------------------------------------------------------------------------------


# One definition, shared with the web BFF (and passed by the browser's copy too).
condition_holds = conditions.holds


def visible_questions(form: Form, answers: Mapping[str, Any]) -> Iterator[Question]:
    for q in form.questions:
        if q.answerable and condition_holds(q.show_if, answers):
            yield q


# --- checking one value ----------------------------------------------------------------------


def _message(q: Question, key: str, **values: Any) -> texts.Text:
    return _own(q.messages.get(key), MESSAGES[key].format(**values))


def _own(message: str | None, default: texts.Text) -> texts.Text:
    """A form's own (Swedish) message for a question, with the default's English; else the default."""
    return texts.Text(default.key, message, default.en) if message else default


def _required(q: Question) -> texts.Text:
    """The question's own message ("Ange vilken månad du söker för."), or one that names it."""
    label = q.label.strip() or q.id
    default = MESSAGES["required_file" if q.type == "file" else "required"].format(label=label)
    return _own(q.messages.get("required"), default)


# Answers written with digits: digits of other scripts ("٣٠٠٠", "३०००") are stored as ASCII.
DIGIT_TYPES = {"integer", "number", "date", "month", "personnummer"}
# C0 control characters (NUL among them) and DEL; tab and line breaks are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalised(q: Question, value: str) -> str:
    """The answer as it is kept: trimmed, and for answers written with digits, every decimal digit
    of another script (Unicode category Nd) as its ASCII digit. Superscripts and the like ("²")
    are not decimal digits and stay, to be refused."""
    value = value.strip()
    if q.type in DIGIT_TYPES and not value.isascii():
        value = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)
    return value


def _check_scalar(q: Question, value: str) -> texts.Text | None:
    """The error for one non-empty scalar answer (already normalised), or None."""
    if _CONTROL.search(value):
        return _message(q, "control")
    if q.type in ("integer", "number"):
        if not _INTEGER.match(value):
            return _message(q, "integer")
        number = int(value)
        low = q.minimum if q.minimum is not None else 0
        high = q.maximum if q.maximum is not None else 999_999_999
        if number < low or number > high:
            return _message(q, "range", min=low, max=high)
    elif q.type == "month":
        match = _MONTH.match(value)
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            return _message(q, "month")
    elif q.type == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            return _message(q, "date")
    elif q.type == "choice":
        if q.option(value) is None:
            return _message(q, "choice")
    elif q.type == "yesno":
        if value not in (YES, NO):
            return _message(q, "yesno")
    elif q.type == "personnummer":
        if not (_PERSONNUMMER.match(value) or MASKED_PERSONNUMMER.match(value)):
            return _message(q, "personnummer")
    elif len(value) > q.max_length:
        return _message(q, "max_length", max_length=q.max_length)
    for rule in q.rules:
        if "equals" in rule and value != rule["equals"]:
            return _own(rule.get("message"), _message(q, "equals", equals=rule["equals"]))
        if "pattern" in rule and not re.fullmatch(rule["pattern"], value):
            return _own(rule.get("message"), _message(q, "choice"))
    return None


def _parse_list(raw: Any) -> list[Any] | None:
    if isinstance(raw, list):
        return raw
    if isinstance(raw, str):
        if raw.strip() == "":
            return []
        try:
            parsed = json.loads(raw)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _clean_group(q: Question, raw: Any, path: str, errors: dict[str, texts.Text]) -> list[dict[str, str]] | None:
    items = _parse_list(raw)
    if items is None or not all(isinstance(i, dict) for i in items):
        errors[path] = _message(q, "group")
        return None
    if len(items) > q.max_items:
        errors[path] = _message(q, "max_items", max_items=q.max_items)
        return None
    cleaned: list[dict[str, str]] = []
    for index, item in enumerate(items):
        row: dict[str, str] = {}
        for key, value in item.items():
            sub = q.item(str(key))
            item_path = f"{path}[{index}].{key}"
            if sub is None or not sub.answerable:
                errors[item_path] = _message(q, "unknown")
                continue
            if not isinstance(value, str | int) or isinstance(value, bool):
                errors[item_path] = _message(sub, "group")
                continue
            text = normalised(sub, str(value))
            problem = _check_scalar(sub, text) if text else None
            if problem:
                errors[item_path] = problem
            else:
                row[sub.id] = text
        cleaned.append(row)
    return cleaned


def _clean_files(q: Question, raw: Any, path: str, errors: dict[str, texts.Text]) -> list[str] | None:
    ids = _parse_list(raw)
    if ids is None and isinstance(raw, str) and _UUID.match(raw.strip()):
        ids = [raw.strip()]
    if ids is None or not all(isinstance(i, str) and _UUID.match(i) for i in ids):
        errors[path] = _message(q, "file")
        return None
    if not q.multiple and len(ids) > 1:
        errors[path] = _message(q, "max_items", max_items=1)
        return None
    return list(ids)


def clean_answers(form: Form, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validated answers of a draft, which may be incomplete: each given answer must have the right
    type and shape. Unknown questions are refused. Raises ValidationFailed with a message per path."""
    errors: dict[str, texts.Text] = {}
    cleaned: dict[str, Any] = {}
    for name, raw in answers.items():
        q = form.question(name)
        if q is None:
            errors[name] = MESSAGES["unknown"]
            continue
        if not q.answerable:
            errors[name] = MESSAGES["not_answerable"]
            continue
        if q.type == "group":
            group = _clean_group(q, raw, name, errors)
            if group is not None:
                cleaned[name] = group
        elif q.type == "file":
            files = _clean_files(q, raw, name, errors)
            if files is not None:
                cleaned[name] = files
        else:
            if not isinstance(raw, str):
                errors[name] = _message(q, "group")
                continue
            value = normalised(q, raw)
            problem = _check_scalar(q, value) if value else None
            if problem:
                errors[name] = problem
            else:
                cleaned[name] = value
    if errors:
        raise ValidationFailed(texts.ANSWERS_TO_FIX, errors)
    return cleaned


def completeness_errors(form: Form, answers: Mapping[str, Any], step: int | None = None) -> dict[str, texts.Text]:
    """Every shown required question answered (conditions evaluated on the answers), every shown
    group item complete, and every rule kept; of one step when `step` is given (its index).
    Hidden questions are never required."""
    errors: dict[str, texts.Text] = {}
    if step is not None and not 0 <= step < len(form.steps):
        raise ValidationFailed(texts.NO_SUCH_STEP, {"step": texts.NO_SUCH_STEP})
    wanted = {q.id for q in form.steps[step].questions} if step is not None else None
    for q in visible_questions(form, answers):
        if wanted is not None and q.id not in wanted:
            continue
        value = answers.get(q.id)
        if q.type == "group":
            items = value if isinstance(value, list) else []
            if len(items) < q.min_items:
                errors[q.id] = _message(q, "min_items", min_items=q.min_items) if q.min_items > 1 else _required(q)
            for index, item in enumerate(items):
                for sub in q.items:
                    if not sub.answerable or not condition_holds(sub.show_if, {**answers, **item}):
                        continue
                    if sub.required and not item.get(sub.id):
                        errors[f"{q.id}[{index}].{sub.id}"] = _required(sub)
        elif q.type == "file":
            if q.required and not value:
                errors[q.id] = _required(q)
        else:
            if q.required and not value:
                errors[q.id] = _required(q)
            elif value:
                problem = _check_scalar(q, value)
                if problem:
                    errors[q.id] = problem
    return errors


def check_complete(form: Form, answers: Mapping[str, Any]) -> None:
    """Before submitting: raises ValidationFailed listing what is missing, per field path."""
    errors = completeness_errors(form, answers)
    if errors:
        raise ValidationFailed(texts.NOT_COMPLETE, errors)


def wire_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    """Stored answers as gRPC's map<string, string>: groups and file lists as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in answers.items()}


def prefilled(form: Form, previous: Mapping[str, Any]) -> dict[str, Any]:
    """Last month's answers that carry over to a new draft of this form (questions with prefill)."""
    return {
        q.id: previous[q.id]
        for q in form.questions
        if q.answerable and q.prefill and q.type != "file" and q.id in previous and previous[q.id] not in ("", [])
    }


def tagged(form: Form, tag: str, value: Any) -> Question | None:
    """The form's question with tags[tag] == value (the code finds questions by meaning, never by id)."""
    return next((q for q in form.questions if q.tags.get(tag) == value), None)


def co_applicant_question(form: Form) -> Question | None:
    """The question naming the co-applicant by personnummer, if the form has one."""
    return next((q for q in form.questions if q.type == "personnummer" and q.tags.get("co_applicant")), None)


def attachment_ids(form: Form, answers: Mapping[str, Any]) -> set[str]:
    return {i for q in form.questions if q.type == "file" for i in (answers.get(q.id) or [])}


def changes(form: Form, previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[dict[str, str]]:
    """What changed since last month, for the case worker: question, label, before, after."""
    result = []
    for q in form.questions:
        if not q.answerable or q.type == "file" or q.id == "period":
            continue
        before, after = previous.get(q.id), current.get(q.id)
        if (before in (None, "", [])) and (after in (None, "", [])):
            continue
        if before != after:
            result.append(
                {
                    "question_id": q.id,
                    "label": q.label,
                    "before": _display(before),
                    "after": _display(after),
                }
            )
    return result


def _display(value: Any) -> str:
    if value in (None, "", []):
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read(q: Question, value: Any, filenames: Mapping[str, str]) -> str:
    """One answer as a person reads it (the choice's label, Ja/Nej, the files' names)."""
    if value in (None, "", []):
        return ""
    if q.type == "choice":
        option = q.option(value)
        return str(option.get("label", value)) if option else str(value)
    if q.type == "yesno":
        return {YES: "Ja", NO: "Nej"}.get(value, str(value))
    if q.type == "file" and isinstance(value, list):
        return ", ".join(filenames.get(i, i) for i in value)
    if q.type == "group" and isinstance(value, list):
        rows = []
        for row in value:
            cells = [_read(sub, row.get(sub.id), filenames) for sub in q.items if isinstance(row, dict)]
            rows.append(", ".join(c for c in cells if c))
        return "; ".join(r for r in rows if r)
    return str(value)


def read_answers(
    form: Form, answers: Mapping[str, Any], filenames: Mapping[str, str] | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every step's answered questions as (step title, [(question, answer as read)]), the way the
    resident saw them: questions whose condition did not hold are left out, unanswered ones kept."""
    shown = {q.id for q in visible_questions(form, answers)}
    result = []
    for step in form.steps:
        lines = [
            (q.label, _read(q, answers.get(q.id), filenames or {}))
            for q in step.questions
            if q.answerable and q.id in shown
        ]
        if lines:
            result.append((step.title, lines))
    return result
