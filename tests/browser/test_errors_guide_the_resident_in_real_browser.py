"""Errors that guide, in Debian's chromium on a 390 px phone screen: continuing a step with nothing
answered keeps the resident on the step with an error summary (focused) that names every missing
question in its own words; its link takes focus to the field. The summary page lists what is still
missing, by name, before anything can be signed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..conftest import DEMO_RESIDENT
from ..support.browser import logged_in


def test_a_step_continued_unanswered_names_each_question_and_leads_to_it(platform, browser):
    web = platform.url("web")
    phone = logged_in(browser, web, DEMO_RESIDENT)  # 390 px wide
    phone.get_by_role("link", name="Ny ansökan").click()
    phone.locator(".card", has_text="Grundansökan").get_by_role("button", name="Starta ansökan").click()
    phone.wait_for_url("**/steg/0")
    app_id = re.search(r"/ansokan/([0-9a-f-]{36})/", phone.url).group(1)

    phone.get_by_role("button", name="Spara och fortsätt", exact=True).click()

    summary = phone.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Ange vilken månad du söker för.")).to_be_visible()
    expect(summary.get_by_role("link", name="Svara på frågan: Vad gör du just nu?")).to_be_visible()
    assert summary.get_by_role("link").count() == len(set(summary.get_by_role("link").all_inner_texts()))
    expect(phone.locator("#falt-period-error")).to_have_text("Ange vilken månad du söker för.")

    summary.get_by_role("link", name="Ange vilken månad du söker för.").click()
    expect(phone.get_by_label("Vilken månad söker du för?")).to_be_focused()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing sideways on a phone

    phone.goto(web + f"/ansokan/{app_id}/steg/8")
    summary = phone.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Ladda upp: Kontoutdrag för de senaste tre månaderna")).to_be_visible()
    summary.get_by_role("link", name="Ange vilken månad du söker för.").click()
    phone.wait_for_url(re.compile(r".*/steg/0#falt-period$"))
