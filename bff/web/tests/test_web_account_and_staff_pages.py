"""The resident's account pages (devices, watch pairing, the access log) and the staff's pages
(roles for admins, the case workers' desk), over real gRPC to fake services."""

from __future__ import annotations

from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask.testing import FlaskClient
from google.protobuf.timestamp_pb2 import Timestamp
from web_fakes import fake_platform, on_fakes, user_id_for  # noqa: F401 - not moved yet

from fickan.identity.v1 import identity_pb2 as ipb

ADMIN = "198501042389"
WORKER = "198501012382"


def stamp() -> Timestamp:
    ts = Timestamp()
    ts.GetCurrentTime()
    return ts


def test_a_resident_pairs_a_watch_by_its_code(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/mina-sidor/enheter")
    assert "Koppla en klocka" in html and "Du är inte inloggad någon annanstans." in html
    response = client.post("/mina-sidor/enheter/klocka", data={"user_code": "bcdf ghjk", "csrf_token": csrf_of(html)})
    assert response.status_code == 302
    after = page(client, "/mina-sidor/enheter")
    assert "Klockan är kopplad." in after and "Klocka" in after


def test_a_wrong_or_missing_watch_code_is_told_and_nothing_is_paired(client: FlaskClient, platform: Platform) -> None:
    login(client)
    token = csrf_of(page(client, "/mina-sidor/enheter"))
    wrong = client.post("/mina-sidor/enheter/klocka", data={"user_code": "XXXX-XXXX", "csrf_token": token})
    assert wrong.status_code == 400 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    empty = client.post("/mina-sidor/enheter/klocka", data={"user_code": "", "csrf_token": token})
    assert empty.status_code == 400 and "Skriv koden som klockan visar." in empty.get_data(as_text=True)
    assert platform.identity.devices == {}


def test_a_resident_logs_out_another_device_and_nonsense_ids_are_refused(
    client: FlaskClient, platform: Platform
) -> None:
    login(client)
    phone = ipb.DeviceEntry(device_id="session:" + "a" * 32, kind="mobile", created_at=stamp(), last_used_at=stamp())
    platform.identity.devices[user_id_for(PNR_ANNA)] = [phone]
    html = page(client, "/mina-sidor/enheter")
    assert "Mobilappen" in html and "Logga ut enheten" in html
    token = csrf_of(html)
    bad = client.post("/mina-sidor/enheter/avsluta", data={"device_id": "session:../../x", "csrf_token": token})
    assert bad.status_code == 400 and platform.identity.revoked == set()
    done = client.post("/mina-sidor/enheter/avsluta", data={"device_id": phone.device_id, "csrf_token": token})
    assert done.status_code == 302 and platform.identity.revoked == {phone.device_id}


def test_the_access_log_shows_who_read_what_in_swedish(client: FlaskClient, platform: Platform) -> None:
    login(client)
    assert "Ingen på kommunen har läst dina uppgifter." in page(client, "/mina-sidor/atkomstlogg")
    platform.identity.access_log[user_id_for(PNR_ANNA)] = [
        ipb.AccessEntry(
            at=stamp(),
            actor_name="Karin Handläggare",
            actor_role="case_worker",
            actor_unit="ekonomiskt-bistand",
            action="read",
            resource="application:1",
            description="Ansökan om ekonomiskt bistånd",
            reason="Ny ansökan",
        )
    ]
    html = page(client, "/mina-sidor/atkomstlogg")
    for words in (
        "Karin Handläggare",
        "Handläggare, ekonomiskt-bistand",
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
    platform.identity.roles[ADMIN] = ("resident", "admin")
    login(client, ADMIN)
    html = page(client, "/personal/behorigheter")
    token = csrf_of(html)
    missing_unit = client.post(
        "/personal/behorigheter", data={"personal_number": WORKER, "roles": "case_worker", "csrf_token": token}
    )
    assert missing_unit.status_code == 400 and "En handläggare behöver en enhet." in missing_unit.get_data(as_text=True)
    bad_pnr = client.post("/personal/behorigheter", data={"personal_number": "12", "csrf_token": token})
    assert bad_pnr.status_code == 400
    done = client.post(
        "/personal/behorigheter",
        data={"personal_number": WORKER, "name": "Karin", "roles": "case_worker", "unit": "eb", "csrf_token": token},
    )
    assert done.status_code == 302
    assert "Karin" in page(client, "/personal/behorigheter")


def test_a_case_worker_sees_the_units_cases_and_opens_one(client: FlaskClient, platform: Platform) -> None:
    from web_fakes import StoredApplication

    case = StoredApplication(application_id="6f1c1c1e-0000-4000-8000-000000000001", owner="someone", status="submitted")
    case.answers = {"period": "2026-12"}
    platform.applications.apps[case.application_id] = case
    platform.identity.roles[WORKER] = ("resident", "case_worker")
    platform.identity.extra_claims[WORKER] = {"unit": "eb"}
    login(client, WORKER)
    assert "Ärenden" in page(client, "/personal")
    queue = page(client, "/personal/arenden")
    assert f"/personal/arenden/{case.application_id}" in queue
    opened = page(client, f"/personal/arenden/{case.application_id}?skal=Ny")
    assert "2026-12" in opened and "loggat" in opened
    assert platform.applications.staff_reads[-1][1:] == (case.application_id, "Ny")
    assert client.get("/personal/arenden/not-an-id").status_code == 404


def test_the_desk_shows_the_residents_completion_answer_beside_the_files(
    client: FlaskClient, platform: Platform
) -> None:
    """The probe: the case worker never saw the message the resident wrote with a completion."""
    from web_fakes import StoredApplication

    case = StoredApplication(
        application_id="6f1c1c1e-0000-4000-8000-000000000002", owner="someone", status="completion_submitted"
    )
    case.answers = {"period": "2026-12"}
    file_id = "6f1c1c1e-0000-4000-8000-0000000000f1"
    case.attachments[file_id] = ("lonebesked.pdf", "application/pdf", b"%PDF-1.7\n%%EOF")
    case.requests = [
        {
            "id": "r1",
            "items": ["Lönebesked för november"],
            "answered": True,
            "text": "Lönen kom sent i november.\n<b>Arbetsgivaren</b> bytte bank.",
            "files": [file_id],
        }
    ]
    platform.applications.apps[case.application_id] = case
    platform.identity.roles[WORKER] = ("resident", "case_worker")
    platform.identity.extra_claims[WORKER] = {"unit": "eb"}
    login(client, WORKER)
    opened = page(client, f"/personal/arenden/{case.application_id}")
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
    from web_fakes import StoredApplication

    case = StoredApplication(
        application_id="6f1c1c1e-0000-4000-8000-000000000003", owner="someone", status="completion_requested"
    )
    case.requests = [{"id": "r1", "items": ["Lönebesked"], "answered": False}]
    platform.applications.apps[case.application_id] = case
    platform.identity.roles[WORKER] = ("resident", "case_worker")
    platform.identity.extra_claims[WORKER] = {"unit": "eb"}
    login(client, WORKER)
    waiting = page(client, f"/personal/arenden/{case.application_id}")
    assert "Inte besvarad än." in waiting and "Fatta beslut" not in waiting

    case.requests[0]["overdue"] = True
    overdue = page(client, f"/personal/arenden/{case.application_id}")
    assert "Tiden gick ut 2026-12-02 utan svar." in overdue and "överklagar" in overdue
    assert f'action="/personal/arenden/{case.application_id}/beslut"' in overdue
