"""The privacy page on the running platform in Debian's chromium on a 390 px phone: reached from the
footer by keyboard, it says how long applications keeps drafts and cases — the numbers the
applications service was started with (tests/conftest.py), not copies — under proper headings,
without sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_privacy_page_is_reached_from_the_footer_and_shows_the_services_settings(platform, browser):
    page = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844}).new_page()
    page.goto(platform.url("web") + "/")
    link = page.get_by_role("contentinfo").get_by_role("link", name="Integritet och gallring")
    link.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Integritet: hur länge vi sparar dina uppgifter")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Påbörjade ansökningar")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Avslutade ärenden")).to_be_visible()
    expect(page.locator("#privacy-draft-days")).to_contain_text("sparat på 41 dagar")
    expect(page.locator("#privacy-case-months")).to_contain_text("i 27 månader")
    expect(page.get_by_text("inkorgen 7 dagar innan")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways at 390 px

    page.goto(platform.url("web") + "/integritet?lang=en")
    expect(page.get_by_role("heading", level=1, name="Privacy: how long we keep your data")).to_be_visible()
    expect(page.locator("#privacy-draft-days")).to_contain_text("saved for 41 days")
