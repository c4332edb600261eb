"""A dead or slow service gives a Swedish 503 page fast (deadlines), never a hang; health does not
depend on the services."""

from __future__ import annotations

import time

from conftest import Platform, free_port, login, page

from bff_web.app import create_app


def test_service_down_gives_503_page_quickly(platform: Platform) -> None:
    app = create_app(platform.services(applications=f"127.0.0.1:{free_port()}"))
    client = app.test_client()
    login(client)
    started = time.perf_counter()
    response = client.get("/mina-sidor")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert "Tjänsten svarar inte just nu." in response.get_data(as_text=True)
    assert elapsed < 1.5


def test_slow_service_hits_the_deadline_and_gives_503(platform: Platform) -> None:
    app = create_app(platform.services(timeout=0.3))
    client = app.test_client()
    login(client)
    slow = platform.applications.servicer.ListMyApplications

    def late(request, context):  # failure injection: applications answers after a second
        time.sleep(1.0)
        return slow(request, context)

    platform.spies["applications"].inject("ListMyApplications", late)
    started = time.perf_counter()
    response = client.get("/mina-sidor")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert elapsed < 0.9


def test_overview_still_shows_when_only_notifications_is_down(platform: Platform) -> None:
    app = create_app(platform.services(notifications=f"127.0.0.1:{free_port()}"))
    client = app.test_client()
    login(client)
    html = page(client, "/mina-sidor")
    assert "Vi kan inte visa dina meddelanden just nu." in html
    assert "Ny ansökan" in html


def test_login_with_identity_down_gives_503_page(platform: Platform) -> None:
    app = create_app(platform.services(identity=f"127.0.0.1:{free_port()}"))
    client = app.test_client()
    html = page(client, "/logga-in")
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/logga-in", data={"personal_number": "199001011234", "csrf_token": token})
    assert response.status_code == 503
    assert "Tjänsten svarar inte just nu." in response.get_data(as_text=True)


def test_healthz_does_not_depend_on_services(platform: Platform) -> None:
    dead = f"127.0.0.1:{free_port()}"
    app = create_app(platform.services(identity=dead, applications=dead, notifications=dead))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    # Still ready: the BFF answers every page, those of the dead services with a clear 503 page.
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["degraded"] == ["applications", "identity", "notifications"]
