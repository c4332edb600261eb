"""Service messages on the web, against the real notifications service in-process: an admin
publishes one on the staff page (the service's rules come back tied to the fields), every page
shows it in an accessible region — also before login — and it is gone once ended; BankID's own
disruption is said on the login page. Nobody but an admin reaches the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from conftest import Platform, csrf_of, login, page
from flask.testing import FlaskClient

from bff_web import formatting
from bff_web.app import create_app
from notifications.testing import RunningNotifications

ADMIN = "198501042389"
REGION = r'<div class="service-notices" role="region" aria-label="Driftinformation">(.*?)</div>\s*</div>'


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


def local(delta: timedelta) -> str:
    return f"{datetime.now(formatting.ZONE) + delta:%Y-%m-%dT%H:%M}"


def as_admin(web: FlaskClient, platform: Platform) -> str:
    platform.identity.give_roles(ADMIN, "Adam Administratör", ["admin"])
    login(web, ADMIN)
    return page(web, "/personal/driftmeddelanden")


def test_an_admin_publishes_a_notice_that_every_page_shows_until_it_is_ended(
    web: FlaskClient, platform: Platform
) -> None:
    html = as_admin(web, platform)
    assert "Driftmeddelanden" in html and 'type="datetime-local"' in html
    response = web.post(
        "/personal/driftmeddelanden",
        data={
            "kind": "disruption",
            "text": "E-tjänsten för ekonomiskt bistånd är långsam.",
            "text_en": "The financial aid e-service is slow.",
            "starts_at": local(timedelta(minutes=-10)),
            "ends_at": local(timedelta(hours=3)),
            "csrf_token": csrf_of(html),
        },
    )
    assert response.status_code == 302
    listed = page(web, "/personal/driftmeddelanden")
    assert "Driftmeddelandet är publicerat." in listed and "Pågår" in listed

    for path in ("/", "/kontakt", "/provrakning", "/mina-sidor"):
        shown = web.get(path).get_data(as_text=True)
        region = re.search(REGION, shown, re.S)
        assert region, path
        assert 'role="status"' in region.group(1) and "Driftstörning – pågår nu:" in region.group(1)
        assert "E-tjänsten för ekonomiskt bistånd är långsam." in region.group(1)
    english = web.get("/?lang=en").get_data(as_text=True)
    assert "Disruption – now:" in english and "The financial aid e-service is slow." in english

    notice_id = re.search(r"/personal/driftmeddelanden/([0-9a-f-]{36})/avsluta", listed).group(1)
    ended = web.post(f"/personal/driftmeddelanden/{notice_id}/avsluta", data={"csrf_token": csrf_of(listed)})
    assert ended.status_code == 302
    assert "service-notices" not in web.get("/").get_data(as_text=True)


def test_a_logged_out_visitor_sees_the_notice_too(web: FlaskClient, platform: Platform) -> None:
    html = as_admin(web, platform)
    web.post(
        "/personal/driftmeddelanden",
        data={
            "kind": "maintenance",
            "text": "Inloggningen är stängd för underhåll i natt.",
            "starts_at": local(timedelta(days=1)),
            "ends_at": local(timedelta(days=1, hours=2)),
            "csrf_token": csrf_of(html),
        },
    )
    anonymous = web.application.test_client()
    shown = anonymous.get("/logga-in").get_data(as_text=True)
    assert "Planerat underhåll:" in shown and "Inloggningen är stängd för underhåll i natt." in shown
    english = anonymous.get("/logga-in?lang=en").get_data(as_text=True)
    assert '<span lang="sv">Inloggningen är stängd' in english  # no English text: the Swedish, marked as such


def test_a_wrong_notice_is_shown_with_the_services_words_at_each_field(web: FlaskClient, platform: Platform) -> None:
    html = as_admin(web, platform)
    response = web.post(
        "/personal/driftmeddelanden",
        data={
            "kind": "maintenance",
            "text": "",
            "starts_at": local(timedelta(hours=2)),
            "ends_at": local(timedelta(hours=1)),
            "csrf_token": csrf_of(html),
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in body and 'href="#ends_at"' in body and 'href="#text"' in body
    assert "Slutet behöver vara efter starten." in body and "Skriv meddelandet på svenska." in body
    assert 'id="ends_at-error"' in body and 'aria-invalid="true"' in body
    assert "service-notices" not in web.get("/").get_data(as_text=True)  # nothing was published


def test_only_admins_reach_the_page(web: FlaskClient, platform: Platform) -> None:
    assert web.get("/personal/driftmeddelanden").status_code == 302  # to the login page
    login(web)
    assert web.get("/personal/driftmeddelanden").status_code == 403
    token = csrf_of(page(web, "/mina-sidor"))
    assert web.post("/personal/driftmeddelanden", data={"csrf_token": token}).status_code == 403


def test_pages_still_work_when_notifications_is_away(platform: Platform) -> None:
    app = create_app(platform.services(notifications="127.0.0.1:1"))
    app.config["TESTING"] = True
    response = app.test_client().get("/")
    assert response.status_code == 200 and "service-notices" not in response.get_data(as_text=True)


def test_bankids_own_disruption_is_said_on_the_login_page(web: FlaskClient, platform: Platform) -> None:
    assert "BankID har driftstörningar." not in page(web, "/logga-in")
    platform.identity.simulator.set_maintenance(True)  # BankID answers "maintenance" to identity's next call
    assert web.post("/logga-in", data={"csrf_token": csrf_of(page(web, "/logga-in"))}).status_code in (302, 503)
    shown = page(web, "/logga-in")
    assert "BankID har driftstörningar." in shown and 'class="notice notice-warning" role="status"' in shown
