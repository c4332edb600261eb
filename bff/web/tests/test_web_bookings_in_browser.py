"""Two residents in two browser contexts of Debian's chromium book the same time at the same moment
(the web pages on a werkzeug server, the real services behind them): exactly one booking
exists afterwards, and the other page says why and shows the next free times."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import PNR_ANNA, PNR_BO, Platform
from playwright import sync_api
from sqlalchemy import func, select
from test_web_browser_smoke import ARGS, CHROMIUM
from werkzeug.serving import make_server

from bff_web.app import create_app
from contact.store import Booking

SERVICE = "Budget- och skuldrådgivning"


@pytest.fixture
def base_url(platform: Platform) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(platform.services()), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def logged_in_page(browser, base_url: str, personal_number: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="sv-SE").new_page()
    page.goto(base_url + "/logga-in")
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(personal_number)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url("**/mina-sidor", timeout=15_000)
    return page


def test_two_residents_take_the_same_time_at_once_and_exactly_one_gets_it(platform: Platform, base_url: str) -> None:
    expect = sync_api.expect
    day = (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)).date()
    first, *_ = platform.contact.publish_times(SERVICE, day, start="09:00", end="10:30")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pages = [logged_in_page(browser, base_url, pnr) for pnr in (PNR_ANNA, PNR_BO)]
            for page in pages:
                page.goto(base_url + "/radgivning?tjanst=" + SERVICE)
                expect(page.locator("[data-slot]")).to_have_count(3)
            # Both press "Boka" on 09:00 at once: the forms are sent without waiting for each other.
            for page in pages:
                page.evaluate("slot => document.querySelector(`[data-slot='${slot}'] form`).requestSubmit()", first)
            for page in pages:
                page.wait_for_load_state("load")
                expect(page.locator("h1")).to_be_visible()
            won = [p for p in pages if p.url.endswith("/radgivning/bokningar")]
            lost = [p for p in pages if not p.url.endswith("/radgivning/bokningar")]
            assert len(won) == 1 and len(lost) == 1, [p.url for p in pages]
            expect(won[0].get_by_text("Tiden är bokad.")).to_be_visible()
            summary = lost[0].locator(".error-summary")
            expect(summary).to_contain_text("Tiden hann bokas av någon annan.")
            expect(summary).to_contain_text("Nästa lediga tider:")
            expect(summary).to_contain_text("kl. 09:30")
            expect(lost[0].locator("[data-slot]")).to_have_count(2)  # the next free times, to book at once
            expect(lost[0].locator(f"[data-slot='{first}']")).to_have_count(0)
        finally:
            browser.close()
    with platform.contact.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Booking).where(Booking.slot_id == first)) == 1


def test_a_case_worker_adds_an_extra_time_on_a_phone_and_the_error_leads_to_its_field(
    platform: Platform, base_url: str
) -> None:
    """The staff page at 390 px: nothing sideways; an overlapping extra time is refused with the error
    summary in focus, its link moves focus to the field; a good one shows in her day."""
    expect = sync_api.expect
    pnr = "198501012382"  # a test number of Skatteverket's
    platform.identity.give_roles(pnr, "Karin Handläggare", ["case_worker"], unit="ekonomiskt-bistand")
    day = (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)).date().isoformat()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = logged_in_page(browser, base_url, pnr)
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{base_url}/personal/radgivning?dag={day}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            def add(start: str, end: str) -> None:
                page.get_by_label("Video").nth(0).check()  # the extra-time form comes first
                page.locator("#extra_date").fill(day)
                page.locator("#extra_start_time").fill(start)
                page.locator("#extra_end_time").fill(end)
                page.get_by_role("button", name="Lägg till tiden").click()
                page.wait_for_load_state("load")

            add("10:00", "10:30")
            expect(page.get_by_text("Den extra tiden är publicerad.")).to_be_visible()
            expect(page.locator("[data-advisor-day]")).to_contain_text("10:00–10:30")
            add("10:15", "10:45")
            summary = page.locator(".error-summary")
            expect(summary).to_contain_text("krockar med en tid du redan har")
            expect(summary).to_be_focused()
            summary.get_by_role("link").first.click()
            expect(page.locator("#extra_start_time")).to_be_focused()
            expect(page.locator("#extra_start_time")).to_have_attribute("aria-invalid", "true")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()
