"""The authorization matrix: every endpoint of every BFF (rules.py, held against the route tables
by test_route_tables.py) asked once by each principal on the running platform — resident A, resident
B, A's co-applicant, a case worker of the case's unit and one of another unit, the contact agent of
the question's group and one of another group, the admin, A's paired watch, no token and an expired
token — and the answer held to the rule (see rules.py for what "held" means)."""

from __future__ import annotations

import time

import pytest
import requests

from .asking import COOKIE, ask, problems
from .rules import RULES
from .world import PRINCIPALS, keys_dir, session_cookie, signed_like


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


def test_the_expired_token_is_refused_for_its_age_alone(world):
    """The matrix's expired token is A's own claims signed with identity's real key: the same claims
    with an hour left are A, so every refusal of the expired one is for its age, not its signature."""
    mobile, watch, web = world.url("mobile"), world.url("watch"), world.url("web")
    fresh = signed_like(world.people["resident_a"].token, keys_dir(world.platform), 3600)

    def me(token: str) -> requests.Response:
        return requests.get(f"{mobile}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert me(fresh).json()["id"] == world.people["resident_a"].user_id
    refused = me(world.expired_token)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_expired"
    on_watch = requests.get(
        f"{watch}/v1/glance", headers={"Authorization": f"Bearer {world.expired_token}"}, timeout=10
    )
    assert on_watch.status_code == 401 and on_watch.json()["error"]["code"] == "token_expired"

    browser = requests.Session()
    browser.headers["Cookie"] = f"{COOKIE}={world.expired_cookie}"
    login_page = browser.get(f"{web}/mina-sidor", timeout=10)  # followed to the login page
    assert login_page.url.endswith("/logga-in") and "Din inloggning har gått ut." in login_page.text
    key = (world.platform.var / "web_session_key").read_text().strip()
    cookie = session_cookie(key, {"token": fresh, "expires": int(time.time()) + 3600, "csrf": "x"})
    assert requests.get(f"{web}/mina-sidor", headers={"Cookie": f"{COOKIE}={cookie}"}, timeout=10).status_code == 200
