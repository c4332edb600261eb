"""The contact centre's one way in, every process real: a resident with a case asks on the web and
sees her case's status first; the question is routed to ÄSSF and linked to her case; Vera (contact
agent, ÄSSF) sees the case's status beside it, replies and closes it as unnecessary; the reply
reaches the resident's thread and inbox; the statistics count it and export it as CSV. A guest asks
without logging in; a BBMT agent cannot open the ÄSSF thread; HTML is shown as text."""

from __future__ import annotations

import re
import time

import requests
from sqlalchemy import create_engine, text

from ..conftest import DEMO_RESIDENT
from ..support.mobile import MobileClient
from ..support.web import form_fields, web_login

VERA = "198501032380"  # Vera Vägledare, contact agent of ÄSSF (demo data)


def wait_until(check, what: str, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def contact_knows_case(platform, application_id: str) -> bool:  # type: ignore[no-untyped-def]
    engine = create_engine(platform.database_url("contact"))
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM resident_cases WHERE application_id = :a")
            return conn.execute(query, {"a": application_id}).scalar_one() > 0
    finally:
        engine.dispose()


def test_a_question_about_her_case_is_answered_by_vera_and_counted_as_unnecessary(platform) -> None:
    web = platform.url("web")
    mobile = MobileClient(platform.url("mobile"))
    case = mobile.submit_application(mobile.login(DEMO_RESIDENT))
    wait_until(lambda: contact_knows_case(platform, case["id"]), "contact learns of the case from applications")

    resident = web_login(web, DEMO_RESIDENT)
    ask_page = resident.get(f"{web}/kontakt", timeout=10).text
    assert "Det här kanske är svaret du söker" in ask_page  # her case's status before she asks
    asked = resident.post(
        f"{web}/kontakt",
        data={
            **form_fields(ask_page, "/kontakt"),
            "topic": "",
            "subject": "Min ansökan",
            "body": 'Har min ansökan om ekonomiskt bistånd blivit beslutad? <script>alert("x")</script>',
        },
        timeout=10,
    )
    assert asked.status_code == 200 and "/kontakt/fragor/" in asked.url, asked.text[:500]
    question_id = asked.url.rsplit("/", 1)[1]
    assert "Äldreomsorg, stöd och sociala frågor" in asked.text

    with_file = resident.post(
        asked.url,
        data={**form_fields(asked.text, f"/kontakt/fragor/{question_id}"), "body": ""},
        files={"file": ("beslut.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        timeout=10,
    )
    assert with_file.status_code == 200 and "beslut.pdf" in with_file.text

    vera = web_login(web, VERA)
    queue = vera.get(f"{web}/personal/kontakt", timeout=10).text
    assert question_id in queue
    thread_url = f"{web}/personal/kontakt/{question_id}"
    thread = vera.get(thread_url, timeout=10).text
    assert "Invånarens ärende" in thread  # the linked case's status, read from applications
    assert "Till Äldreomsorg, stöd och sociala frågor" in thread  # routed there, on the timeline
    assert "&lt;script&gt;" in thread and "<script>alert" not in thread
    found = re.search(r'href="(/personal/kontakt/[^"]+/filer/[^"]+)"', thread)
    assert found
    file_link = found.group(1)
    downloaded = vera.get(f"{web}{file_link}", timeout=10)
    assert downloaded.content.startswith(b"%PDF") and "attachment" in downloaded.headers["Content-Disposition"]

    replied = vera.post(
        f"{thread_url}/svara",
        data={**form_fields(thread, "/svara"), "body": "Din ansökan är mottagen och beslutas inom 24 timmar."},
        timeout=10,
    )
    assert replied.status_code == 200 and "Svaret är skickat" in replied.text
    closed = vera.post(
        f"{thread_url}/avsluta",
        data={**form_fields(replied.text, "/avsluta"), "reason": "status-pa-ansokan"},
        timeout=10,
    )
    assert "Frågan är avslutad." in closed.text

    mine = resident.get(f"{web}/kontakt/fragor/{question_id}", timeout=10).text
    assert "beslutas inom 24 timmar" in mine and "Avslutad" in mine
    wait_until(
        lambda: "Svar från kontaktcenter" in resident.get(f"{web}/inkorg", timeout=10).text,
        "the reply reaches the resident's inbox through notifications",
    )

    stats = vera.get(f"{web}/personal/kontakt/statistik", timeout=10).text
    assert re.search(r"\d+ kontakter, varav [1-9]\d* onödiga", stats)
    exported = vera.get(f"{web}/personal/kontakt/statistik?format=csv", timeout=10)
    assert exported.headers["Content-Type"].startswith("text/csv")
    assert "Status på ansökan" in exported.content.decode("utf-8-sig")


def test_a_guest_asks_without_logging_in_and_an_agent_of_another_group_cannot_open_it(platform) -> None:
    web = platform.url("web")
    guest = requests.Session()
    page = guest.get(f"{web}/kontakt", timeout=10).text
    empty = guest.post(
        f"{web}/kontakt", data={**form_fields(page, "/kontakt"), "subject": "Bygglov", "body": ""}, timeout=10
    )
    assert empty.status_code == 400 and "Skriv din fråga." in empty.text
    assert "Skriv en e-postadress eller ett telefonnummer" in empty.text
    sent = guest.post(
        f"{web}/kontakt",
        data={
            **form_fields(page, "/kontakt"),
            "subject": "Plank",
            "body": "Behöver jag bygglov för ett plank mot gatan?",
            "email": "gast@exempel.se",
        },
        timeout=10,
    )
    assert sent.status_code == 200 and "Bo, bygga, miljö och tillstånd" in sent.text

    vera = web_login(web, VERA)
    assert "Behöver jag bygglov" not in vera.get(f"{web}/personal/kontakt", timeout=10).text
    too_long = vera.get(f"{web}/personal/kontakt/inte-ett-id", timeout=10)
    assert too_long.status_code == 404
