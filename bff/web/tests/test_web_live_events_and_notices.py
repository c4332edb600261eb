"""The web's live feed (GET /mina-sidor/handelser as Server-Sent Events), the notifications page,
e-mail confirmation, Web Push registration, the installable app's manifest and service worker and
the admins' failed deliveries — against the real notifications service in-process (SQLite)."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Iterator

import pytest
from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask.testing import FlaskClient

from bff_web.app import create_app
from fickan.applications.events.v1 import events_pb2 as app_events
from notifications.testing import RunningNotifications


@pytest.fixture
def notes(platform: Platform) -> RunningNotifications:
    return platform.notifications


@pytest.fixture
def web(platform: Platform, notes: RunningNotifications) -> Iterator[FlaskClient]:
    services = platform.services()
    app = create_app(services)
    app.config["TESTING"] = True
    yield app.test_client()
    for client in services.all().values():
        client.close()


def decided(user: str, amount: int = 4200) -> app_events.DecisionMade:
    return app_events.DecisionMade(
        application_id=str(uuid.uuid4()), resident_ids=[user], outcome="approved", amount=amount, period="2026-12"
    )


def blocks(response) -> queue.Queue:  # type: ignore[no-untyped-def]
    found: queue.Queue = queue.Queue()

    def run() -> None:
        buffer = ""
        for chunk in response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                found.put(block)

    threading.Thread(target=run, daemon=True).start()
    return found


def until(found: queue.Queue, text: str) -> str:
    while True:
        block = found.get(timeout=10)
        if text in block:
            return block


def test_live_pages_point_at_the_event_stream_and_work_without_it(web: FlaskClient) -> None:
    login(web)
    for path in ("/inkorg", "/mina-sidor"):
        html = page(web, path)
        assert 'data-live-url="/mina-sidor/handelser"' in html
        assert 'id="live-content"' in html and 'aria-live="polite"' in html
        assert "/static/live.js" in html and 'rel="manifest"' in html
    assert "data-live-url" not in page(web, "/mina-sidor/enheter")


def test_a_decision_reaches_the_open_page_as_an_event_without_its_contents_and_resumes(
    web: FlaskClient, notes: RunningNotifications, platform: Platform
) -> None:
    login(web)
    user = platform.identity.user_id(PNR_ANNA)
    response = web.get("/mina-sidor/handelser", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    found = blocks(response)
    until(found, "event: hello")
    notes.event("applications", "decision_made", decided(user))
    block = until(found, "event: message")
    assert "id: 1" in block and '"kind":"decision_approved"' in block
    assert "4\u00a0200" not in block and "Beviljad" not in block  # the page fetches itself again to show it
    until(found, ": heartbeat")

    notes.event("applications", "decision_made", decided(user, 1))
    again = blocks(web.get("/mina-sidor/handelser", headers={"Last-Event-ID": "1"}, buffered=False))
    assert "id: 2" in until(again, "event: message")
    assert "beviljad med 4\u00a0200\u00a0kr" in page(web, "/inkorg").replace(" kr", "\u00a0kr")


def test_the_event_stream_refuses_strangers_and_bad_ids(web: FlaskClient) -> None:
    assert web.get("/mina-sidor/handelser").status_code == 401
    login(web)
    assert web.get("/mina-sidor/handelser", headers={"Last-Event-ID": "x1"}).status_code == 400


def test_notification_settings_confirm_the_address_by_a_posted_link(
    web: FlaskClient, notes: RunningNotifications
) -> None:
    login(web)
    html = page(web, "/mina-sidor/aviseringar")
    assert 'id="push-enable"' in html and 'data-vapid-key="BTestKey"' in html
    assert '<label for="email">' in html
    form = {
        "csrf_token": csrf_of(html),
        "email": "anna@example.se",
        "decisions_email": "1",
        "decisions_push": "1",
        "quiet_start": "21:30",
        "quiet_end": "06:45",
        "language": "en",
    }
    saved = web.post("/mina-sidor/aviseringar", data=form)
    assert saved.status_code == 302
    html = page(web, "/mina-sidor/aviseringar")
    assert "Vi har skickat ett mejl" in html and 'value="21:30"' in html
    assert "inte bekräftad" in html

    # The link in the mail shows a button; opening it changes nothing.
    confirm_page = page(web, "/mina-sidor/aviseringar/bekrafta?token=not-the-token")
    assert 'name="token" value="not-the-token"' in confirm_page
    refused = web.post(
        "/mina-sidor/aviseringar/bekrafta", data={"csrf_token": csrf_of(confirm_page), "token": "not-the-token"}
    )
    assert refused.status_code == 400 and "Länken gäller inte längre" in refused.get_data(as_text=True)

    bad = web.post("/mina-sidor/aviseringar", data={**form, "email": "not an address", "quiet_start": "25:00"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in text and 'id="email-error"' in text and 'href="#email"' in text


def test_web_push_registration_refuses_a_foreign_endpoint_clearly(web: FlaskClient) -> None:
    login(web)
    csrf = csrf_of(page(web, "/mina-sidor/aviseringar"))
    answer = web.post(
        "/mina-sidor/aviseringar/push",
        data={"csrf_token": csrf, "endpoint": "javascript:alert(1)", "p256dh": "x", "auth": "y"},
    )
    assert answer.status_code == 400 and "endpoint" in answer.get_json()["fields"]
    assert web.post("/mina-sidor/aviseringar/push", data={"endpoint": "https://x"}).status_code == 400  # no CSRF


def test_the_web_app_is_installable_and_its_service_worker_caches_nothing(web: FlaskClient) -> None:
    manifest = web.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["display"] == "standalone" and {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert web.get(icon["src"]).data.startswith(b"\x89PNG")
    worker = web.get("/sw.js")
    script = worker.get_data(as_text=True)
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "showNotification" in script and "notificationclick" in script
    assert "caches." not in script and 'addEventListener("fetch"' not in script


def test_only_admins_see_failed_deliveries(web: FlaskClient, platform: Platform) -> None:
    login(web)
    assert web.get("/personal/utskick").status_code == 403
