"""The wall screen in Debian's chromium (the web pages on a werkzeug server, the real services
behind them): Bengt's wall page is open; Anna, in another browser context, rates her closed
contact; her comment appears on the wall within 2 s, without a reload and without her name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from conftest import PNR_ANNA, Platform
from playwright import sync_api
from test_web_bookings_in_browser import base_url, logged_in_page  # noqa: F401 - the fixture
from test_web_browser_smoke import ARGS, CHROMIUM

PNR_BENGT = "198501032380"  # a test number of Skatteverket's


def test_feedback_appears_on_the_wall_within_two_seconds(platform: Platform, base_url: str) -> None:  # noqa: F811
    expect = sync_api.expect
    # Anna asked (logged in) and Bengt of BBMT closed her question: contact's own use cases.
    platform.identity.give_roles(PNR_BENGT, "Bengt Vägledare", ["contact_agent"], answer_group="BBMT")
    resident = platform.identity.principal(platform.log_in(PNR_ANNA, device="web"))
    question = platform.contact.servicer.contact.ask(resident, "Altan", "Behöver jag bygglov?", "web", "bygga-bo")
    agent = platform.identity.principal(platform.log_in(PNR_BENGT, device="web"))
    platform.contact.servicer.desk.close(agent, question.id, "ovrigt")
    sent = str(uuid.uuid4())
    # An application sent 23 h ago: applications' event gives its decision target, an hour from now.
    platform.contact.case_moved(
        sent, [resident.user_id], "submitted", open=True, sent=True, decision_due=datetime.now(UTC) + timedelta(hours=1)
    )

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            wall = logged_in_page(browser, base_url, PNR_BENGT)
            wall.set_viewport_size({"width": 1920, "height": 1080})
            wall.goto(base_url + "/personal/tavla")
            expect(wall.get_by_role("heading", name="Kontaktcenter just nu")).to_be_visible()
            expect(wall.get_by_text("Öppna felanmälningar: 0")).to_be_visible()
            expect(wall.get_by_text(sent[:8])).to_be_visible()  # closest to its 24-hour target
            expect(wall.locator("#wall-cases + ul")).to_contain_text("kvar")
            wall.wait_for_function("() => document.getElementById('wall-board') !== null")

            anna = logged_in_page(browser, base_url, PNR_ANNA)
            anna.goto(f"{base_url}/kontakt/fragor/{question.id}")
            anna.get_by_label("4 – Bra").check()
            anna.get_by_label("Kommentar (frivillig)").fill("Vänligt bemötande på telefon.")
            anna.get_by_role("button", name="Skicka omdöme").click()
            expect(anna.get_by_text("Tack för ditt omdöme!")).to_be_visible()

            # The promise: on the wall within 2 s of the feedback (no reload: the SSE stream).
            expect(wall.get_by_text("Vänligt bemötande på telefon.")).to_be_visible(timeout=2_000)
            expect(wall.locator("#wall-board")).not_to_contain_text("Anna")
            # No scrolling on a 1080p screen.
            assert wall.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
        finally:
            browser.close()
