"""Live on the running platform, in Debian's headless chromium: the resident has her case page open,
the case worker decides in another browser context, and the decision appears on her page without a
reload within 2 s; the real SMTP server (aiosmtpd) and the Web Push service double (web-push-testing,
VAPID checked, payload decrypted) each get exactly one notice for it. Every process real."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from fickan_common.testing import SmtpSink, WebPushTestingService, fresh_rabbitmq_vhost

from ..conftest import DEMO_RESIDENT, TEARDOWN_STOP_TIMEOUT, Platform, _platform
from ..support.browser import logged_in

CASE_WORKER = "198501012382"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTICE = "Nytt meddelande från Fickan"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().up()
    yield sink
    sink.down()


@pytest.fixture(scope="module")
def push_service() -> Iterator[WebPushTestingService]:
    service = WebPushTestingService()
    if not service.available():
        pytest.fail("web-push-testing is not installed: run scripts/ensure_test_services.sh")
    yield service.start()
    service.stop()


@pytest.fixture(scope="module")
def live_platform(tmp_path_factory, smtp: SmtpSink, push_service: WebPushTestingService) -> Iterator[Platform]:
    """The whole platform, its notifications mailing to the test's SMTP server and allowed to push
    to the local Web Push double over plain http."""
    settings = {
        "FICKAN_SMTP_PORT": str(smtp.port),
        "FICKAN_PUSH_ALLOW_HTTP_HOSTS": f"localhost:{push_service.port}",
        "FICKAN_DELIVERY_INTERVAL": "0.2",
        "FICKAN_STREAM_HEARTBEAT": "5",
    }
    with fresh_rabbitmq_vhost() as amqp_uri:
        running = _platform(tmp_path_factory.mktemp("live-platform"), amqp_uri, settings=settings)
        yield running
        running.stop(TEARDOWN_STOP_TIMEOUT)


def answer(page: Page, question: str, option: str) -> None:
    page.locator("fieldset", has_text=question).get_by_role("radio", name=option, exact=True).check()


def next_step(page: Page, expected_step: int) -> None:
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url(f"**/steg/{expected_step}")


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def notices(smtp: SmtpSink) -> list:
    return [m for m in smtp.received() if m["Subject"] == NOTICE]


def wait_for(count, expected: int, timeout: float = 15.0) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and count() < expected:
        time.sleep(0.2)
    return count()


def test_a_decision_appears_on_the_open_case_page_and_is_mailed_and_pushed_once(
    live_platform: Platform, browser, smtp: SmtpSink, push_service: WebPushTestingService
) -> None:  # type: ignore[no-untyped-def]
    web = live_platform.url("web")
    anna = logged_in(browser, live_platform.url("web"), DEMO_RESIDENT)

    # Her choices: e-mail to a confirmed address, push to this device, even in quiet hours.
    anna.get_by_role("link", name="Aviseringar").click()
    anna.get_by_label("E-postadress").fill("anna@example.se")
    anna.get_by_label("Skicka ändå under tysta timmar").check()
    anna.get_by_role("button", name="Spara").click()
    expect(anna.get_by_text("Vi har skickat ett mejl")).to_be_visible()
    wait_for(lambda: len([m for m in smtp.received() if m["To"] == "anna@example.se"]), 1)
    [confirmation] = [m for m in smtp.received() if m["To"] == "anna@example.se"]
    link = re.search(r"http://\S+/mina-sidor/aviseringar/bekrafta\?token=\S+", confirmation.get_content()).group(0)
    anna.goto(link)
    anna.get_by_role("button", name="Bekräfta adressen").click()
    expect(anna.get_by_text("Adressen är bekräftad.").first).to_be_visible()
    # The push: this headless browser has no push service of its own, so the double hands out the
    # subscription (for the application server key the page offers) and the page registers it the
    # way its "turn on notifications" button does after PushManager.subscribe.
    key = anna.locator("#push-panel").get_attribute("data-vapid-key")
    subscription = push_service.subscribe(key)
    registered = anna.evaluate(
        """async (sub) => {
            const form = new FormData();
            form.append("csrf_token", document.querySelector("input[name='csrf_token']").value);
            form.append("endpoint", sub.endpoint);
            form.append("p256dh", sub.keys.p256dh);
            form.append("auth", sub.keys.auth);
            const answer = await fetch("/mina-sidor/aviseringar/push", {method: "POST", body: form});
            return answer.status;
        }""",
        subscription,
    )
    assert registered == 201

    # A first application, without a partner, signed with BankID.
    anna.goto(web + "/mina-sidor")
    anna.get_by_role("link", name="Ny ansökan").click()
    anna.locator(".card", has_text="Grundansökan").get_by_role("button", name="Starta ansökan").click()
    anna.wait_for_url("**/steg/0")
    app_id = re.search(r"/ansokan/([0-9a-f-]{36})/", anna.url).group(1)
    anna.get_by_label("Vilken månad söker du för?").fill("2026-12")
    answer(anna, "Vad gör du just nu?", "Jag är arbetssökande")
    answer(anna, "Är du inskriven hos Arbetsförmedlingen?", "Ja")
    next_step(anna, 1)
    answer(anna, "Bor du med en make, maka eller sambo?", "Nej")
    next_step(anna, 2)
    answer(anna, "Hur bor du?", "Hyresrätt med eget kontrakt")
    anna.get_by_label("Hyra eller avgift per månad (kr)").fill("6500")
    anna.get_by_label("Hushållsel per månad (kr)").fill("300")
    next_step(anna, 3)
    answer(anna, "Har någon i hushållet inkomster den här månaden?", "Nej")
    next_step(anna, 4)
    answer(anna, "Har någon i hushållet pengar på banken", "Nej")
    next_step(anna, 5)
    next_step(anna, 6)
    anna.get_by_label("Kontoutdrag för de senaste tre månaderna").set_input_files(pdf("kontoutdrag.pdf"))
    anna.get_by_label("Hyreskontrakt").set_input_files(pdf("hyreskontrakt.pdf"))
    anna.get_by_label("Den senaste hyresavin").set_input_files(pdf("hyresavi.pdf"))
    next_step(anna, 7)
    answer(anna, "Jag samtycker till att kommunen hämtar uppgifter", "Ja")
    answer(anna, "Jag intygar på heder och samvete", "Ja")
    next_step(anna, 8)
    anna.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    anna.wait_for_url(re.compile(rf".*/ansokan/{app_id}$"), timeout=30_000)
    # Her case page stays open from here on: never reloaded, never navigated.
    anna.wait_for_function("document.body.hasAttribute('data-live-url')")
    anna.evaluate("window.__notReloaded = true")

    karin = logged_in(browser, live_platform.url("web"), CASE_WORKER)
    karin.goto(web + "/personal/arenden")
    deadline = time.monotonic() + 30
    while not karin.locator(f"a[href$='{app_id}']").count() and time.monotonic() < deadline:
        time.sleep(0.5)
        karin.reload()
    karin.locator(f"a[href$='{app_id}']").click()
    expect(karin.get_by_role("heading", name=re.compile("Förslag till beslut"))).to_be_visible()

    time.sleep(1.0)  # let the receipts of the submission be mailed and pushed first
    mails_before = wait_for(lambda: len(notices(smtp)), 1)
    pushes_before = len(push_service.messages(subscription["clientHash"]))
    decision = anna.locator("section", has=anna.get_by_role("heading", name="Beslut", exact=True))
    expect(decision).to_have_count(0)

    answer(karin, "Beslut", "Beviljad")
    karin.get_by_role("button", name="Fatta beslut").click()
    expect(karin.get_by_text("Beslutet är fattat.")).to_be_visible()
    decided_at = time.monotonic()

    expect(decision).to_contain_text("Beviljad", timeout=2_000)
    seen_after = time.monotonic() - decided_at
    assert seen_after <= 2.0, f"the decision showed after {seen_after:.2f} s"
    assert anna.evaluate("window.__notReloaded") is True  # the same document: no reload happened
    expect(anna.locator("#live-status")).to_contain_text("uppdaterats")

    # Exactly one e-mail and one push for the decision: wait for it, then a while longer for a second.
    assert wait_for(lambda: len(notices(smtp)), mails_before + 1) == mails_before + 1
    assert (
        wait_for(lambda: len(push_service.messages(subscription["clientHash"])), pushes_before + 1) == pushes_before + 1
    )
    time.sleep(3.0)
    mails = notices(smtp)
    pushes = push_service.messages(subscription["clientHash"])
    assert len(mails) == mails_before + 1
    assert len(pushes) == pushes_before + 1
    newest_mail = mails[-1].get_content()
    assert f"/ansokan/{app_id}" in newest_mail and "Beviljad" not in newest_mail and " kr" not in newest_mail
    newest_push = json.loads(pushes[-1])
    assert newest_push["url"].endswith(f"/ansokan/{app_id}") and newest_push["body"] == "Du har ett nytt meddelande."
    anna.screenshot(path=str(live_platform.var / "decision-appeared-live.png"), full_page=True)


def test_the_notifications_page_works_on_a_phone_by_keyboard_with_named_fields_and_guiding_errors(
    live_platform: Platform, browser
) -> None:  # type: ignore[no-untyped-def]
    page = logged_in(browser, live_platform.url("web"), DEMO_RESIDENT)
    page.goto(live_platform.url("web") + "/mina-sidor/aviseringar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways at 390 px
    # Every choice has a name a screen reader says: the kind and the channel.
    expect(page.get_by_role("checkbox", name="Beslut E-post")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Utbetalningar Push")).to_be_visible()
    expect(page.get_by_label("Tyst från")).to_be_visible()
    # The script offers the push button (the browser can take push); without it, the page says why.
    expect(page.get_by_role("button", name="Slå på aviseringar")).to_be_visible()
    expect(page.locator("#push-unsupported")).to_be_hidden()
    # Keyboard: the e-mail field is reached by Tab and the form is sent with Enter.
    page.locator("#push-enable").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-postadress")).to_be_focused()
    page.keyboard.type("inte en adress")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("E-postadress")).to_be_focused()
    expect(page.get_by_label("E-postadress")).to_have_attribute("aria-invalid", "true")
