"""The session cookie: verified on every request, ended when the token is expired or forged, CSRF
on every POST, cookie flags, and the language choice."""

from __future__ import annotations

import base64
import zlib

import pytest
from conftest import Platform, csrf_of, login, page
from flask.testing import FlaskClient

from bff_web import session as web_session
from bff_web.app import create_app
from fickan_common.revocations import RevocationFeed
from fickan_common.testing import TokenFactory


@pytest.mark.parametrize("path", ["/mina-sidor", "/inkorg", "/ansokan/some-id"])
def test_no_session_redirects_to_login_with_message(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response.location == "/logga-in"
    assert "Du behöver logga in för att se sidan." in page(client, "/logga-in")


def test_post_without_session_redirects_to_login(client: FlaskClient, platform: Platform) -> None:
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/ansokan/ny", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/logga-in"
    assert "CreateDraft" not in platform.spies["applications"].names()


def test_expired_token_clears_session_and_redirects_with_message(client: FlaskClient, platform: Platform) -> None:
    page(client, "/")
    with client.session_transaction() as session:
        session[web_session.TOKEN] = platform.identity.token("anna", ttl=-60, device="web")
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"
    with client.session_transaction() as session:
        assert web_session.TOKEN not in session
    assert "Din inloggning har gått ut. Logga in igen." in page(client, "/logga-in")


def test_token_signed_by_someone_else_is_refused(client: FlaskClient) -> None:
    page(client, "/")
    with client.session_transaction() as session:
        session[web_session.TOKEN] = TokenFactory().token("anna", device="web")
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"
    assert "Inloggningen kunde inte kontrolleras." in page(client, "/logga-in")


def test_token_without_resident_role_gets_403_page(client: FlaskClient, platform: Platform) -> None:
    page(client, "/")
    with client.session_transaction() as session:
        session[web_session.TOKEN] = platform.identity.token("staff-1", roles=("case_worker",), device="web")
    response = client.get("/mina-sidor")
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.get_data(as_text=True)


def test_csrf_missing_or_wrong_is_400_and_nothing_created(client: FlaskClient, platform: Platform) -> None:
    login(client)
    missing = client.post("/ansokan/ny", data={})
    wrong = client.post("/ansokan/ny", data={"csrf_token": "not-the-token"})
    for response in (missing, wrong):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Formuläret har gått ut eller kom inte från Fickan." in html
    assert "CreateDraft" not in platform.spies["applications"].names()


def test_csrf_token_changes_at_login(client: FlaskClient) -> None:
    before = csrf_of(page(client, "/logga-in"))
    login(client)
    after = csrf_of(page(client, "/mina-sidor"))
    assert before != after
    assert client.post("/ansokan/ny", data={"csrf_token": before}).status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    login(client)
    response = client.post("/logga-ut", data={"csrf_token": csrf_of(page(client, "/mina-sidor"))})
    header = response.headers["Set-Cookie"]
    assert "fickan_session=" in header
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header


def test_secure_cookie_when_configured(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FICKAN_WEB_SECURE_COOKIES", "1")
    monkeypatch.setenv("FICKAN_WEB_SECRET_KEY", "test-secret-key-for-this-test-only")
    app = create_app(platform.services())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.secret_key == "test-secret-key-for-this-test-only"
    response = app.test_client().get("/logga-in")
    assert "Secure" in response.headers["Set-Cookie"]


def test_pages_are_not_cached_nor_framed(client: FlaskClient) -> None:
    login(client)
    response = client.get("/mina-sidor")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_language_switches_to_english_and_stays(client: FlaskClient) -> None:
    html = page(client, "/?lang=en")
    assert '<html lang="en">' in html and "Welcome to Fickan" in html
    assert "Welcome to Fickan" in page(client, "/")  # the cookie keeps the choice
    assert "Välkommen till Fickan" in page(client, "/?lang=sv")
    assert "Welcome" not in page(client, "/?lang=xx")  # unknown language: the saved one (sv)


def test_the_session_cookie_hides_the_tokens_and_a_changed_cookie_is_refused(platform: Platform) -> None:
    """The probe decoded the signed cookie and read the access JWT, the refresh token and the CSRF
    token. Now it is encrypted: nothing in it reads as a token, and a changed byte ends the session."""
    client = create_app(platform.services()).test_client()
    login(client)
    cookie = client.get_cookie("fickan_session")
    assert cookie is not None
    with client.session_transaction() as session:
        access, refresh, csrf = session[web_session.TOKEN], session[web_session.REFRESH], session[web_session.CSRF]
    raw = cookie.value
    payload = max(raw.split("."), key=len)  # a signed Flask cookie: [.]payload.timestamp.signature
    padded = payload + "=" * (-len(payload) % 4)
    decoded = base64.urlsafe_b64decode(padded.encode()) if raw else b""
    for secret in (access, refresh, csrf, access.split(".")[1]):
        assert secret not in raw and secret.encode() not in decoded and secret.encode() not in zlib_or_empty(decoded)
    assert page(client, "/mina-sidor")
    client.set_cookie("fickan_session", raw[:-3] + ("AAA" if raw[-3:] != "AAA" else "BBB"))
    response = client.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"


def test_a_copied_cookie_stops_working_when_its_owner_logs_out(platform: Platform) -> None:
    services = platform.services()
    services.revocations = RevocationFeed(None)  # what identity's session_revoked fills in production
    app = create_app(services)
    owner = app.test_client()
    login(owner)
    copy = app.test_client()
    copy.set_cookie("fickan_session", owner.get_cookie("fickan_session").value)
    assert copy.get("/mina-sidor").status_code == 200
    token = csrf_of(page(owner, "/mina-sidor"))
    assert owner.post("/logga-ut", data={"csrf_token": token}).status_code == 302
    response = copy.get("/mina-sidor")
    assert response.status_code == 302 and response.location == "/logga-in"
    assert "Din inloggning är avslutad." in page(copy, "/logga-in")


def zlib_or_empty(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return b""
