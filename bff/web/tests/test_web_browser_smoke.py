"""One browser smoke test: Debian's chromium drives the real pages (werkzeug server in a thread, the
real services behind them) — log in with BankID, fill in and sign a first application, see it
listed — once with JavaScript and once without, to prove the pages need none."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from conftest import Platform
from playwright import sync_api
from sqlalchemy import select
from werkzeug.serving import make_server

from applications.store import Application
from bff_web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = "/tmp/web_mina_sidor.png"
RECEIVED = "Mottagen – står i kö för handläggning"


@pytest.fixture
def base_url(platform: Platform) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(platform.services()), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _pdf(name: str) -> dict:  # type: ignore[type-arg]
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _next(page, step: int) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url(f"**/steg/{step}")


def _resident_journey(page, base_url: str, personal_number: str, check_focus: bool) -> None:  # type: ignore[no-untyped-def]
    expect = sync_api.expect
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("link", name="Logga in").click()
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(personal_number)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("heading", name="Öppna BankID")).to_be_visible()
    # The waiting page refreshes itself (script or meta refresh) until identity's BankID simulator completes.
    page.wait_for_url("**/mina-sidor", timeout=15_000)
    expect(page.get_by_role("heading", name="Mina sidor", level=1)).to_be_visible()

    page.get_by_role("link", name="Ny ansökan").click()
    page.wait_for_url("**/e-tjanster")
    first = page.locator(".card").filter(has_text="Grundansökan om ekonomiskt bistånd")
    first.get_by_role("button", name="Starta ansökan").click()
    page.wait_for_url("**/steg/0")
    expect(page.get_by_text("Steg 1 av 9")).to_be_visible()
    page.get_by_role("radio", name="Jag arbetar").check()
    page.get_by_label("Vilken månad söker du för?").fill("december")
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    # A malformed answer: the error summary comes first, focused, linking to the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("Vilken månad söker du för"))).to_be_visible()
    if check_focus:
        expect(summary).to_be_focused()
    page.get_by_label("Vilken månad söker du för?").fill("2026-12")
    _next(page, 1)
    partner = page.get_by_label("Din partners personnummer")
    if check_focus:  # with JavaScript the partner's question appears as soon as "Ja" is chosen
        expect(partner).to_be_hidden()
        page.get_by_role("radio", name="Ja").check()
        expect(partner).to_be_visible()
    page.get_by_role("radio", name="Nej").check()
    _next(page, 2)
    page.get_by_role("radio", name="Hyresrätt med eget kontrakt").check()
    if not check_focus:  # without JavaScript the rent's question appears after saving the answer
        page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
        expect(page.get_by_text("Ditt svar gör att fler frågor behövs.")).to_be_visible()
    page.get_by_label("Hyra eller avgift per månad (kr)").fill("6500")
    _next(page, 3)
    page.get_by_role("radio", name="Ja").check()
    if not check_focus:  # the incomes appear after saving the answer
        page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
        expect(page.get_by_text("Ditt svar gör att fler frågor behövs.")).to_be_visible()
    page.get_by_role("button", name="Lägg till en inkomst").click()
    page.get_by_label("Belopp efter skatt (kr)").fill("4000")
    page.get_by_role("radio", name="Lön").check()
    page.get_by_role("radio", name="Min", exact=True).check()
    _next(page, 4)
    page.get_by_role("radio", name="Nej").check()
    _next(page, 5)
    _next(page, 6)
    page.get_by_label("Kontoutdrag för de senaste tre månaderna").set_input_files(_pdf("kontoutdrag.pdf"))
    page.get_by_label("Hyreskontrakt").set_input_files(_pdf("hyreskontrakt.pdf"))
    page.get_by_label("Den senaste hyresavin").set_input_files(_pdf("hyresavi.pdf"))
    _next(page, 7)
    page.locator("input[name='samtycke_kontroll'][value='ja']").check()
    page.locator("input[name='sanningsforsakran'][value='ja']").check()
    _next(page, 8)
    expect(page.get_by_role("heading", name="Sammanfattning", level=1)).to_be_visible()
    expect(page.get_by_text("Preliminär beräkning")).to_be_visible()
    page.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    # The waiting page (script or meta refresh) until the BankID simulator completes the signature.
    page.wait_for_url(re.compile(r".*/ansokan/[0-9a-f-]+$"), timeout=15_000)
    # The unit receives a sent case at once (applications): "Mottagen".
    expect(page.get_by_text(RECEIVED).first).to_be_visible()

    page.get_by_role("link", name="Mina sidor").first.click()
    page.wait_for_url("**/mina-sidor")
    card = page.locator(".card").filter(has_text="Grundansökan om ekonomiskt bistånd")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(RECEIVED)


def test_browser_login_submit_and_see_it_listed_with_and_without_javascript(platform: Platform, base_url: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            with_js = browser.new_context(viewport={"width": 390, "height": 844})
            page = with_js.new_page()
            _resident_journey(page, base_url, "199001049817", check_focus=True)
            page.screenshot(path=SCREENSHOT, full_page=True)
            with_js.close()

            without_js = browser.new_context(java_script_enabled=False)
            page = without_js.new_page()
            _resident_journey(page, base_url, "199001059808", check_focus=False)
            without_js.close()
        finally:
            browser.close()
    with platform.applications.db.read() as session:  # what applications holds: two signed, sent cases
        sent = [(a.kind, a.status, a.answers) for a in session.scalars(select(Application))]
    assert [(kind, status, answers["hyra"]) for kind, status, answers in sent] == [
        ("eb_grundansokan", "received", "6500")
    ] * 2
    papers = ("kontoutdrag", "hyreskontrakt", "hyresavi")
    assert all(answers.get(paper) for _, _, answers in sent for paper in papers)
