"""Login with BankID over the web pages, without JavaScript: POST the personnummer, a self-refreshing
waiting page, then Mina sidor; failures, cancelling and logging out."""

from __future__ import annotations

import json
import logging

from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask import Flask
from flask.testing import FlaskClient
from web_fakes import FAILING_PERSONAL_NUMBER, USER_FAILED_MESSAGE, fake_platform, on_fakes  # noqa: F401 - not moved yet

from bff_web import session as web_session
from fickan.identity.v1 import identity_pb2
from fickan_common.logs import JsonFormatter


def test_start_page_is_swedish_and_offers_login(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<html lang="sv">' in html
    assert "Välkommen till Fickan" in html
    assert 'href="/logga-in"' in html


def test_login_waits_on_bankid_then_lands_on_mina_sidor(client: FlaskClient, platform: Platform) -> None:
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"personal_number": PNR_ANNA, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/logga-in/vantar"
    started = platform.identity.started_with[-1]
    assert started.personal_number == PNR_ANNA
    assert started.device == identity_pb2.DEVICE_WEB

    waiting = client.get("/logga-in/vantar")
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in html  # a new QR code each second
    assert "Öppna BankID" in html
    assert "Starta BankID-appen." in html  # identity's own user message
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
    assert [o.cancelled for o in platform.identity.orders.values()] == [True]
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
    assert platform.identity.started_with == []


def test_identity_field_error_is_shown_next_to_the_input(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/logga-in"))
    # Ten digits pass the page's own check; the fake identity wants twelve and says why.
    response = client.post("/logga-in", data={"personal_number": "9001011234", "csrf_token": token})
    assert response.status_code == 400
    assert "Personnumret är inte giltigt." in response.get_data(as_text=True)


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
    assert platform.identity.started_with == []


def test_a_qr_login_needs_no_personnummer_and_the_qr_code_changes(
    client: FlaskClient, platform: Platform, monkeypatch
) -> None:
    monkeypatch.setattr(platform.identity, "pending_polls", 2)
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"mode": "qr", "csrf_token": token})
    assert response.status_code == 302
    started = platform.identity.started_with[-1]
    assert started.personal_number == "" and started.return_url == ""
    first = page(client, "/logga-in/vantar")
    second = client.get("/logga-in/status").get_json()
    assert second["status"] == "pending" and second["message"] == "Starta BankID-appen."
    assert second["qr"].startswith("<svg") and second["qrData"] not in first  # the next second's code
    done = client.get("/logga-in/status").get_json()
    assert done == {"status": "complete", "next": "/mina-sidor"}
    assert "Hej Anna Andersson!" in page(client, "/mina-sidor")


def test_same_device_gives_bankid_the_return_address_and_a_link_to_the_app(
    client: FlaskClient, platform: Platform
) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"mode": "same_device", "csrf_token": token})
    started = platform.identity.started_with[-1]
    assert started.return_url == "http://localhost/logga-in/vantar"
    html = page(client, "/logga-in/vantar")
    assert f"bankid:///?autostarttoken={started_token(platform)}&amp;redirect=null" in html
    assert "<svg" not in html  # no QR code on the device that has BankID


def started_token(platform: Platform) -> str:
    return platform.identity.last_auto_start


def test_a_failed_login_seen_by_the_script_leads_to_the_failure_page(client: FlaskClient) -> None:
    token = csrf_of(page(client, "/logga-in"))
    client.post("/logga-in", data={"personal_number": FAILING_PERSONAL_NUMBER, "csrf_token": token})
    body = client.get("/logga-in/status").get_json()
    assert body["status"] == "failed" and body["next"] == "/logga-in/misslyckades"
    assert USER_FAILED_MESSAGE in page(client, "/logga-in/misslyckades")


def test_the_status_without_a_login_says_failed(client: FlaskClient) -> None:
    assert client.get("/logga-in/status").get_json()["status"] == "failed"


def test_the_access_token_is_renewed_before_it_runs_out(client: FlaskClient, platform: Platform, monkeypatch) -> None:
    monkeypatch.setattr(platform.identity, "expires_in", 60)  # inside the two minutes before expiry: renew
    before = len(platform.identity.refreshed)
    login(client)
    page(client, "/mina-sidor")
    assert len(platform.identity.refreshed) == before + 1
    with client.session_transaction() as stored:
        assert stored[web_session.REFRESH] in platform.identity.refresh_tokens


def test_a_revoked_session_ends_the_web_session(client: FlaskClient, platform: Platform, monkeypatch) -> None:
    monkeypatch.setattr(platform.identity, "expires_in", 60)
    login(client)
    platform.identity.refresh_tokens.clear()  # identity revoked the session (idle, logout elsewhere)
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"


def test_logout_revokes_the_refresh_token_at_identity(client: FlaskClient, platform: Platform) -> None:
    login(client)
    with client.session_transaction() as stored:
        refresh = stored[web_session.REFRESH]
    client.post("/logga-ut", data={"csrf_token": csrf_of(page(client, "/mina-sidor"))})
    assert platform.identity.logged_out[-1] == refresh
