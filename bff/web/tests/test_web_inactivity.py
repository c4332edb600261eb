"""Inactivity on the web: the page knows when the session ends for lack of activity (identity's idle
limit, from the login and every refresh) and carries the warning dialog and its script; a page the
resident loads is activity (the session is refreshed at most once a minute), the page's own status
checks are not; "stay logged in" refreshes at once (JSON for the script, a form without it); past
the limit the session ends on the server with a Swedish message; the script's save of the step it
leaves ("autosave") keeps what was typed. Over real gRPC to test doubles, with the clock moved."""

from __future__ import annotations

import re
import time

import pytest
from conftest import Platform, csrf_of, login, page
from flask.testing import FlaskClient
from test_web_applications import new_application, post_step
from web_fakes import fake_platform, on_fakes  # noqa: F401 - not moved yet

from bff_web import session as web_session

IDLE = 30 * 60


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    moved = [time.time()]
    monkeypatch.setattr(web_session, "now", lambda: moved[0])
    return moved


def ends_in(html: str) -> int:
    match = re.search(r'data-session-ends-in="(\d+)"', html)
    assert match, "the page does not say when the session ends"
    return int(match.group(1))


def test_a_page_says_when_the_session_ends_and_carries_the_warning(client: FlaskClient, platform: Platform) -> None:
    platform.identity.idle_timeout = IDLE
    login(client)
    html = page(client, "/mina-sidor")
    assert IDLE - 5 <= ends_in(html) <= IDLE
    assert (
        '<dialog id="idle-dialog" class="idle-dialog" aria-labelledby="idle-title" aria-describedby="idle-text">'
        in html
    )
    assert "Vill du fortsätta vara inloggad?" in html and "Fortsätt vara inloggad" in html and "Logga ut nu" in html
    assert '<script src="/static/session.js" defer></script>' in html
    english = page(client, "/mina-sidor?lang=en")
    assert "Do you want to stay logged in?" in english and "Stay logged in" in english


def test_without_an_idle_limit_there_is_no_warning(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/mina-sidor")
    assert "data-session-ends-in" not in html and "idle-dialog" not in html


def test_loading_pages_is_activity_and_the_pages_own_checks_are_not(
    client: FlaskClient, platform: Platform, clock: list[float]
) -> None:
    platform.identity.idle_timeout = IDLE
    login(client)
    clock[0] += 20 * 60
    status = client.get("/sessionen").get_json()
    assert status["logged_in"] and 9 * 60 <= status["ends_in"] <= 10 * 60
    again = client.get("/sessionen").get_json()  # asking is not activity, whatever else it renews
    assert again["ends_in"] <= status["ends_in"]
    assert ends_in(page(client, "/mina-sidor")) >= IDLE - 5  # a page load is
    refreshes = platform.identity.refreshes
    clock[0] += 30
    page(client, "/inkorg")
    assert platform.identity.refreshes == refreshes  # at most once a minute


def test_stay_logged_in_refreshes_the_session_for_the_script_and_without_it(
    client: FlaskClient, platform: Platform, clock: list[float]
) -> None:
    platform.identity.idle_timeout = IDLE
    login(client)
    token = csrf_of(page(client, "/mina-sidor"))
    clock[0] += IDLE - 50  # the warning is showing
    answer = client.post("/sessionen/forlang", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["logged_in"]
    assert IDLE - 2 <= answer.get_json()["ends_in"] <= IDLE
    clock[0] += IDLE - 50
    plain = client.post("/sessionen/forlang", data={"csrf_token": token, "next": "/inkorg"})
    assert plain.status_code == 302 and plain.location.endswith("/inkorg")
    assert "Du är fortfarande inloggad." in page(client, "/inkorg")
    outside = client.post("/sessionen/forlang", data={"csrf_token": token, "next": "https://evil.example/"})
    assert outside.location.endswith("/mina-sidor")  # only back to this site


def test_past_the_limit_the_session_ends_on_the_server_with_a_message(
    client: FlaskClient, platform: Platform, clock: list[float]
) -> None:
    platform.identity.idle_timeout = IDLE
    login(client)
    token = csrf_of(page(client, "/mina-sidor"))
    clock[0] += IDLE + 1
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location.endswith("/logga-in")
    assert "Du loggades ut eftersom du inte varit aktiv på en stund." in page(client, "/logga-in")
    late = client.post("/sessionen/forlang", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert late.status_code in (400, 401)  # the session (and its CSRF token) is gone
    assert client.get("/sessionen").get_json() == {"logged_in": False, "ends_in": 0}


def test_the_scripts_autosave_keeps_what_was_typed_and_the_logout_says_so(
    client: FlaskClient, platform: Platform
) -> None:
    platform.identity.idle_timeout = IDLE
    login(client)
    app_id = new_application(client)
    saved = post_step(client, app_id, 0, {"period": "2026-12", "hyra": "7100", "action": "autosave"})
    assert saved.status_code == 302 and saved.location.endswith(f"/ansokan/{app_id}/steg/0")
    assert platform.applications.apps[app_id].answers["hyra"] == "7100"
    token = csrf_of(page(client, f"/ansokan/{app_id}/steg/0"))
    assert "data-autosave" in page(client, f"/ansokan/{app_id}/steg/0")
    out = client.post("/logga-ut", data={"csrf_token": token, "reason": "idle", "saved": "1"})
    assert out.status_code == 302 and out.location.endswith("/logga-in")
    assert "Det du skrev i ansökan är sparat" in page(client, "/logga-in")
