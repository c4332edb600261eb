"""E-service forms on the web: the service's form definition (data, see the applications service's
data/forms/README) turned into the fields of one step, and a posted step turned back into answers.

Conditions (show_if) are evaluated here on the answers saved so far, so the pages work without
JavaScript; fickan.js only shows and hides the same questions at once as the person answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from fickan_common.conditions import holds

YES, NO = "ja", "nej"
_ROW = re.compile(r"^([a-z0-9_]+)\[(\d{1,2})\]\[([a-z0-9_]+)\]$")


@dataclass
class Definition:
    kind: str
    version: int
    title: str
    intro: str
    steps: list[dict[str, Any]]
    requires_signature: bool
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, definition_json: str, requires_signature: bool = False) -> Definition:
        raw = json.loads(definition_json)
        return cls(
            raw["kind"],
            int(raw["version"]),
            raw["title"],
            raw.get("intro", ""),
            raw["steps"],
            requires_signature,
            raw,
        )

    def step_of(self, question_id: str) -> int:
        """The step a question (or a path like "barn[0].alder") is on; 0 when unknown."""
        root = question_id.split("[", 1)[0]
        return next((i for i, s in enumerate(self.steps) for q in s["questions"] if q["id"] == root), 0)


def decoded(answers: dict[str, str]) -> dict[str, Any]:
    """gRPC's map<string, string> back to values: groups and file lists travel as JSON."""
    values: dict[str, Any] = {}
    for key, value in answers.items():
        if value.startswith("["):
            try:
                values[key] = json.loads(value)
                continue
            except ValueError:
                pass
        values[key] = value
    return values


def show_if_attribute(condition: dict[str, Any] | None) -> str:
    """The condition for fickan.js, as JSON in a data attribute ("" when always shown)."""
    return json.dumps(condition, ensure_ascii=False) if condition else ""


def field_id(name: str) -> str:
    """The HTML id of a question's field (an error summary links to it)."""
    return "falt-" + re.sub(r"[^a-z0-9_-]", "-", name)


def _field(q: dict[str, Any], value: Any, errors: dict[str, str], prefix: str = "") -> dict[str, Any]:
    name = f"{prefix}[{q['id']}]" if prefix else q["id"]  # the form field: inkomster[1][belopp]
    path = f"{prefix}.{q['id']}" if prefix else q["id"]  # the service's error key: inkomster[1].belopp
    return {
        "id": field_id(name),
        "name": name,
        "qid": q["id"],
        "type": q["type"],
        "label": q.get("label", ""),
        "help": q.get("help", ""),
        "required": bool(q.get("required")),
        "options": q.get("options", []),
        "max_length": int(q.get("max_length", 2000)),
        "value": value if value is not None else "",
        "error": errors.get(path, ""),
        "show_if": show_if_attribute(q.get("show_if")) if not prefix else "",
    }


def step_fields(
    definition: Definition, index: int, answers: dict[str, Any], errors: dict[str, str], extra_rows: str = ""
) -> list[dict[str, Any]]:
    """The fields of one step with their values and errors. Questions whose condition does not hold
    on the answers so far are marked hidden (rendered, but hidden, so fickan.js can show them)."""
    fields = []
    for q in definition.steps[index]["questions"]:
        item = _field(q, answers.get(q["id"]), errors)
        item["hidden"] = not holds(q.get("show_if"), answers)
        if q["type"] == "group":
            rows = list(answers.get(q["id"]) or [])
            if extra_rows == q["id"]:
                rows.append({})
            item["rows"] = [
                [_field(sub, row.get(sub["id"], ""), errors, prefix=f"{q['id']}[{i}]") for sub in q.get("items", [])]
                for i, row in enumerate(rows)
            ]
            item["add_label"] = q.get("add_label", "")
        fields.append(item)
    return fields


def posted_answers(definition: Definition, index: int, form: MultiDict[str, str]) -> dict[str, Any]:
    """The answers of one posted step: scalars as trimmed strings, groups as lists of rows (rows
    with nothing filled in are dropped). File questions are handled apart (uploads)."""
    answers: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for key in form:
        match = _ROW.match(key)
        if match:
            group, i, sub = match.group(1), int(match.group(2)), match.group(3)
            rows.setdefault(group, {}).setdefault(i, {})[sub] = form.get(key, "").strip()
    for q in definition.steps[index]["questions"]:
        if q["type"] in ("info", "summary", "file"):
            continue
        if q["type"] == "group":
            kept = [row for _, row in sorted(rows.get(q["id"], {}).items()) if any(row.values())]
            answers[q["id"]] = json.dumps(kept, ensure_ascii=False)
        elif q["id"] in form:
            answers[q["id"]] = form.get(q["id"], "").strip()
    return answers


def display(definition: Definition, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers of every step, as a person reads them (for the summary and the case view)."""
    steps = []
    for index, step in enumerate(definition.steps):
        lines = []
        for q in step["questions"]:
            if q["type"] in ("info", "summary") or not holds(q.get("show_if"), answers):
                continue
            value = answers.get(q["id"])
            lines.append({"label": q.get("label", q["id"]), "value": _shown(q, value)})
        if lines:
            steps.append({"index": index, "title": step.get("title", ""), "lines": lines})
    return steps


def _shown(q: dict[str, Any], value: Any) -> str:
    if value in (None, "", []):
        return ""
    if q["type"] == "choice":
        return next((o.get("label", value) for o in q.get("options", []) if o.get("value") == value), str(value))
    if q["type"] == "yesno":
        return {"ja": "Ja", "nej": "Nej"}.get(value, str(value))
    if q["type"] == "file":
        return f"{len(value)}" if isinstance(value, list) else str(value)
    if q["type"] == "group" and isinstance(value, list):
        parts = []
        for row in value:
            cells = []
            for sub in q.get("items", []):
                if row.get(sub["id"]):
                    cells.append(_shown(sub, row[sub["id"]]))
            parts.append(", ".join(cells))
        return "; ".join(parts)
    return str(value)
