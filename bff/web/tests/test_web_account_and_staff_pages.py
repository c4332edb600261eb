"""The resident's account pages (devices, watch pairing, the access log) and the staff's pages
(roles for admins, the case workers' desk), over real gRPC to the real services: identity with its
BankID simulator keeps the sessions, watches, roles and access log; applications the cases."""

from __future__ import annotations

from datetime import timedelta

from conftest import PNR_ANNA, UNIT, WORKER, Platform, case_worker, csrf_of, login, page, staff_reads
from flask.testing import FlaskClient

from applications.testing import PDF

ADMIN = "198501042389"


def devices(platform: Platform, personal_number: str = PNR_ANNA) -> list[dict]:  # type: ignore[type-arg]
    """The person's live sessions and paired watches, as identity keeps them (a login of its own
    to ask with: it is in the list too)."""
    me = platform.log_in(personal_number, device="web")
    listed = platform.identity.identity.devices.of(platform.identity.principal(me))
    return [d for d in listed if not d["current"]]


def test_a_resident_pairs_a_watch_by_its_code(client: FlaskClient, platform: Platform) -> None:
    login(client)
    html = page(client, "/mina-sidor/enheter")
    # identity lists this browser's own session ("Den här"), and nothing else yet
    assert "Koppla en klocka" in html and "Den här" in html and "Klocka" not in html
    device_code, shown = platform.identity.start_watch_pairing()  # what the watch shows, e.g. BCDF-GHJK
    typed = shown.replace("-", " ").lower()  # as a resident may type it
    response = client.post("/mina-sidor/enheter/klocka", data={"user_code": typed, "csrf_token": csrf_of(html)})
    assert response.status_code == 302
    after = page(client, "/mina-sidor/enheter")
    assert "Klockan är kopplad." in after and "Klocka" in after
    # the watch, polling, is paired: the resident's confirmation reached identity
    assert platform.identity.parts.pairings.poll(device_code).status == "complete"
    assert [d["kind"] for d in devices(platform) if d["device_id"].startswith("watch:")] == ["watch"]


def test_a_wrong_or_missing_watch_code_is_told_and_nothing_is_paired(client: FlaskClient, platform: Platform) -> None:
    platform.identity.start_watch_pairing()  # a watch waits, with another code
    login(client)
    token = csrf_of(page(client, "/mina-sidor/enheter"))
    wrong = client.post("/mina-sidor/enheter/klocka", data={"user_code": "XXXX-XXXX", "csrf_token": token})
    assert wrong.status_code == 400 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    empty = client.post("/mina-sidor/enheter/klocka", data={"user_code": "", "csrf_token": token})
    assert empty.status_code == 400 and "Skriv koden som klockan visar." in empty.get_data(as_text=True)
    assert [d for d in devices(platform) if d["kind"] == "watch"] == []


def test_a_resident_logs_out_another_device_and_nonsense_ids_are_refused(
    client: FlaskClient, platform: Platform
) -> None:
    phone = platform.log_in(PNR_ANNA, device="mobile")  # Anna is logged in on her phone too
    login(client)
    html = page(client, "/mina-sidor/enheter")
    assert "Mobilappen" in html and "Logga ut enheten" in html
    token = csrf_of(html)
    phone_id = f"session:{phone.session_id}"
    assert phone_id in html
    bad = client.post("/mina-sidor/enheter/avsluta", data={"device_id": "session:../../x", "csrf_token": token})
    assert bad.status_code == 400
    assert phone_id in [d["device_id"] for d in devices(platform)]
    assert "RevokeDevice" not in platform.spies["identity"].names()
    done = client.post("/mina-sidor/enheter/avsluta", data={"device_id": phone_id, "csrf_token": token})
    assert done.status_code == 302
    assert phone_id not in [d["device_id"] for d in devices(platform)]


def test_the_access_log_shows_who_read_what_in_swedish(client: FlaskClient, platform: Platform) -> None:
    login(client)
    assert "Ingen på kommunen har läst dina uppgifter." in page(client, "/mina-sidor/atkomstlogg")
    karin = case_worker(platform, "Karin Handläggare")
    platform.identity.parts.access_log.record(  # as identity records a read the services report
        platform.identity.principal(karin),
        [platform.identity.user_id(PNR_ANNA)],
        "read",
        "application:1",
        "Ansökan om ekonomiskt bistånd",
        "Ny ansökan",
    )
    html = page(client, "/mina-sidor/atkomstlogg")
    for words in (
        "Karin Handläggare",
        f"Handläggare, {UNIT}",
        "Läste: Ansökan om ekonomiskt bistånd",
        "Skäl: Ny ansökan",
    ):
        assert words in html


def test_residents_get_403_on_staff_pages(client: FlaskClient) -> None:
    login(client)
    for path in ("/personal", "/personal/behorigheter", "/personal/arenden"):
        assert client.get(path).status_code == 403, path
    assert "Personal" not in page(client, "/mina-sidor").split("<main")[0]


def test_an_admin_assigns_roles_and_bad_input_is_told(client: FlaskClient, platform: Platform) -> None:
    platform.identity.give_roles(ADMIN, "Adam Administratör", ["admin"])
    login(client, ADMIN)
    html = page(client, "/personal/behorigheter")
    token = csrf_of(html)
    missing_unit = client.post(
        "/personal/behorigheter", data={"personal_number": WORKER, "roles": "case_worker", "csrf_token": token}
    )
    assert missing_unit.status_code == 400 and "En handläggare behöver en enhet (" in missing_unit.get_data(
        as_text=True
    )
    bad_pnr = client.post("/personal/behorigheter", data={"personal_number": "12", "csrf_token": token})
    assert bad_pnr.status_code == 400
    done = client.post(
        "/personal/behorigheter",
        data={"personal_number": WORKER, "name": "Karin", "roles": "case_worker", "unit": UNIT, "csrf_token": token},
    )
    assert done.status_code == 302
    assert "Karin" in page(client, "/personal/behorigheter")
    assert platform.identity.principal(platform.log_in(WORKER)).roles == ("resident", "case_worker")


def _at_the_desk(platform: Platform, client: FlaskClient) -> None:
    """The case worker of the unit logs in on the web."""
    case_worker(platform)
    login(client, WORKER)


def test_a_case_worker_sees_the_units_cases_and_opens_one(client: FlaskClient, platform: Platform) -> None:
    case = platform.applications.submitted(platform.log_in(PNR_ANNA))
    _at_the_desk(platform, client)
    assert "Ärenden" in page(client, "/personal")
    queue = page(client, "/personal/arenden")
    assert f"/personal/arenden/{case.id}" in queue
    opened = page(client, f"/personal/arenden/{case.id}?skal=Ny")
    assert "2026-12" in opened and "loggat" in opened
    assert staff_reads(platform)[-1] == ("read", f"application:{case.id}", "Ny")
    assert client.get("/personal/arenden/not-an-id").status_code == 404


def test_the_desk_shows_the_residents_completion_answer_beside_the_files(
    client: FlaskClient, platform: Platform
) -> None:
    """The probe: the case worker never saw the message the resident wrote with a completion."""
    anna = platform.log_in(PNR_ANNA)
    case = platform.applications.completion_requested(anna, case_worker(platform))
    me = platform.identity.principal(anna)
    file = platform.applications.applications.upload(me, case.id, "lonebesked.pdf", PDF)
    platform.applications.applications.submit_completion(
        me, case.id, "Lönen kom sent i november.\n<b>Arbetsgivaren</b> bytte bank.", [file.id]
    )
    login(client, WORKER)
    opened = page(client, f"/personal/arenden/{case.id}")
    assert "Kompletteringar" in opened and "Den sökandes svar" in opened
    assert "Lönen kom sent i november." in opened
    assert "&lt;b&gt;Arbetsgivaren&lt;/b&gt; bytte bank." in opened  # the resident's text, never markup
    answer_at = opened.index("Den sökandes svar")
    assert opened.index("lonebesked.pdf", answer_at) > answer_at


def test_an_overdue_completion_is_said_on_the_desk_and_the_case_worker_may_decide(
    client: FlaskClient, platform: Platform
) -> None:
    """Until the due date the desk offers no decision on a case waiting for the resident; after it,
    it says the time ran out and offers the decision (the service checks the date again)."""
    case = platform.applications.completion_requested(platform.log_in(PNR_ANNA), case_worker(platform))
    login(client, WORKER)
    waiting = page(client, f"/personal/arenden/{case.id}")
    assert "Inte besvarad än." in waiting and "Fatta beslut" not in waiting

    platform.applications.today += timedelta(days=8)  # a week to answer, and a day more
    overdue = page(client, f"/personal/arenden/{case.id}")
    assert "Tiden gick ut 2026-12-02 utan svar." in overdue and "överklagar" in overdue
    assert f'action="/personal/arenden/{case.id}/beslut"' in overdue
