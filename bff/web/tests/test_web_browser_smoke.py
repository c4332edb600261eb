"""One browser smoke test: Debian's chromium drives the real pages (werkzeug server in a thread,
fake services on real gRPC) — log in, submit an application, see it listed — once with JavaScript
and once without, to prove the pages need none."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from conftest import Platform
from playwright import sync_api
from web_fakes import fake_platform, on_fakes  # noqa: F401 - not moved yet
from werkzeug.serving import make_server

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


@pytest.fixture
def base_url(platform: Platform) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(platform.services()), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _resident_journey(page, base_url: str, personal_number: str, check_focus: bool) -> None:  # type: ignore[no-untyped-def]
    expect = sync_api.expect
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("link", name="Logga in").click()
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(personal_number)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("heading", name="Öppna BankID")).to_be_visible()
    # The waiting page refreshes itself (script or meta refresh) until the fake BankID completes.
    page.wait_for_url("**/mina-sidor", timeout=15_000)
    expect(page.get_by_role("heading", name="Mina sidor", level=1)).to_be_visible()

    page.get_by_role("link", name="Ny ansökan").click()
    page.get_by_role("button", name="Starta ansökan").click()
    page.wait_for_url("**/steg/0")
    expect(page.get_by_text("Steg 1 av 4")).to_be_visible()
    partner = page.get_by_label("Din partners personnummer")
    if check_focus:  # with JavaScript the partner's question appears as soon as "Ja" is chosen
        expect(partner).to_be_hidden()
        page.get_by_role("radio", name="Ja").check()
        expect(partner).to_be_visible()
    page.get_by_role("radio", name="Nej").check()
    page.get_by_label("Vilken månad söker du för?").fill("december")
    page.get_by_label("Hyra per månad (kr)").fill("6500")
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    # A malformed answer: the error summary comes first, focused, linking to the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("Vilken månad söker du för"))).to_be_visible()
    if check_focus:
        expect(summary).to_be_focused()
    page.get_by_label("Vilken månad söker du för?").fill("2026-12")
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url("**/steg/1")
    page.get_by_role("button", name="Lägg till en inkomst").click()
    page.get_by_label("Belopp (kr)").fill("4000")
    page.get_by_role("radio", name="Lön").check()
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url("**/steg/2")
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url("**/steg/3")
    expect(page.get_by_role("heading", name="Sammanfattning", level=1)).to_be_visible()
    expect(page.get_by_text("Preliminär beräkning")).to_be_visible()
    page.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    # The waiting page (script or meta refresh) until the fake BankID completes the signature.
    page.wait_for_url(re.compile(r".*/ansokan/[0-9a-f-]+$"), timeout=15_000)
    expect(page.get_by_text("Skickad – vi har tagit emot din ansökan").first).to_be_visible()

    page.get_by_role("link", name="Mina sidor").first.click()
    page.wait_for_url("**/mina-sidor")
    card = page.locator(".card").filter(has_text="Ansökan om ekonomiskt bistånd")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Skickad – vi har tagit emot din ansökan")


def test_browser_login_submit_and_see_it_listed_with_and_without_javascript(base_url: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            with_js = browser.new_context(viewport={"width": 390, "height": 844})
            page = with_js.new_page()
            _resident_journey(page, base_url, "199001011234", check_focus=True)
            page.screenshot(path=SCREENSHOT, full_page=True)
            with_js.close()

            without_js = browser.new_context(java_script_enabled=False)
            page = without_js.new_page()
            _resident_journey(page, base_url, "198505055678", check_focus=False)
            without_js.close()
        finally:
            browser.close()
