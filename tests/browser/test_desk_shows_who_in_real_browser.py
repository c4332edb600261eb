"""The desk shows who, on the running platform in Debian's chromium on a 390 px screen: the unit's
case worker sees the applicant's name, masked personnummer, household and time left in the queue and
on the case (in staff wording: "Sökandes svar"); a case worker of another unit, a contact-centre
agent and the resident herself do not; and every read by the case worker is in the resident's
access log, while the refusals left nothing there."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from ..conftest import DEMO_RESIDENT
from ..support.browser import logged_in, send_first_application

CASE_WORKER = "198501012382"  # Karin Handläggare, ekonomiskt-bistand
OTHER_UNIT = "198501022381"  # Olle Annanenhet, aldreomsorg
AGENT = "198501032380"  # Vera Vägledare


def test_names_reach_the_units_case_worker_only_and_each_read_is_logged(platform, browser):
    web = platform.url("web")
    anna = logged_in(browser, web, DEMO_RESIDENT)
    anna.goto(web + "/mina-sidor/atkomstlogg")
    # Other tests of the session may have had Vera read Anna's things for good reasons: count hers.
    veras_before = anna.locator("main").inner_text().count("Vera Vägledare")
    anna.goto(web + "/mina-sidor")
    app_id = send_first_application(anna)

    karin = logged_in(browser, web, CASE_WORKER)
    karin.get_by_role("link", name="Personal").click()
    karin.get_by_role("link", name="Ärenden").click()
    row = karin.locator("tr", has=karin.locator(f"a[href$='{app_id}']"))
    deadline = time.monotonic() + 30  # the case is received over RabbitMQ
    while not row.count() and time.monotonic() < deadline:
        time.sleep(0.5)
        karin.reload()
    expect(row).to_contain_text("Anna Andersson")
    expect(row).to_contain_text("19900101-****")
    expect(row).to_contain_text("1 vuxen, inga barn")
    expect(row).to_contain_text("kvar")
    queue = karin.get_by_role("region", name="Ärenden")
    expect(queue).to_be_visible()  # the wide table scrolls in its own region, by keyboard too
    assert karin.evaluate("document.documentElement.scrollWidth") <= 390

    row.get_by_role("link").click()
    who = karin.get_by_role("region", name="Vem ärendet gäller")
    expect(who).to_contain_text("Anna Andersson, 19900101-****")
    expect(who).to_contain_text("1 vuxen, inga barn")
    expect(karin.get_by_role("heading", name="Sökandes svar")).to_be_visible()
    expect(karin.get_by_role("heading", name="Dina svar")).to_have_count(0)

    olle = logged_in(browser, web, OTHER_UNIT)
    olle.goto(web + "/personal/arenden")
    expect(olle.get_by_text("Anna Andersson")).to_have_count(0)
    assert olle.goto(web + f"/personal/arenden/{app_id}").status == 403
    expect(olle.get_by_text("Anna Andersson")).to_have_count(0)
    vera = logged_in(browser, web, AGENT)
    assert vera.goto(web + "/personal/arenden").status == 403
    assert anna.goto(web + "/personal/arenden").status == 403

    log = anna.locator("table")
    deadline = time.monotonic() + 30  # identity keeps the log from the applications service's events
    while time.monotonic() < deadline:
        anna.goto(web + "/mina-sidor/atkomstlogg")
        text = log.inner_text() if log.count() else ""
        if "namn, personnummer och svar" in text and "enhetens ärendelista" in text:
            break
        time.sleep(0.5)
    expect(log).to_contain_text("Karin Handläggare")
    expect(log).to_contain_text("Namn och personnummer i enhetens ärendelista")
    expect(log).to_contain_text("namn, personnummer och svar")
    expect(log).not_to_contain_text("Olle Annanenhet")
    assert log.inner_text().count("Vera Vägledare") == veras_before  # her refusal read nothing
