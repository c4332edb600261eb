"""Inactivity on a running platform whose web sessions end after 35 s without activity and warn
20 s before (so the test is short; the defaults are 30 min and a minute; 20 s is WCAG 2.2.1's
least), in Debian's chromium on a 390 px phone screen: before the end a dialog asks whether to stay
logged in, takes focus, and works by keyboard (Enter stays, Escape stays too); left unanswered, the
step being filled in is saved, the resident is logged out and told so, and after logging in again
what she typed is there."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from fickan_common.testing import fresh_rabbitmq_vhost

from ..conftest import DEMO_RESIDENT, TEARDOWN_STOP_TIMEOUT, _platform
from ..support.browser import logged_in

IDLE = 35
WARN = 20  # FICKAN_WEB_IDLE_WARNING_SECONDS


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory) -> Iterator:  # type: ignore[no-untyped-def]
    with fresh_rabbitmq_vhost() as amqp_uri:
        running = _platform(
            tmp_path_factory.mktemp("platform-idle"),
            amqp_uri,
            settings={"FICKAN_SESSION_IDLE_WEB": str(IDLE), "FICKAN_WEB_IDLE_WARNING_SECONDS": str(WARN)},
        )
        yield running
        running.stop(TEARDOWN_STOP_TIMEOUT)


def test_the_resident_is_warned_stays_by_keyboard_and_loses_nothing_when_the_session_ends(short_sessions, browser):
    web = short_sessions.url("web")
    anna = logged_in(browser, web, DEMO_RESIDENT)  # 390 px wide
    anna.get_by_role("link", name="Ny ansökan").click()
    anna.locator(".card", has_text="Grundansökan").get_by_role("button", name="Starta ansökan").click()
    anna.wait_for_url("**/steg/0")
    app_id = re.search(r"/ansokan/([0-9a-f-]{36})/", anna.url).group(1)
    month = anna.get_by_label("Vilken månad söker du för?")
    month.fill("2026-12")
    month.focus()

    dialog = anna.get_by_role("dialog", name="Vill du fortsätta vara inloggad?")
    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 10) * 1000)
    stay = dialog.get_by_role("button", name="Fortsätt vara inloggad")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text(re.compile(r"Tid kvar: 0:[0-2]\d"))
    assert anna.evaluate("document.documentElement.scrollWidth") <= 390
    anna.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(month).to_be_focused()  # back where she was
    status = anna.evaluate("fetch('/sessionen').then(r => r.json())")
    assert status["logged_in"] and status["ends_in"] > IDLE - 10

    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 10) * 1000)
    anna.keyboard.press("Escape")  # someone is there: that too keeps the session
    expect(dialog).to_be_hidden()

    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 10) * 1000)
    # No answer: the step is saved, then she is logged out and told so.
    anna.wait_for_url("**/logga-in", timeout=(WARN + 10) * 1000)
    expect(anna.get_by_text("Det du skrev i ansökan är sparat")).to_be_visible()

    again = logged_in(browser, web, DEMO_RESIDENT)
    again.goto(web + f"/ansokan/{app_id}/steg/0")
    expect(again.get_by_label("Vilken månad söker du för?")).to_have_value("2026-12")
