"""The contact centre's promise, in Debian's chromium with every process real: a resident with a case
asks about her application and sees its status first; the question is routed to ÄSSF and linked to
her case; Vera (contact agent, ÄSSF) sees the case's status beside it, replies and closes it with the
reason "Status på ansökan" (unnecessary); the reply appears on the resident's open page without a
reload; the statistics count the unnecessary contact."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..conftest import DEMO_RESIDENT
from ..e2e.test_contact_centre_one_way_in import VERA, contact_knows_case, wait_until
from ..support.browser import logged_in
from ..support.mobile import MobileClient


def test_a_question_about_her_case_is_answered_live_and_counted_as_unnecessary(platform, browser):
    mobile = MobileClient(platform.url("mobile"))
    case = mobile.submit_application(mobile.login(DEMO_RESIDENT))
    wait_until(lambda: contact_knows_case(platform, case["id"]), "contact learns of the case from applications")

    anna = logged_in(browser, platform.url("web"), DEMO_RESIDENT)
    anna.goto(platform.url("web") + "/kontakt")
    expect(anna.get_by_role("heading", name="Det här kanske är svaret du söker")).to_be_visible()
    anna.get_by_label("Rubrik").fill("Min ansökan")
    anna.get_by_label("Din fråga").fill("Har min ansökan om ekonomiskt bistånd blivit beslutad?")
    anna.get_by_role("button", name="Skicka", exact=True).click()
    anna.wait_for_url(re.compile(r".*/kontakt/fragor/[0-9a-f-]{36}$"))
    question_id = anna.url.rsplit("/", 1)[1]
    expect(anna.get_by_text("Äldreomsorg, stöd och sociala frågor")).to_be_visible()

    vera = logged_in(browser, platform.url("web"), VERA, width=1280)
    vera.goto(platform.url("web") + f"/personal/kontakt/{question_id}")
    expect(vera.get_by_role("heading", name="Invånarens ärende")).to_be_visible()
    vera.get_by_label("Svar", exact=True).fill("Din ansökan är mottagen. Du får beslut inom 24 timmar.")
    vera.get_by_role("button", name="Skicka svar").click()
    expect(vera.get_by_text("Svaret är skickat till invånaren.")).to_be_visible()
    vera.get_by_role("radio", name=re.compile("^Status på ansökan")).check()
    vera.get_by_role("button", name="Avsluta frågan").click()
    expect(vera.get_by_text("Frågan är avslutad.").first).to_be_visible()

    # Anna's page has stayed open all along: the answer comes to it over the live stream.
    expect(anna.get_by_text("Du får beslut inom 24 timmar.")).to_be_visible(timeout=15_000)

    vera.goto(platform.url("web") + "/personal/kontakt/statistik")
    expect(vera.get_by_text(re.compile(r"\d+ kontakter, varav [1-9]\d* onödiga"))).to_be_visible()
    expect(vera.get_by_role("row", name=re.compile("Status på ansökan"))).to_be_visible()
