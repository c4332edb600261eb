"""Service messages on the running platform, in Debian's chromium on a 390 px phone screen: the
admin publishes a disruption on the staff page; every page shows it in a named region, in words,
to a resident who is not even logged in, and the mobile API carries it too; when BankID itself
reports maintenance (the simulator's switch) the login page says "BankID har driftstörningar";
once the admin ends the notice it is gone everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import expect

from ..support.browser import logged_in

ADMIN = "198501042389"
TEXT = "E-tjänsten för ekonomiskt bistånd är långsam. Det du har sparat finns kvar."


def test_a_notice_reaches_the_web_and_the_mobile_api_and_bankids_status_the_login_page(platform, browser):
    web, mobile = platform.url("web"), platform.url("mobile")
    simulator = f"http://127.0.0.1:{platform.ports['bankid-simulator']}/simulator"
    admin = logged_in(browser, web, ADMIN)
    admin.get_by_role("link", name="Personal").click()
    admin.get_by_role("link", name="Driftmeddelanden").click()
    now = datetime.now(ZoneInfo("Europe/Stockholm"))
    admin.get_by_label("Driftstörning").check()
    admin.get_by_label("Meddelande på svenska").fill(TEXT)
    admin.get_by_label("Börjar").fill(f"{now - timedelta(minutes=5):%Y-%m-%dT%H:%M}")
    admin.get_by_label("Slutar").fill(f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    admin.get_by_role("button", name="Publicera driftmeddelandet").click()
    expect(admin.get_by_text("Driftmeddelandet är publicerat.")).to_be_visible()
    try:
        visitor = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 900}).new_page()
        for path in ("/", "/logga-in", "/provrakning"):
            visitor.goto(web + path)
            region = visitor.get_by_role("region", name="Driftinformation")
            expect(region).to_be_visible()
            notice = region.get_by_role("status")
            expect(notice).to_contain_text("Driftstörning – pågår nu:")
            expect(notice).to_contain_text(TEXT)
            assert visitor.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways

        answer = requests.get(mobile + "/v1/service-messages", timeout=5).json()
        [shown] = [m for m in answer["messages"] if m["text"] == TEXT]
        assert shown["active"] and shown["kind"] == "disruption" and shown["short"].startswith("Driftstörning till ")

        requests.post(simulator + "/maintenance", json={"on": True}, timeout=5).raise_for_status()
        try:
            visitor.goto(web + "/logga-in")
            visitor.get_by_role("button", name="Mobilt BankID på annan enhet").click()
            expect(visitor.get_by_text("BankID har driftstörningar.")).to_be_visible()
            assert requests.get(mobile + "/v1/service-messages", timeout=5).json()["bankid"]["disrupted"]
        finally:
            requests.post(simulator + "/maintenance", json={"on": False}, timeout=5).raise_for_status()
    finally:
        admin.goto(web + "/personal/driftmeddelanden")
        admin.locator(".card", has_text=TEXT).get_by_role("button", name="Avsluta nu").click()
        expect(admin.get_by_text("Driftmeddelandet är avslutat.")).to_be_visible()
    visitor.goto(web + "/")
    expect(visitor.get_by_role("region", name="Driftinformation")).to_have_count(0)
    assert all(m["text"] != TEXT for m in requests.get(mobile + "/v1/service-messages", timeout=5).json()["messages"])
