"""BankID login on the running platform's web pages in Debian's headless chromium, with the BankID
simulator playing the person's BankID app: the animated QR code (read off the page, changing every
second, scanned and checked like the app does) and the same-device start (the autostart link, then
the return address the app opens), with and without JavaScript."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from ..conftest import DEMO_CO_APPLICANT, DEMO_RESIDENT


def bankid_app(platform, action: str, body: dict) -> dict:
    """The person's BankID app, played by the simulator."""
    answer = requests.post(
        f"http://127.0.0.1:{platform.ports['bankid-simulator']}/simulator/{action}", json=body, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_login_by_scanning_the_animated_qr_code(platform, browser):
    page = browser.new_context(locale="sv-SE").new_page()
    page.goto(platform.url("web") + "/logga-in")
    page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    expect(page.get_by_role("heading", name="Öppna BankID")).to_be_visible()
    qr = page.locator("#bankid-qr")
    expect(qr.locator("svg")).to_be_visible()
    expect(page.get_by_text("Starta BankID-appen.")).to_be_visible()
    first = qr.get_attribute("data-qr")
    assert re.fullmatch(r"bankid\.[0-9a-f-]{36}\.\d+\.[0-9a-f]{64}", first)
    # the script fetches the next second's code; the page is not reloaded
    expect(qr).not_to_have_attribute("data-qr", first, timeout=5_000)
    current = qr.get_attribute("data-qr")
    assert current.split(".")[1] == first.split(".")[1] and int(current.split(".")[2]) > int(first.split(".")[2])
    bankid_app(platform, "scan", {"qrData": current, "personalNumber": DEMO_CO_APPLICANT})
    page.wait_for_url("**/mina-sidor", timeout=20_000)
    expect(page.get_by_text("Sara Andersson").first).to_be_visible()


def test_a_stale_or_forged_qr_code_is_refused_by_the_app(platform, browser):
    page = browser.new_context(locale="sv-SE").new_page()
    page.goto(platform.url("web") + "/logga-in")
    page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    code = page.locator("#bankid-qr").get_attribute("data-qr")
    prefix, token, seconds, digest = code.split(".")
    forged = f"{prefix}.{token}.{seconds}.{digest[::-1]}"
    url = f"http://127.0.0.1:{platform.ports['bankid-simulator']}/simulator/scan"
    assert requests.post(url, json={"qrData": forged}, timeout=10).status_code == 400


@pytest.mark.parametrize("javascript", [True, False])
def test_login_with_bankid_on_the_same_device(platform, browser, javascript):
    page = browser.new_context(locale="sv-SE", java_script_enabled=javascript).new_page()
    page.goto(platform.url("web") + "/logga-in")
    page.get_by_role("button", name="BankID på den här enheten").click()
    link = page.get_by_role("link", name="Öppna BankID på den här enheten")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("bankid:///?")
    query = parse_qs(urlsplit(href.replace("bankid:///", "http://app/")).query)
    assert query["redirect"] == ["null"]
    # Following the link opens the BankID app; the simulator is that app. When the person is done it
    # opens the return address identity gave BankID: the waiting page, which finishes the login.
    opened = bankid_app(
        platform, "autostart", {"autoStartToken": query["autostarttoken"][0], "personalNumber": DEMO_RESIDENT}
    )
    assert opened["returnUrl"].endswith("/logga-in/vantar")
    time.sleep(0.5)
    page.goto(opened["returnUrl"])
    page.wait_for_url("**/mina-sidor", timeout=20_000)
    expect(page.get_by_text("Anna Andersson").first).to_be_visible()
