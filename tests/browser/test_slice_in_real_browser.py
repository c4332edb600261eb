"""The slice through the web pages of the running platform, in Debian's headless chromium driven
by Playwright: log in with the BankID simulator as the demo resident, submit an application, and
see the message the notifications service put in the inbox."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect, sync_playwright

from ..conftest import DEMO_RESIDENT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


def test_resident_logs_in_submits_and_sees_the_inbox_message(platform, page):
    web = platform.url("web")
    page.goto(web + "/")
    page.get_by_role("link", name="Logga in").first.click()
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(DEMO_RESIDENT)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url("**/mina-sidor", timeout=20_000)  # the waiting page refreshes until BankID completes
    expect(page.get_by_text("Anna Andersson").first).to_be_visible()

    page.get_by_role("button", name="Ny ansökan").click()
    page.wait_for_url("**/ansokan/*")
    page.get_by_label("Vilken månad söker du för?").fill("2026-12")
    page.get_by_label("Antal vuxna i hushållet").fill("1")
    page.get_by_label("Antal barn i hushållet").fill("0")
    page.get_by_label("Hyra eller boendekostnad per månad (kr)").fill("6500")
    page.get_by_label("Hushållets inkomster den här månaden (kr)").fill("tusen")
    page.get_by_role("button", name="Skicka ansökan").click()
    expect(page.locator(".error-summary")).to_be_visible()  # a malformed answer stops the submit
    page.get_by_label("Hushållets inkomster den här månaden (kr)").fill("0")
    page.get_by_role("button", name="Skicka ansökan").click()
    expect(page.get_by_text("Skickad – vi har tagit emot din ansökan").first).to_be_visible()

    deadline = time.monotonic() + 30
    while True:
        page.goto(web + "/inkorg")
        if page.get_by_text("Vi har tagit emot din ansökan").count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(page.get_by_text("Vi har tagit emot din ansökan").first).to_be_visible()
    expect(page.get_by_text("december 2026").first).to_be_visible()
    page.screenshot(path=str(platform.var / "inbox.png"), full_page=True)
