"""When a form's question is shown: its `show_if` condition, evaluated on the answers so far.

One definition for the service (which checks answers against what was shown) and the web BFF
(which renders the step without JavaScript). The browser's copy (bff/web static/conditions.js)
cannot import Python; it passes the same table of cases (data/show_if_cases.json) in a test.

    {"question": id, "equals": v} | {"question": id, "not_equals": v} | {"question": id, "in": [v, …]}
    | {"question": id, "answered": true} | {"all": [cond, …]} | {"any": [cond, …]}
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

CASES_FILE = Path(__file__).parent / "data" / "show_if_cases.json"


def holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """True when the question is shown; no condition means always."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers) for c in condition["any"])
    value = answers.get(condition["question"], "")
    if "equals" in condition:
        return value == condition["equals"]
    if "not_equals" in condition:
        return value != condition["not_equals"]
    if "in" in condition:
        return value in condition["in"]
    if condition.get("answered"):
        return value not in ("", None, [])
    return True
