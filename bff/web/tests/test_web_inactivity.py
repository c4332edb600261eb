"""Inactivity on the web: the page knows when the session ends for lack of activity (identity's idle
limit, from the login and every refresh) and carries the warning dialog and its script; a page the
resident loads is activity (the session is refreshed at most once a minute), the page's own status
checks are not; "stay logged in" refreshes at once (JSON for the script, a form without it); past
the limit the session ends on the server with a Swedish message; the script's save of the step it
leaves ("autosave") keeps what was typed. On the real services (identity's idle limit for the web is
30 minutes), with the web's clock moved."""

from __future__ import annotations

import re
import time

import pytest
from conftest import Platform, csrf_of, login, page
from flask.testing import FlaskClient

from applications.store import Application
from bff_web import session as web_session

IDLE = 30 * 60  # identity's idle limit for a web session (FICKAN_SESSION_IDLE_WEB)


def new_application(client: FlaskClient) -> str:
    """A first application started from the e-services page; its id."""
    token = csrf_of(page(client, "/e-tjanster"))
    response = client.post("/ansokan/ny", data={"kind": "eb_grundansokan", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/ansokan/([0-9a-f-]{36})/steg/0", response.location)
    assert match, response.location
    return match.group(1)


def post_step(client: FlaskClient, app_id: str, index: int, data: dict):  # type: ignore[no-untyped-def]
    html = page(client, f"/ansokan/{app_id}/steg/{index}")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return client.post(
        f"/ansokan/{app_id}/steg/{index}", data={"csrf_token": csrf_of(html), "version": version, **data}
    )


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
    login(client)
    html = page(client, "/mina-sidor")
    assert IDLE - 5 <= ends_in(html) <= IDLE
    assert 'data-session-warn-before="60"' in html  # a minute unless FICKAN_WEB_IDLE_WARNING_SECONDS says
    assert (
        '<dialog id="idle-dialog" class="idle-dialog" aria-labelledby="idle-title" aria-describedby="idle-text">'
        in html
    )
    assert "Vill du fortsätta vara inloggad?" in html and "Fortsätt vara inloggad" in html and "Logga ut nu" in html
    assert '<script src="/static/session.js" defer></script>' in html
    english = page(client, "/mina-sidor?lang=en")
    assert "Do you want to stay logged in?" in english and "Stay logged in" in english


def test_without_an_idle_limit_there_is_no_warning(client: FlaskClient, platform: Platform) -> None:
    # identity always tells a web session's idle limit: an identity that tells none is injected.
    for method in ("CollectLogin", "RefreshToken"):
        real = getattr(platform.identity.servicer, method)

        def untold(request, context, real=real):  # type: ignore[no-untyped-def]
            answer = real(request, context)
            answer.idle_timeout = 0
            return answer

        platform.spies["identity"].inject(method, untold)
    login(client)
    html = page(client, "/mina-sidor")
    assert "data-session-ends-in" not in html and "idle-dialog" not in html


def test_loading_pages_is_activity_and_the_pages_own_checks_are_not(
    client: FlaskClient, platform: Platform, clock: list[float]
) -> None:
    login(client)
    clock[0] += 20 * 60
    status = client.get("/sessionen").get_json()
    assert status["logged_in"] and 9 * 60 <= status["ends_in"] <= 10 * 60
    again = client.get("/sessionen").get_json()  # asking is not activity, whatever else it renews
    assert again["ends_in"] <= status["ends_in"]
    assert ends_in(page(client, "/mina-sidor")) >= IDLE - 5  # a page load is
    refreshes = len(platform.spies["identity"].of("RefreshToken"))
    assert refreshes >= 1
    clock[0] += 30
    page(client, "/inkorg")
    assert len(platform.spies["identity"].of("RefreshToken")) == refreshes  # at most once a minute


def test_stay_logged_in_refreshes_the_session_for_the_script_and_without_it(
    client: FlaskClient, platform: Platform, clock: list[float]
) -> None:
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
    login(client)
    token = csrf_of(page(client, "/mina-sidor"))
    clock[0] += IDLE + 1
    platform.spies["identity"].reset()
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location.endswith("/logga-in")
    assert platform.spies["identity"].names() == ["Logout"]  # ended at identity too, not only here
    assert "Du loggades ut eftersom du inte varit aktiv på en stund." in page(client, "/logga-in")
    late = client.post("/sessionen/forlang", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert late.status_code in (400, 401)  # the session (and its CSRF token) is gone
    assert client.get("/sessionen").get_json() == {"logged_in": False, "ends_in": 0}


def test_the_scripts_autosave_keeps_what_was_typed_and_the_logout_says_so(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    saved = post_step(client, app_id, 2, {"boendeform": "hyresratt", "hyra": "7100", "action": "autosave"})
    assert saved.status_code == 302 and saved.location.endswith(f"/ansokan/{app_id}/steg/2")
    with platform.applications.db.read() as session:
        assert session.get(Application, app_id).answers["hyra"] == "7100"
    token = csrf_of(page(client, f"/ansokan/{app_id}/steg/2"))
    assert "data-autosave" in page(client, f"/ansokan/{app_id}/steg/2")
    out = client.post("/logga-ut", data={"csrf_token": token, "reason": "idle", "saved": "1"})
    assert out.status_code == 302 and out.location.endswith("/logga-in")
    assert "Det du skrev i ansökan är sparat" in page(client, "/logga-in")


def test_a_warning_shorter_than_wcag_allows_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """WCAG 2.2.1: at least 20 seconds to answer; a shorter setting stops the BFF with a clear line."""
    from bff_web.settings import load

    monkeypatch.setenv("FICKAN_WEB_IDLE_WARNING_SECONDS", "30")
    assert load().idle_warning_seconds == 30
    monkeypatch.setenv("FICKAN_WEB_IDLE_WARNING_SECONDS", "10")
    with pytest.raises(SystemExit, match="at least 20"):
        load()
