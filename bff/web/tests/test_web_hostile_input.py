"""What the probe sent the web BFF, and a fuzz over every route of its route table: Unicode digits,
huge integers, NUL, lone surrogates and nested JSON, to residents' pages, staff pages and the
anonymous estimate. A clear 4xx with a Swedish page, never a 5xx. On the real services: the case on
the desk is a resident's case sent through applications and taken up by a real case worker."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from conftest import PNR_ANNA, WORKER, Platform, case_worker, csrf_of, login, page, stored
from flask import Flask
from flask.testing import FlaskClient

from bff_web import numbers

HOSTILE_NUMBERS = ["²", "3²", "٣٠٠٠", "99999999999999999999", "-99999999999999999999", "1e9", "\x00", "1\x002"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("12 500", 12500), ("12\u00a0500", 12500), ("2147483647", 2**31 - 1), (" 7 ", 7)],
)
def test_one_number_parser_reads_ascii_digits(raw: str, value: int) -> None:
    assert numbers.whole(raw) == value


@pytest.mark.parametrize("raw", [*HOSTILE_NUMBERS, "", "-1", "2147483648", "+5", "٣", "five"])
def test_one_number_parser_refuses_the_rest(raw: str) -> None:
    assert numbers.whole(raw) is None


def test_negative_numbers_only_where_asked_for() -> None:
    assert numbers.whole("-500", negative=True, high=9_999_999) == -500
    assert numbers.whole("-10000000", negative=True, high=9_999_999) is None


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_the_anonymous_estimate_answers_400_in_swedish(client: FlaskClient, raw: str) -> None:
    html = page(client, "/provrakning")
    for name in ("adults", "children_ages", "earned_income"):
        response = client.post("/provrakning", data={"csrf_token": csrf_of(html), name: raw})
        assert response.status_code == 400, (name, raw)
        assert "Det finns fel i formuläret" in response.get_data(as_text=True)


def desk(platform: Platform, client: FlaskClient) -> tuple[str, str]:
    """A case of Anna's, sent and taken up (in progress, version 4) by the case worker who logs in
    on the web: its id and its page on the desk."""
    case = platform.applications.submitted(platform.log_in(PNR_ANNA))
    worker = platform.identity.principal(case_worker(platform))
    platform.applications.casework.start_work(worker, case.id, case.version)
    login(client, WORKER)
    return case.id, page(client, f"/personal/arenden/{case.id}")


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_the_desks_decision_and_adjustment_answer_400_in_swedish(
    client: FlaskClient, platform: Platform, raw: str
) -> None:
    case, html = desk(platform, client)
    token = csrf_of(html)
    version = str(stored(platform, case).version)  # the right one: only the raw value is wrong
    for path, data in (
        ("beslut", {"outcome": "approved", "amount": raw, "version": version}),
        ("beslut", {"outcome": "approved", "amount": "100", "version": raw}),
        ("berakning", {"code": "x", "amount": raw, "version": version}),
        ("paborja", {"version": raw}),
    ):
        response = client.post(f"/personal/arenden/{case}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 400, (path, data)
        assert 'lang="sv"' in response.get_data(as_text=True)
    assert platform.spies["applications"].of("Decide") == []  # nothing reached the service
    assert platform.spies["applications"].of("AdjustCalculation") == []


def test_the_residents_form_steps_refuse_a_broken_version_and_row(client: FlaskClient, platform: Platform) -> None:
    login(client)
    html = page(client, "/e-tjanster")
    response = client.post("/ansokan/ny", data={"kind": "eb_grundansokan", "csrf_token": csrf_of(html)})
    app_id = re.search(r"/ansokan/([0-9a-f-]{36})/steg/0", response.location or "").group(1)  # type: ignore[union-attr]
    token = csrf_of(page(client, f"/ansokan/{app_id}/steg/0"))
    for index, data in (
        (0, {"version": "99999999999999999999"}),
        (0, {"version": "²"}),
        (1, {"version": "1", "action": "remove:barn:²"}),  # the children's rows are on the second step
        (1, {"version": "1", "action": "remove:barn:99999999999999999999"}),
    ):
        response = client.post(f"/ansokan/{app_id}/steg/{index}", data={"csrf_token": token, **data})
        assert response.status_code < 500, data
        if index == 0:  # a broken version saves nothing
            assert stored(platform, app_id).answers == {} and stored(platform, app_id).version == 1
    assert stored(platform, app_id).answers.get("barn", []) == []  # a broken row removes nothing, adds nothing


# --- the fuzz: every route of the route table -----------------------------------------------------

VALUES = ["²", "٣٠٠٠", "99999999999999999999", "a\x00b", "\ud800", "[" * 1000 + "]" * 1000]
FIELDS = [
    "version",
    "amount",
    "adults",
    "children_ages",
    "earned_income",
    "action",
    "personal_number",
    "mode",
    "kind",
    "code",
    "outcome",
    "reasons",
    "message",
    "items",
    "due_date",
    "roles",
    "unit",
    "period",
    "hyra",
    "device_id",
    "answer",
    "user_code",
]


def concrete(rule: str, case_id: str) -> list[str]:
    """Paths for a rule: its variables filled with an existing id, a missing one and nonsense."""
    paths = []
    for fill in (case_id, "9" * 30):
        path = re.sub(r"<int:[^>]+>", "0" if fill == case_id else "99999999999999999999", rule)
        paths.append(re.sub(r"<[^>]+>", fill, path))
    return paths


def routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/readyz":  # pings the services, takes no input
            continue
        if rule.rule == "/mina-sidor/handelser":  # Server-Sent Events: a stream, not a page
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


def broken(status: int) -> bool:
    """A 5xx: every service is up here, so not even 503 (a service down) is right."""
    return status >= 500


def test_the_route_table_is_what_the_fuzz_covers(app: Flask) -> None:
    covered = routes(app)
    assert len(covered) >= 30 and ("POST", "/provrakning") in covered and ("POST", "/logga-in") in covered


@pytest.mark.parametrize("who", ["anonymous", "resident", "case_worker"])
def test_no_route_answers_5xx_to_hostile_input(app: Flask, platform: Platform, who: str) -> None:
    client = app.test_client()
    case_id = "6f1c1c1e-0000-4000-8000-000000000001"  # no such case
    if who == "resident":
        case_id = platform.applications.submitted(platform.log_in(PNR_ANNA)).id  # her own
        login(client, PNR_ANNA)
    elif who == "case_worker":
        case_id, _ = desk(platform, client)
    token = csrf_of(page(client, "/provrakning"))
    failures = []
    for method, rule in routes(app):
        for path in concrete(rule, case_id):
            for value in VALUES:
                data = {name: value for name in FIELDS}
                # Sent as bytes a browser could send: a lone surrogate as its (invalid) UTF-8 bytes.
                query = urlencode({"lang": value, "skal": value, "q": value}, encoding="utf-8", errors="surrogatepass")
                if method == "GET":
                    response = client.get(f"{path}?{query}")
                else:
                    body = urlencode({**data, "csrf_token": token}, encoding="utf-8", errors="surrogatepass")
                    response = client.open(
                        path, method=method, data=body, content_type="application/x-www-form-urlencoded"
                    )
                if broken(response.status_code):
                    failures.append((method, path, value[:20], response.status_code))
            if method != "GET":
                nested = client.open(path, method=method, data="[" * 1000 + "]" * 1000, content_type="application/json")
                if broken(nested.status_code):
                    failures.append((method, path, "nested json", nested.status_code))
    assert not failures, failures[:20]
