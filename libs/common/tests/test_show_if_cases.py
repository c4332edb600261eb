"""fickan_common.conditions passes the shared table of show_if cases (the browser's copy passes the
same table in bff/web's tests), plus the answers only the server sees (groups and files as lists)."""

from __future__ import annotations

import json

import pytest

from fickan_common.conditions import CASES_FILE, holds

CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[json.dumps(c["condition"], ensure_ascii=False)[:60] for c in CASES])
def test_the_shared_cases(case):
    assert holds(case["condition"], case["answers"]) is case["shown"]


def test_lists_and_nothing_are_not_answered():
    answered = {"question": "barn", "answered": True}
    assert holds(answered, {"barn": [{"alder": "3"}]})
    assert not holds(answered, {"barn": []})
    assert not holds(answered, {"barn": None})
