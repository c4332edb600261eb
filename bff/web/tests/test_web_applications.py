"""Applications on the web pages: Mina sidor lists them; create, save, submit; validation errors
with the entered values (400, nothing saved); stale versions (409); someone else's case (403)."""

from __future__ import annotations

import re

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, new_application, page
from flask.testing import FlaskClient
from web_fakes import user_id_for

GOOD = {"period": "2026-12", "household_adults": "1", "housing_cost": "6500", "other": "Inget mer."}


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def _post(client: FlaskClient, application_id: str, action: str, answers: dict[str, str]):  # type: ignore[no-untyped-def]
    html = page(client, f"/ansokan/{application_id}")
    data = {"csrf_token": csrf_of(html), "version": _version(html), "action": action, **answers}
    return client.post(f"/ansokan/{application_id}", data=data)


def test_overview_lists_applications_unread_count_and_new_button(client: FlaskClient, platform: Platform) -> None:
    login(client)
    html = page(client, "/mina-sidor")
    assert "Du har inga ansökningar än." in html
    assert "Du har inga olästa meddelanden." in html
    assert 'action="/ansokan/ny"' in html and "Ny ansökan" in html
    assert 'href="/inkorg"' in html

    new_application(client)
    platform.notifications.add(user_id_for(PNR_ANNA), "Hej", "Välkommen")
    platform.notifications.add(user_id_for(PNR_ANNA), "Hej igen", "Påminnelse")
    html = page(client, "/mina-sidor")
    assert "Ansökan om ekonomiskt bistånd" in html
    assert "Utkast – inte skickad än" in html
    assert re.search(r"Påbörjad \d{4}-\d{2}-\d{2}", html)
    assert "Du har 2 olästa meddelanden." in html


def test_new_application_shows_the_services_form(client: FlaskClient) -> None:
    login(client)
    application_id = new_application(client)
    html = page(client, f"/ansokan/{application_id}")
    for name in ("period", "household_adults", "housing_cost", "other"):
        assert f'name="{name}"' in html
    assert '<label for="falt-period">Vilken månad söker du för?' in html
    assert 'aria-describedby="falt-period-help"' in html
    assert "(frivillig)" in html  # "other" is optional
    assert 'name="action" value="save"' in html and 'name="action" value="submit"' in html
    assert _version(html) == "1"


def test_save_keeps_answers_and_shows_them_again(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    response = _post(client, application_id, "save", {"period": "2026-12", "household_adults": "2"})
    assert response.status_code == 302 and response.location == f"/ansokan/{application_id}"
    stored = platform.applications.apps[application_id]
    assert stored.answers["period"] == "2026-12" and stored.status == "draft"
    html = page(client, f"/ansokan/{application_id}")
    assert "Dina svar är sparade." in html
    assert 'value="2026-12"' in html and 'value="2"' in html
    assert _version(html) == "2"


def test_submit_saves_then_submits_and_shows_read_only_summary(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    response = _post(client, application_id, "submit", GOOD)
    assert response.status_code == 302
    stored = platform.applications.apps[application_id]
    assert stored.status == "submitted" and stored.answers["housing_cost"] == "6500"

    html = page(client, f"/ansokan/{application_id}")
    assert "Tack! Din ansökan är skickad." in html
    assert "Skickad – vi har tagit emot din ansökan" in html
    assert "<dd>6500</dd>" in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # read-only

    overview = page(client, "/mina-sidor")
    assert "Skickad – vi har tagit emot din ansökan" in overview
    assert re.search(r"Skickad \d{4}-\d{2}-\d{2}", overview)


def test_validation_errors_shown_with_status_400_and_nothing_saved(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    response = _post(
        client, application_id, "save", {"period": "december", "household_adults": "två", "housing_cost": "6500"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert platform.applications.save_calls == 0
    assert platform.applications.apps[application_id].answers == {}
    # Error summary at the top, focused, linking to the fields.
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert "autofocus" in html.split('class="error-summary"', 1)[1].split(">", 1)[0]
    assert "Några svar behöver rättas." in html
    assert 'href="#falt-period"' in html and 'href="#falt-household_adults"' in html
    # The messages next to the fields, and what the resident typed, kept.
    assert 'id="falt-period-error">Skriv år och månad som ÅÅÅÅ-MM' in html
    assert 'value="december"' in html and 'value="två"' in html and 'value="6500"' in html
    assert html.count('aria-invalid="true"') == 2


def test_submit_incomplete_shows_missing_fields_400(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    response = _post(client, application_id, "submit", {"period": "2026-12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ansökan är inte färdig." in html
    assert 'href="#falt-housing_cost"' in html and "Svara på frågan." in html
    assert platform.applications.apps[application_id].status == "draft"
    # What was saved before the submit failed carries the new version, so the next try works.
    assert _version(html) == "2"
    retry = client.post(
        f"/ansokan/{application_id}",
        data={"csrf_token": csrf_of(html), "version": _version(html), "action": "submit", **GOOD},
    )
    assert retry.status_code == 302
    assert platform.applications.apps[application_id].status == "submitted"


def test_stale_version_shows_clear_message_409(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    html = page(client, f"/ansokan/{application_id}")
    # Another device saves in between.
    other = client.application.test_client()
    login(other)
    _post(other, application_id, "save", {"period": "2026-11"})

    data = {"csrf_token": csrf_of(html), "version": _version(html), "action": "save", "period": "2026-12"}
    response = client.post(f"/ansokan/{application_id}", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ansökan har ändrats på en annan enhet" in body
    assert 'value="2026-12"' in body  # the resident's own answers are kept on the page
    assert platform.applications.apps[application_id].answers["period"] == "2026-11"
    # Saving again from that page is a deliberate overwrite with the current version.
    again = client.post(
        f"/ansokan/{application_id}",
        data={"csrf_token": csrf_of(body), "version": _version(body), "action": "save", "period": "2026-12"},
    )
    assert again.status_code == 302
    assert platform.applications.apps[application_id].answers["period"] == "2026-12"


def test_another_residents_application_is_403_page(client: FlaskClient, platform: Platform) -> None:
    login(client)
    application_id = new_application(client)
    intruder = client.application.test_client()
    login(intruder, PNR_BO)
    response = intruder.get(f"/ansokan/{application_id}")
    assert response.status_code == 403
    assert "Du har inte behörighet att se den här sidan." in response.get_data(as_text=True)
    html = page(intruder, "/mina-sidor")
    posted = intruder.post(
        f"/ansokan/{application_id}",
        data={"csrf_token": csrf_of(html), "version": "1", "action": "save", "period": "2026-01"},
    )
    assert posted.status_code == 403
    assert platform.applications.apps[application_id].answers == {}


def test_unknown_application_is_404_page(client: FlaskClient) -> None:
    login(client)
    response = client.get("/ansokan/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_unknown_action_is_400(client: FlaskClient) -> None:
    login(client)
    application_id = new_application(client)
    html = page(client, f"/ansokan/{application_id}")
    response = client.post(
        f"/ansokan/{application_id}", data={"csrf_token": csrf_of(html), "version": "1", "action": "delete"}
    )
    assert response.status_code == 400
