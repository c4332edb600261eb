"""The authorization matrix: every endpoint of every BFF (rules.py, held against the route tables
by test_route_tables.py) asked once by each principal on the running platform — resident A, resident
B, A's co-applicant, a case worker of the case's unit and one of another unit, the contact agent of
the question's group and one of another group, the admin, A's paired watch, no token and an expired
token — and the answer held to the rule (see rules.py for what "held" means)."""

from __future__ import annotations

import pytest

from .asking import ask, problems
from .rules import RULES
from .world import PRINCIPALS


def _cases() -> list:
    """Per endpoint, the principals outside the rule first (so an inside request that changes A's
    thing, e.g. cancels her booking, comes after the refusals); the withdrawals of A's case last."""
    cases = []
    for last in (False, True):
        for bff, table in RULES.items():
            for endpoint, rule in table.items():
                if rule.last != last:
                    continue
                for principal in sorted(PRINCIPALS, key=lambda p: p in rule.who):
                    cases.append(pytest.param(bff, endpoint, principal, id=f"{bff} {endpoint} as {principal}"))
    return cases


@pytest.mark.parametrize(("bff", "endpoint", "principal"), _cases())
def test_the_rule_holds(world, bff, endpoint, principal):
    rule = RULES[bff][endpoint]

    answer = ask(bff, endpoint, rule, principal, world)

    found = problems(bff, rule, principal, answer, world)
    assert not found, f"{bff} {endpoint} as {principal}: " + "; ".join(found) + (f" ({rule.why})" if rule.why else "")
