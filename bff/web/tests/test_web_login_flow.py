"""Login with BankID over the web pages, without JavaScript: POST the personnummer, a self-refreshing
waiting page, then Mina sidor; failures, cancelling and logging out."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask import Flask
from flask.testing import FlaskClient

from bff_web import session as web_session
from fickan.identity.v1 import identity_pb2
from fickan_common.logs import JsonFormatter
from identity.domain import bankid
from identity.service import PNR_MESSAGE

FAILING_PERSONAL_NUMBER = "199001019802"  # a test number; its BankID app fails to start (the simulator)
USER_FAILED_MESSAGE = bankid.user_message("failed", "startFailed")
STARTING = bankid.user_message("pending", "userSign")  # the simulator's app opened the order by itself


@pytest.fixture(autouse=True)
def _failing_app(platform: Platform) -> None:
    platform.identity.simulator.set_scenario("startFailed", after=0, personal_number=FAILING_PERSONAL_NUMBER)


def _started(platform: Platform) -> list:  # type: ignore[type-arg]
    return _asked(platform, "StartLogin")


def _asked(platform: Platform, method: str) -> list:  # type: ignore[type-arg]
    return [c.request for c in platform.spies["identity"].of(method)]


def test_start_page_is_swedish_and_offers_login(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<html lang="sv">' in html
    assert "Välkommen till Fickan" in html
    assert 'href="/logga-in"' in html


def test_login_waits_on_bankid_then_lands_on_mina_sidor(client: FlaskClient, platform: Platform) -> None:
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"personal_number": PNR_ANNA, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/logga-in/vantar"
    started = _started(platform)[-1]
    assert started.personal_number == PNR_ANNA
    assert started.device == identity_pb2.DEVICE_WEB

    waiting = client.get("/logga-in/vantar")
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in html  # a new QR code each second
    assert "Öppna BankID" in html
    assert STARTING in html  # identity's own user message
    assert "autostarttoken=" in html and "<svg" in html  # the QR code, drawn on the page

    done = client.get("/logga-in/vantar")
    assert done.status_code == 302 and done.location == "/mina-sidor"
    overview = page(client, "/mina-sidor")
    assert "Hej Anna Andersson!" in overview


def test_already_logged_in_login_page_goes_to_mina_sidor(client: FlaskClient) -> None:
    login(client)
    response = client.get("/logga-in")
    assert response.status_code == 302 and response.location == "/mina-sidor"


def test_failed_bankid_order_shows_message_and_retry_link(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"personal_number": FAILING_PERSONAL_NUMBER, "csrf_token": token})
    html = page(client, "/logga-in/vantar")
    assert USER_FAILED_MESSAGE in html
    assert "Försök igen" in html and 'href="/logga-in"' in html
    assert 'http-equiv="refresh"' not in html
    # The order is forgotten: the waiting page no longer collects it.
    again = client.get("/logga-in/vantar")
    assert again.status_code == 302 and again.location == "/logga-in"


def test_cancel_login_cancels_the_order(client: FlaskClient, platform: Platform) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"personal_number": PNR_ANNA, "csrf_token": token})
    html = page(client, "/logga-in/vantar")
    response = client.post("/logga-in/avbryt", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location == "/logga-in"
    assert platform.identity.simulator.pending_orders() == []  # BankID was told
    assert "Inloggningen avbröts." in page(client, "/logga-in")


def test_malformed_personal_number_shows_error_400_without_calling_identity(
    client: FlaskClient, platform: Platform
) -> None:
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"personal_number": "12ab", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'href="#personal_number"' in html
    assert 'aria-invalid="true"' in html
    assert "Skriv personnumret med 12 siffror" in html
    assert _started(platform) == []


def test_identity_field_error_is_shown_next_to_the_input(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/logga-in"))
    # Twelve digits pass the page's own check; identity finds the check digit wrong and says why.
    response = client.post("/logga-in", data={"personal_number": "199001019803", "csrf_token": token})
    assert response.status_code == 400
    assert PNR_MESSAGE.sv in response.get_data(as_text=True)


def test_personal_number_never_in_url_session_cookie_or_log(app: Flask, client: FlaskClient) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonFormatter("test").format(record))

    handler = Collect(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        token = csrf_of(page(client, "/logga-in"))
        locations = []
        response = client.post("/logga-in", data={"personal_number": PNR_ANNA, "csrf_token": token})
        locations.append(response.location)
        for _ in range(3):
            response = client.get("/logga-in/vantar")
            locations.append(response.location or "")
            cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
            decoded = app.session_interface.get_signing_serializer(app).loads(cookie.value)
            assert PNR_ANNA not in json.dumps(decoded)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert all(PNR_ANNA not in (location or "") for location in locations)
    assert lines, "expected some log lines to look at"
    assert all(PNR_ANNA not in line for line in lines)


def test_logout_clears_session(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/mina-sidor")
    response = client.post("/logga-ut", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location == "/"
    assert "Du är nu utloggad." in page(client, "/")
    with client.session_transaction() as session:
        assert web_session.TOKEN not in session
    after = client.get("/mina-sidor")
    assert after.status_code == 302 and after.location == "/logga-in"


def test_login_post_without_csrf_is_refused_400(client: FlaskClient, platform: Platform) -> None:
    page(client, "/logga-in")
    response = client.post("/logga-in", data={"personal_number": PNR_ANNA})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert _started(platform) == []


def test_a_qr_login_needs_no_personnummer_and_the_qr_code_changes(client: FlaskClient, platform: Platform) -> None:
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"mode": "qr", "csrf_token": token})
    assert response.status_code == 302
    started = _started(platform)[-1]
    assert started.personal_number == "" and started.return_url == ""
    first = page(client, "/logga-in/vantar")
    time.sleep(1.1)  # the QR code changes every second
    second = client.get("/logga-in/status").get_json()
    assert second["status"] == "pending" and second["message"]
    assert second["qr"].startswith("<svg") and second["qrData"] not in first  # the next second's code
    platform.identity.simulator.scan(second["qrData"], PNR_ANNA)  # Anna scans it with her BankID app
    done = client.get("/logga-in/status").get_json()
    while done["status"] == "pending":
        done = client.get("/logga-in/status").get_json()
    assert done == {"status": "complete", "next": "/mina-sidor"}
    assert "Hej Anna Andersson!" in page(client, "/mina-sidor")


def test_same_device_gives_bankid_the_return_address_and_a_link_to_the_app(
    client: FlaskClient, platform: Platform
) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"mode": "same_device", "csrf_token": token})
    started = _started(platform)[-1]
    assert started.return_url == "http://localhost/logga-in/vantar"
    html = page(client, "/logga-in/vantar")
    token = re.search(r"bankid:///\?autostarttoken=([0-9a-f-]+)&amp;redirect=null", html).group(1)
    platform.identity.simulator.autostart(token, PNR_ANNA)  # it is identity's order's own token
    assert "<svg" not in html  # no QR code on the device that has BankID


def test_a_failed_login_seen_by_the_script_leads_to_the_failure_page(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"personal_number": FAILING_PERSONAL_NUMBER, "csrf_token": token})
    body = client.get("/logga-in/status").get_json()
    assert body["status"] == "failed" and body["next"] == "/logga-in/misslyckades"
    assert USER_FAILED_MESSAGE in page(client, "/logga-in/misslyckades")


def test_the_status_without_a_login_says_failed(client: FlaskClient) -> None:
    assert client.get("/logga-in/status").get_json()["status"] == "failed"


def test_the_access_token_is_renewed_before_it_runs_out(client: FlaskClient, platform: Platform, monkeypatch) -> None:
    monkeypatch.setattr(platform.identity.identity.sessions, "ttl", 60)  # inside the two minutes before expiry: renew
    login(client)
    with client.session_transaction() as stored:
        first = stored[web_session.REFRESH]
    page(client, "/mina-sidor")
    assert [r.refresh_token for r in _asked(platform, "RefreshToken")] == [first]
    with client.session_transaction() as stored:
        assert stored[web_session.REFRESH] != first
        assert platform.identity.identity.sessions.refresh(stored[web_session.REFRESH]).access_token  # identity's, live


def test_a_revoked_session_ends_the_web_session(client: FlaskClient, platform: Platform, monkeypatch) -> None:
    monkeypatch.setattr(platform.identity.identity.sessions, "ttl", 60)
    login(client)
    with client.session_transaction() as stored:
        platform.identity.identity.sessions.logout(refresh_token=stored[web_session.REFRESH])  # ended elsewhere
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"


def test_logout_revokes_the_refresh_token_at_identity(client: FlaskClient, platform: Platform) -> None:
    login(client)
    with client.session_transaction() as stored:
        refresh = stored[web_session.REFRESH]
    client.post("/logga-ut", data={"csrf_token": csrf_of(page(client, "/mina-sidor"))})
    assert [r.refresh_token for r in _asked(platform, "Logout")] == [refresh]
    with pytest.raises(Exception):  # noqa: B017 - identity's own refusal, whatever its class
        platform.identity.identity.sessions.refresh(refresh)
