"""Comparisons and guides on the running platform (insights with its labelled demo figures), in
Debian's headless chromium: a resident picks comparison municipalities and sees the chart and the
table, on a 390 px phone without sideways scrolling of the page; a resident walks the "har förlorat
jobbet" guide and lands in the ekonomiskt bistånd e-service."""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import DEMO_RESIDENT


def test_a_resident_chooses_comparison_municipalities_and_sees_chart_and_table(platform, browser):
    page = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844}).new_page()
    page.goto(platform.url("web") + "/")
    page.get_by_role("link", name="Jämför kommunen").first.click()
    expect(page.get_by_text("Demodata.").first).to_be_visible()
    page.get_by_role("link", name="Grundskola").click()
    expect(page.get_by_role("heading", name="Jämför: Grundskola")).to_be_visible()

    page.get_by_role("radio", name="Kommuner i närheten").check()
    page.get_by_role("button", name="Visa jämförelsen").click()
    boxes = page.locator("#kommuner").get_by_role("checkbox")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    page.get_by_role("checkbox", name="Höganäs").check()
    page.get_by_role("checkbox", name="Ängelholm").check()
    page.get_by_role("button", name="Visa jämförelsen").click()

    expect(page.get_by_role("img", name="Diagram: Elever i åk 9 som är behöriga till yrkesprogram")).to_be_visible()
    table = page.get_by_role(
        "table", name="Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%), per år"
    )
    expect(table).to_be_visible()
    names = [n.strip() for n in table.locator("tbody th").all_inner_texts()]
    assert names[:3] == ["Helsingborg (vår kommun)", "Höganäs", "Ängelholm"] or names[1:3] == ["Höganäs", "Ängelholm"]
    assert "Lund" not in names and "Riket" in names
    expect(page.get_by_text("Demodata.").first).to_be_visible()
    # WCAG reflow: at 390 px the page itself never scrolls sideways (the table scrolls in its own region).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_resident_walks_the_lost_job_guide_into_the_ekonomiskt_bistand_e_service(platform, browser):
    page = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(platform.url("web") + "/logga-in")
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(DEMO_RESIDENT)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url("**/mina-sidor", timeout=20_000)

    page.goto(platform.url("web") + "/")
    page.get_by_role("link", name="Har förlorat jobbet").click()
    page.get_by_role("button", name="Starta guiden: Du har förlorat jobbet").click()
    for question, option in (
        ("Har du anmält dig som arbetssökande", "Ja, jag är anmäld"),
        ("Får du ersättning från a-kassan", "Nej, jag får ingen ersättning"),
        ("Har du pengar till hyra, mat och räkningar", "Nej, pengarna räcker inte"),
    ):
        fieldset = page.get_by_role("group", name=question)
        expect(fieldset).to_be_visible()
        fieldset.get_by_role("radio", name=option, exact=True).check()
        page.get_by_role("button", name="Nästa").click()

    expect(page.get_by_role("heading", name="Sök ekonomiskt bistånd")).to_be_visible()
    page.get_by_role("link", name="Ansök om ekonomiskt bistånd").click()
    page.wait_for_url("**/e-tjanster")
    expect(page.get_by_role("heading", name="Ekonomiskt bistånd").first).to_be_visible()
