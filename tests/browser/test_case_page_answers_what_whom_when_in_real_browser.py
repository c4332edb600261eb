"""The case page answers "what did I send, what happens now, whom do I ask?" on the running platform,
in Debian's chromium on a 390 px phone screen: after sending her first application the resident
sees the next step with its date, the unit that handles it, and downloads — by keyboard — a PDF copy
that holds her answers, her attachments and her BankID signature; she writes to the municipality
from the case page and the thread is linked to the case; once a case worker starts, the page names
him or her."""

from __future__ import annotations

import io
import re
import time

import pypdf
from playwright.sync_api import expect

from ..conftest import DEMO_RESIDENT
from ..support.browser import logged_in, send_first_application

CASE_WORKER = "198501012382"


def test_the_case_page_says_what_was_sent_what_happens_and_whom_to_ask(platform, browser, tmp_path):
    web = platform.url("web")
    anna = logged_in(browser, web, DEMO_RESIDENT)  # 390 px wide
    app_id = send_first_application(anna)

    now = anna.get_by_role("region", name="Vad händer nu?")
    expect(now).to_contain_text("Beslut väntas senast")
    expect(now).to_contain_text(re.compile(r"Datum: \d{1,2} [a-zåäö]+ 20\d\d"))
    who = anna.get_by_role("region", name="Vem handlägger ärendet?")
    expect(who).to_contain_text("Enheten för ekonomiskt bistånd har ditt ärende.")
    assert anna.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways

    link = anna.get_by_role("link", name="Ladda ner en kopia av det du skickade (PDF)")
    link.focus()
    with anna.expect_download() as downloading:
        anna.keyboard.press("Enter")
    download = downloading.value
    assert download.suggested_filename == f"ansokan-{app_id[:8]}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    reader = pypdf.PdfReader(io.BytesIO(saved.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for sent in (
        "Vad gör du just nu?",
        "Jag är arbetssökande",
        "Hyra eller avgift per månad (kr)",
        "6850",
        "kontoutdrag-nov.pdf",
        "hyresavi-dec.pdf",
        "Anna Andersson skrev under med BankID",
    ):
        assert sent in text, sent
    assert reader.trailer["/Root"]["/Lang"] == "sv" and "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Grundansökan om ekonomiskt bistånd")

    who.get_by_role("link", name="Skriv till oss om ärendet").click()
    expect(anna.get_by_text(f"Din fråga kopplas till ärende {app_id[:8]}")).to_be_visible()
    anna.get_by_label("Rubrik").fill("Fråga om min grundansökan")
    anna.get_by_label("Din fråga").fill("När ringer socialsekreteraren mig?")
    anna.get_by_role("button", name="Skicka", exact=True).click()
    expect(anna.get_by_text("Din fråga är skickad.")).to_be_visible()
    anna.goto(web + f"/ansokan/{app_id}")
    questions = anna.get_by_role("region", name="Vem handlägger ärendet?")
    expect(questions.get_by_role("link", name="Fråga om min grundansökan")).to_be_visible()

    karin = logged_in(browser, web, CASE_WORKER)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        karin.goto(web + f"/personal/arenden/{app_id}")
        if karin.get_by_role("button", name="Påbörja handläggning").count():
            break
        time.sleep(0.5)
    karin.get_by_role("button", name="Påbörja handläggning").click()
    anna.reload()
    expect(anna.get_by_role("region", name="Vem handlägger ärendet?")).to_contain_text(
        "Din handläggare är Karin Handläggare, Enheten för ekonomiskt bistånd."
    )
