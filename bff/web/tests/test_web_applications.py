"""The resident's application on the web pages, without JavaScript, over gRPC to the real services
(applications with its own forms, identity with its BankID simulator): the e-services, the form step
by step (conditions, repeating groups, files), the summary with the calculation, signing with
BankID, the co-applicant's signature, the case page, completions, withdrawing; and every refusal.
Cases a case worker has acted on are made through applications' own use cases (applications.testing)."""

from __future__ import annotations

import io
import re

from conftest import PNR_ANNA, PNR_BO, Platform, attachments_of, case_worker, csrf_of, login, page, stored
from flask.testing import FlaskClient
from sqlalchemy import select

from applications.store import Attachment
from applications.testing import FIRST, first_application

PDF = b"%PDF-1.7\n%%EOF"
PARTNER = PNR_BO
STEPS = 9  # the first application (eb_grundansokan): eight steps of questions and the summary
FILES, SUMMARY = 6, 8


def new_application(client: FlaskClient) -> str:
    html = page(client, "/e-tjanster")
    response = client.post("/ansokan/ny", data={"kind": FIRST, "csrf_token": csrf_of(html)})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/ansokan/([0-9a-f-]{36})/steg/0", response.location)
    assert match, response.location
    return match.group(1)


def post_step(client: FlaskClient, app_id: str, index: int, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    html = page(client, f"/ansokan/{app_id}/steg/{index}")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    return client.post(
        f"/ansokan/{app_id}/steg/{index}",
        data={"csrf_token": csrf_of(html), "version": version, **data},
        **kwargs,
    )


def fill_in(client: FlaskClient, app_id: str, partner: bool = False) -> None:
    """Every step of the first application answered on the web pages, the papers uploaded."""
    person = {"har_partner": "ja", "partner_personnummer": PARTNER} if partner else {"har_partner": "nej"}
    papers = {name: (io.BytesIO(PDF), f"{name}.pdf") for name in ("kontoutdrag", "hyreskontrakt", "hyresavi")}
    for index, answers in enumerate(
        (
            {"period": "2026-12", "sysselsattning": "arbetssokande", "inskriven_af": "ja"},
            person,
            {"boendeform": "hyresratt", "hyra": "7200"},
            {"har_inkomster": "nej"},
            {"har_tillgangar": "nej"},
            {},
            papers,
            {"samtycke_kontroll": "ja", "sanningsforsakran": "ja"},
        )
    ):
        kwargs = {"content_type": "multipart/form-data"} if index == FILES else {}
        response = post_step(client, app_id, index, {**answers, "action": "next"}, **kwargs)
        assert response.status_code == 302 and response.location.endswith(f"/steg/{index + 1}"), (index, response)


def filled_in(platform: Platform, partner: bool = False) -> str:
    """A first application Anna filled in (on her phone, say), every paper uploaded: its id."""
    answers = first_application(PARTNER if partner else "")
    return platform.applications.complete_draft(platform.log_in(PNR_ANNA), answers).id


def sign(client: FlaskClient, app_id: str, url: str, mode: str = "qr") -> None:
    """Start signing and let the BankID simulator complete it, as the waiting page would poll."""
    html = page(client, "/mina-sidor")  # any page carries the session's CSRF token
    response = client.post(url, data={"mode": mode, "csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location.endswith("/underskrift"), response.location
    waiting = page(client, f"/ansokan/{app_id}/underskrift")
    assert "Skriv under med BankID" in waiting and ("<svg" in waiting or mode != "qr")
    for _ in range(10):
        done = client.get(f"/ansokan/{app_id}/underskrift/status").get_json()
        if done["status"] != "pending":
            break
    assert done["status"] == "complete", done


def started_signing(platform: Platform) -> list:  # type: ignore[type-arg]
    """The sign orders applications asked identity (and so BankID) to start."""
    return [call.request for call in platform.spies["identity"].of("StartSign")]


def test_the_e_services_and_a_new_application_start_at_its_first_step(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/e-tjanster")
    assert "Ekonomiskt bistånd" in html and "Ansökan för december 2026 kan lämnas in" in html
    app_id = new_application(client)
    step = page(client, f"/ansokan/{app_id}/steg/0")
    assert f"Steg 1 av {STEPS}" in step and "Om dig" in step and "Vilken månad söker du för?" in step
    # "tell us what you do" waits hidden until "annat" is chosen (fickan.js shows it at once)
    assert re.search(r'data-show-if="[^"]*sysselsattning[^"]*"\s+hidden', step)


def test_a_step_saves_on_the_server_and_a_condition_brings_its_question(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    response = post_step(client, app_id, 1, {"har_partner": "ja", "action": "next"})
    # without JavaScript the newly shown question appears after saving: the step is shown again
    assert response.status_code == 302 and response.location.endswith("/steg/1")
    again = page(client, f"/ansokan/{app_id}/steg/1")
    assert "Ditt svar gör att fler frågor behövs." in again
    assert not re.search(r'data-show-if="[^"]*har_partner[^"]*"\s+hidden', again)
    saved = stored(platform, app_id)
    assert saved.answers["har_partner"] == "ja" and saved.version == 2


def child(n: int, name: str, age: str) -> dict[str, str]:
    return {f"barn[{n}][fornamn]": name, f"barn[{n}][alder]": age, f"barn[{n}][bor_heltid]": "ja"}


def test_a_repeating_group_adds_and_removes_rows(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    added = post_step(client, app_id, 1, {"har_partner": "nej", "action": "add:barn"})
    assert added.status_code == 302 and "rad=barn" in added.location
    html = page(client, added.location)
    assert 'name="barn[0][alder]"' in html
    post_step(client, app_id, 1, {"har_partner": "nej", **child(0, "Alva", "5"), "action": "add:barn"})
    post_step(
        client,
        app_id,
        1,
        {"har_partner": "nej", **child(0, "Alva", "5"), **child(1, "Ebbe", "2"), "action": "remove:barn:0"},
    )
    assert stored(platform, app_id).answers["barn"] == [{"fornamn": "Ebbe", "alder": "2", "bor_heltid": "ja"}]


def test_files_are_uploaded_with_the_step_and_a_disguised_one_is_refused(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    ok = post_step(
        client,
        app_id,
        FILES,
        {"action": "next", "kontoutdrag": (io.BytesIO(PDF), "kontoutdrag.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302 and ok.location.endswith(f"/steg/{FILES + 1}")  # the papers asked for are there
    assert attachments_of(platform, app_id) == ["kontoutdrag.pdf"]
    with platform.applications.db.read() as session:
        ids = list(session.scalars(select(Attachment.id).where(Attachment.application_id == app_id)))
    assert stored(platform, app_id).answers["kontoutdrag"] == ids
    bad = post_step(
        client,
        app_id,
        FILES,
        {"action": "next", "kontoutdrag": (io.BytesIO(b"hello"), "falsk.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "inte en JPEG-, PNG-, HEIC- eller PDF-fil" in bad.get_data(as_text=True)
    assert attachments_of(platform, app_id) == ["kontoutdrag.pdf"]


def test_malformed_answers_are_shown_per_field_with_400_and_nothing_saved(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    response = post_step(client, app_id, 0, {"period": "december", "sysselsattning": "arbetar", "action": "next"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv år och månad som ÅÅÅÅ-MM" in html and "error-summary" in html
    housing = post_step(client, app_id, 2, {"boendeform": "hyresratt", "hyra": "sex tusen", "action": "next"})
    assert housing.status_code == 400 and "Skriv ett heltal" in housing.get_data(as_text=True)
    assert "Hyra eller avgift per månad (kr): Skriv ett heltal" in housing.get_data(as_text=True)
    assert stored(platform, app_id).answers == {}
    group = post_step(
        client,
        app_id,
        3,
        {
            "har_inkomster": "ja",
            "inkomster[0][slag]": "lon",
            "inkomster[0][vem]": "jag",
            "inkomster[0][belopp]": "mycket",
            "action": "next",
        },
    )
    assert group.status_code == 400 and "Belopp efter skatt (kr): Skriv ett heltal" in group.get_data(as_text=True)
    assert stored(platform, app_id).answers == {}


def test_a_stale_version_from_another_device_is_told_409(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    html = page(client, f"/ansokan/{app_id}/steg/0")
    anna = platform.identity.principal(platform.log_in(PNR_ANNA))
    platform.applications.applications.save_answers(anna, app_id, {"period": "2026-12"}, 1)  # on the phone
    response = client.post(
        f"/ansokan/{app_id}/steg/0",
        data={"csrf_token": csrf_of(html), "version": "1", "period": "2027-01", "action": "next"},
    )
    assert response.status_code == 409 and "ändrats på en annan enhet" in response.get_data(as_text=True)
    assert stored(platform, app_id).answers == {"period": "2026-12"}


def test_the_summary_shows_answers_and_calculation_and_an_incomplete_one_cannot_be_signed(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    app_id = new_application(client)
    summary = page(client, f"/ansokan/{app_id}/steg/{SUMMARY}")
    assert "Sammanfattning" in summary and "Preliminär beräkning" in summary
    response = client.post(f"/ansokan/{app_id}/skicka", data={"mode": "qr", "csrf_token": csrf_of(summary)})
    assert response.status_code == 400 and "Ansökan är inte färdig" in response.get_data(as_text=True)
    assert started_signing(platform) == []


def test_sign_with_bankid_then_the_case_page_and_its_timeline(client: FlaskClient, platform: Platform) -> None:
    login(client)
    app_id = new_application(client)
    fill_in(client, app_id)
    assert sorted(attachments_of(platform, app_id)) == ["hyresavi.pdf", "hyreskontrakt.pdf", "kontoutdrag.pdf"]
    summary = page(client, f"/ansokan/{app_id}/steg/{SUMMARY}")
    assert "Preliminär beräkning" in summary and "Personliga kostnader" in summary
    version = stored(platform, app_id).version
    sign(client, app_id, f"/ansokan/{app_id}/skicka")
    started = started_signing(platform)[-1]
    assert started.reference == f"application:{app_id}:v{version}" and started.user_visible_data
    case = page(client, f"/ansokan/{app_id}")
    assert "Vad har hänt" in case
    # the unit receives a sent case at once (the fake stopped at "submitted")
    assert stored(platform, app_id).status == "received" and "Mottagen" in case


def test_same_device_signing_gives_bankid_the_return_address(client: FlaskClient, platform: Platform) -> None:
    app_id = filled_in(platform)
    login(client)
    html = page(client, f"/ansokan/{app_id}/steg/{SUMMARY}")
    client.post(f"/ansokan/{app_id}/skicka", data={"mode": "same_device", "csrf_token": csrf_of(html)})
    assert started_signing(platform)[-1].return_url == f"http://localhost/ansokan/{app_id}/underskrift"
    assert "bankid:///?autostarttoken=" in page(client, f"/ansokan/{app_id}/underskrift")


def test_the_co_applicant_signs_from_their_own_login(client: FlaskClient, app, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    login(client)
    app_id = new_application(client)
    fill_in(client, app_id, partner=True)
    sign(client, app_id, f"/ansokan/{app_id}/skicka")
    assert stored(platform, app_id).status == "signature_pending"
    partner = app.test_client()
    login(partner, PARTNER)
    overview = page(partner, "/mina-sidor")
    assert "Skriv under ansökan med ditt BankID." in overview
    case = page(partner, f"/ansokan/{app_id}")
    assert "Din underskrift behövs" in case
    sign(partner, app_id, f"/ansokan/{app_id}/skriv-under")
    assert stored(platform, app_id).status == "received"  # sent, and received by the unit at once


def test_the_decision_and_how_to_appeal_a_rejection(client: FlaskClient, platform: Platform) -> None:
    case = platform.applications.decided(
        platform.log_in(PNR_ANNA), case_worker(platform), "rejected", reasons="Inkomsten räcker."
    )
    login(client)
    html = page(client, f"/ansokan/{case.id}")
    for words in ("Beslut", "Avslag", "Inkomsten räcker.", "Om du vill överklaga", "överklaga inom tre veckor"):
        assert words in html, words
    assert "Återta ansökan" not in html  # nothing to take back once decided


def test_a_completion_request_is_answered_with_text_and_files(client: FlaskClient, platform: Platform) -> None:
    case = platform.applications.completion_requested(platform.log_in(PNR_ANNA), case_worker(platform))
    before = attachments_of(platform, case.id)
    login(client)
    html = page(client, f"/ansokan/{case.id}")
    assert "Komplettering behövs" in html and "Lönebesked för november" in html
    empty = client.post(f"/ansokan/{case.id}/komplettering", data={"csrf_token": csrf_of(html), "text": ""})
    assert empty.status_code == 400 and "Skriv något" in empty.get_data(as_text=True)
    done = client.post(
        f"/ansokan/{case.id}/komplettering",
        data={"csrf_token": csrf_of(html), "text": "Här", "files": (io.BytesIO(PDF), "lonebesked.pdf")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302 and stored(platform, case.id).status == "completion_submitted"
    assert sorted(attachments_of(platform, case.id)) == sorted([*before, "lonebesked.pdf"])


def test_withdraw_and_download_my_attachment(client: FlaskClient, platform: Platform) -> None:
    case = platform.applications.submitted(platform.log_in(PNR_ANNA))
    with platform.applications.db.read() as session:
        query = select(Attachment.id).where(
            Attachment.application_id == case.id, Attachment.filename == "kontoutdrag.pdf"
        )
        file_id = session.scalars(query).one()
    login(client)
    got = client.get(f"/ansokan/{case.id}/bilagor/{file_id}")
    assert (
        got.status_code == 200 and got.data.startswith(b"%PDF") and got.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert got.headers["Content-Disposition"].startswith("attachment;")
    html = page(client, f"/ansokan/{case.id}")
    response = client.post(f"/ansokan/{case.id}/aterta", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and stored(platform, case.id).status == "withdrawn"


def test_another_residents_case_is_403_and_unknown_ones_404(client: FlaskClient, platform: Platform) -> None:
    other = platform.applications.draft(platform.log_in(PNR_BO))
    login(client)
    assert client.get(f"/ansokan/{other.id}").status_code == 403
    assert client.get(f"/ansokan/{other.id}/steg/0").status_code == 403
    assert client.get("/ansokan/6f1c1c1e-0000-4000-8000-0000000000dd").status_code == 404
    assert client.get("/ansokan/not-an-id").status_code == 404
    app_id = new_application(client)
    assert client.get(f"/ansokan/{app_id}/steg/{STEPS}").status_code == 404


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
