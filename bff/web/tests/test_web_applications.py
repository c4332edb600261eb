"""The resident's application on the web pages, without JavaScript: the e-services, the form step by
step (conditions, repeating groups, files), the summary with the calculation, signing with BankID,
the co-applicant's signature, the case page, completions, withdrawing; and every refusal."""

from __future__ import annotations

import json
import re

from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask.testing import FlaskClient
from web_fakes import StoredApplication, fake_platform, on_fakes, user_id_for  # noqa: F401 - not moved yet

PDF = b"%PDF-1.7\n%%EOF"
PARTNER = "199001022384"


def new_application(client: FlaskClient) -> str:
    html = page(client, "/e-tjanster")
    response = client.post("/ansokan/ny", data={"kind": "eb_test", "csrf_token": csrf_of(html)})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/ansokan/([0-9a-f-]{36})/steg/0", response.location)
    assert match, response.location
    return match.group(1)


def post_step(client: FlaskClient, app_id: str, index: int, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    html = page(client, f"/ansokan/{app_id}/steg/{index}")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return client.post(
        f"/ansokan/{app_id}/steg/{index}",
        data={"csrf_token": csrf_of(html), "version": version, **data},
        **kwargs,
    )


def fill_in(client: FlaskClient, app_id: str, partner: bool = False) -> None:
    first = {"period": "2026-12", "har_partner": "ja" if partner else "nej", "hyra": "6500", "action": "next"}
    if partner:
        first["partner_personnummer"] = PARTNER
    assert post_step(client, app_id, 0, first).status_code == 302
    group = {"inkomster[0][slag]": "lon", "inkomster[0][belopp]": "4000", "action": "next"}
    assert post_step(client, app_id, 1, group).status_code == 302


def sign(client: FlaskClient, app_id: str, url: str, mode: str = "qr") -> None:
    """Start signing and let the fake BankID complete it, as the waiting page would."""
    html = page(client, "/mina-sidor")  # any page carries the session's CSRF token
    response = client.post(url, data={"mode": mode, "csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location.endswith("/underskrift"), response.location
    waiting = page(client, f"/ansokan/{app_id}/underskrift")
    assert "Skriv under med BankID" in waiting and ("<svg" in waiting or mode != "qr")
    done = client.get(f"/ansokan/{app_id}/underskrift/status").get_json()
    assert done["status"] == "complete", done


def test_the_e_services_and_a_new_application_start_at_its_first_step(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/e-tjanster")
    assert "Ekonomiskt bistånd" in html and "Ansökan för december 2026 kan lämnas in" in html
    app_id = new_application(client)
    step = page(client, f"/ansokan/{app_id}/steg/0")
    assert "Steg 1 av 4" in step and "Ditt hushåll" in step and "Vilken månad söker du för?" in step
    # the partner's personnummer waits hidden until "sambo: ja" (fickan.js shows it at once)
    assert re.search(r'data-show-if="[^"]*har_partner[^"]*"\s+hidden', step)


def test_a_step_saves_on_the_server_and_a_condition_brings_its_question(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    response = post_step(
        client, app_id, 0, {"period": "2026-12", "har_partner": "ja", "hyra": "6500", "action": "next"}
    )
    # without JavaScript the newly shown question appears after saving: the step is shown again
    assert response.status_code == 302 and response.location.endswith("/steg/0")
    again = page(client, f"/ansokan/{app_id}/steg/0")
    assert "Ditt svar gör att fler frågor behövs." in again
    assert not re.search(r'data-show-if="[^"]*har_partner[^"]*"\s+hidden', again)
    stored = platform.applications.apps[app_id]
    assert stored.answers["hyra"] == "6500" and stored.version == 2


def test_a_repeating_group_adds_and_removes_rows(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    added = post_step(client, app_id, 1, {"action": "add:inkomster"})
    assert added.status_code == 302 and "rad=inkomster" in added.location
    html = page(client, added.location)
    assert 'name="inkomster[0][belopp]"' in html
    post_step(
        client, app_id, 1, {"inkomster[0][slag]": "lon", "inkomster[0][belopp]": "4000", "action": "add:inkomster"}
    )
    post_step(
        client,
        app_id,
        1,
        {
            "inkomster[0][slag]": "lon",
            "inkomster[0][belopp]": "4000",
            "inkomster[1][slag]": "annat",
            "inkomster[1][belopp]": "500",
            "action": "remove:inkomster:0",
        },
    )
    assert json.loads(platform.applications.apps[app_id].answers["inkomster"]) == [{"slag": "annat", "belopp": "500"}]


def test_files_are_uploaded_with_the_step_and_a_disguised_one_is_refused(
    client: FlaskClient, platform: Platform
) -> None:
    import io

    login(client)
    app_id = new_application(client)
    ok = post_step(
        client,
        app_id,
        2,
        {"action": "next", "kvitton": (io.BytesIO(PDF), "kvitto.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    stored = platform.applications.apps[app_id]
    assert [name for name, _, _ in stored.attachments.values()] == ["kvitto.pdf"]
    assert json.loads(stored.answers["kvitton"]) == list(stored.attachments)
    bad = post_step(
        client,
        app_id,
        2,
        {"action": "next", "kvitton": (io.BytesIO(b"hello"), "falsk.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "inte en JPEG-, PNG-, HEIC- eller PDF-fil" in bad.get_data(as_text=True)
    assert len(stored.attachments) == 1


def test_malformed_answers_are_shown_per_field_with_400_and_nothing_saved(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    response = post_step(
        client, app_id, 0, {"period": "december", "har_partner": "nej", "hyra": "sex tusen", "action": "next"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv år och månad som ÅÅÅÅ-MM" in html and "Skriv ett heltal" in html and "error-summary" in html
    assert platform.applications.apps[app_id].answers == {}
    group = post_step(
        client, app_id, 1, {"inkomster[0][slag]": "lon", "inkomster[0][belopp]": "mycket", "action": "next"}
    )
    assert group.status_code == 400 and "Belopp (kr): Skriv ett heltal" in group.get_data(as_text=True)


def test_a_stale_version_from_another_device_is_told_409(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    html = page(client, f"/ansokan/{app_id}/steg/0")
    platform.applications.apps[app_id].version += 1  # saved meanwhile on the phone
    response = client.post(
        f"/ansokan/{app_id}/steg/0",
        data={"csrf_token": csrf_of(html), "version": "1", "period": "2026-12", "action": "next"},
    )
    assert response.status_code == 409 and "ändrats på en annan enhet" in response.get_data(as_text=True)


def test_the_summary_shows_answers_and_calculation_and_an_incomplete_one_cannot_be_signed(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    summary = page(client, f"/ansokan/{app_id}/steg/3")
    assert (
        "Sammanfattning" in summary and "Preliminär beräkning" in summary and "Personliga kostnader, vuxen" in summary
    )
    response = client.post(f"/ansokan/{app_id}/skicka", data={"mode": "qr", "csrf_token": csrf_of(summary)})
    assert response.status_code == 400 and "Ansökan är inte färdig" in response.get_data(as_text=True)
    assert platform.identity.started_signing == []


def test_sign_with_bankid_then_the_case_page_and_its_timeline(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    fill_in(client, app_id)
    sign(client, app_id, f"/ansokan/{app_id}/skicka")
    started = platform.identity.started_signing[-1]
    assert started.reference == f"application:{app_id}:v3" and started.user_visible_data
    case = page(client, f"/ansokan/{app_id}")
    assert "Skickad – vi har tagit emot din ansökan" in case and "Vad har hänt" in case
    assert platform.applications.apps[app_id].status == "submitted"


def test_same_device_signing_gives_bankid_the_return_address(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    fill_in(client, app_id)
    html = page(client, f"/ansokan/{app_id}/steg/3")
    client.post(f"/ansokan/{app_id}/skicka", data={"mode": "same_device", "csrf_token": csrf_of(html)})
    assert platform.identity.started_signing[-1].return_url == f"http://localhost/ansokan/{app_id}/underskrift"
    assert "bankid:///?autostarttoken=" in page(client, f"/ansokan/{app_id}/underskrift")


def test_the_co_applicant_signs_from_their_own_login(client: FlaskClient, app, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    login(client)
    app_id = new_application(client)
    fill_in(client, app_id, partner=True)
    sign(client, app_id, f"/ansokan/{app_id}/skicka")
    assert platform.applications.apps[app_id].status == "signature_pending"
    partner = app.test_client()
    login(partner, PARTNER)
    overview = page(partner, "/mina-sidor")
    assert "Skriv under ansökan med ditt BankID." in overview
    case = page(partner, f"/ansokan/{app_id}")
    assert "Din underskrift behövs" in case
    sign(partner, app_id, f"/ansokan/{app_id}/skriv-under")
    assert platform.applications.apps[app_id].status == "submitted"


def _decided_case(platform: Platform, outcome: str = "approved") -> StoredApplication:
    case = StoredApplication(application_id="6f1c1c1e-0000-4000-8000-0000000000aa", owner=user_id_for(PNR_ANNA))
    case.status, case.kind = "decided", "eb_test"
    case.decision = {
        "outcome": outcome,
        "amount": 7500,
        "reasons": "Inkomsten räcker." if outcome == "rejected" else "",
    }
    case.answers = {"period": "2026-12", "har_partner": "nej", "hyra": "6500"}
    platform.applications.apps[case.application_id] = case
    return case


def test_the_decision_and_how_to_appeal_a_rejection(client: FlaskClient, platform: Platform) -> None:
    login(client)
    case = _decided_case(platform, "rejected")
    html = page(client, f"/ansokan/{case.application_id}")
    for words in ("Beslut", "Avslag", "Inkomsten räcker.", "Om du vill överklaga", "Du kan överklaga inom tre veckor."):
        assert words in html
    assert "Återta ansökan" not in html  # nothing to take back once decided


def test_a_completion_request_is_answered_with_text_and_files(client: FlaskClient, platform: Platform) -> None:
    import io

    login(client)
    case = _decided_case(platform)
    case.decision, case.status = {}, "completion_requested"
    case.requests = [{"id": "r1", "items": ["Lönebesked för november"], "answered": False}]
    html = page(client, f"/ansokan/{case.application_id}")
    assert "Komplettering behövs" in html and "Lönebesked för november" in html
    empty = client.post(f"/ansokan/{case.application_id}/komplettering", data={"csrf_token": csrf_of(html), "text": ""})
    assert empty.status_code == 400 and "Skriv något" in empty.get_data(as_text=True)
    done = client.post(
        f"/ansokan/{case.application_id}/komplettering",
        data={"csrf_token": csrf_of(html), "text": "Här", "files": (io.BytesIO(PDF), "lonebesked.pdf")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302 and case.status == "completion_submitted" and len(case.attachments) == 1


def test_withdraw_and_download_my_attachment(client: FlaskClient, platform: Platform) -> None:
    login(client)
    case = _decided_case(platform)
    case.decision, case.status = {}, "received"
    case.attachments["6f1c1c1e-0000-4000-8000-0000000000bb"] = ("kontoutdrag.pdf", "application/pdf", PDF)
    got = client.get(f"/ansokan/{case.application_id}/bilagor/6f1c1c1e-0000-4000-8000-0000000000bb")
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    html = page(client, f"/ansokan/{case.application_id}")
    response = client.post(f"/ansokan/{case.application_id}/aterta", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and case.status == "withdrawn"


def test_another_residents_case_is_403_and_unknown_ones_404(client: FlaskClient, platform: Platform) -> None:
    login(client)
    other = StoredApplication(application_id="6f1c1c1e-0000-4000-8000-0000000000cc", owner="someone-else")
    platform.applications.apps[other.application_id] = other
    assert client.get(f"/ansokan/{other.application_id}").status_code == 403
    assert client.get(f"/ansokan/{other.application_id}/steg/0").status_code == 403
    assert client.get("/ansokan/6f1c1c1e-0000-4000-8000-0000000000dd").status_code == 404
    assert client.get("/ansokan/not-an-id").status_code == 404
    app_id = new_application(client)
    assert client.get(f"/ansokan/{app_id}/steg/9").status_code == 404


def test_the_public_estimate_needs_no_login_and_refuses_nonsense(client: FlaskClient) -> None:
    html = page(client, "/provrakning")
    assert "Räkna ut om du kan ha rätt till ekonomiskt bistånd" in html
    done = client.post("/provrakning", data={"csrf_token": csrf_of(html), "adults": "1", "housing": "6 500"})
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "11\u202f720\u00a0kr" in body and "uppskattning" in body
    # The ranges are the service's contract: its field message comes back on the field.
    bad = client.post("/provrakning", data={"csrf_token": csrf_of(html), "adults": "3", "housing": "6500"})
    assert bad.status_code == 400 and "Ska vara mellan 1 och 2." in bad.get_data(as_text=True)
    # What is not a number at all is the page's own to say.
    typed = client.post("/provrakning", data={"csrf_token": csrf_of(html), "adults": "1", "housing": "mycket"})
    assert typed.status_code == 400
