"""The first application for ekonomiskt bistånd on the running platform, in Debian's headless chromium:
the resident fills in the grundansökan step by step with her partner as co-applicant and signs with
BankID; the partner signs from his own login; the case worker asks for a completion, the resident
sends it with a file, the case worker approves and schedules the payment, and the resident sees the
decision, the payment day and the messages in her inbox. Every process real, over RabbitMQ and gRPC.
(This is also the thin slice of the foundation: log in, submit, and the inbox message arrives.)"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from ..conftest import DEMO_CO_APPLICANT, DEMO_RESIDENT
from ..support.browser import logged_in

CASE_WORKER = "198501012382"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer(page: Page, question: str, option: str) -> None:
    page.locator("fieldset", has_text=question).get_by_role("radio", name=option, exact=True).check()


def next_step(page: Page, expected_step: int) -> None:
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url(f"**/steg/{expected_step}")


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_first_application_with_co_applicant_through_completion_to_payment_day(platform, browser):
    anna = logged_in(browser, platform.url("web"), DEMO_RESIDENT, width=420)
    anna.get_by_role("link", name="Ny ansökan").click()
    anna.locator(".card", has_text="Grundansökan").get_by_role("button", name="Starta ansökan").click()
    anna.wait_for_url("**/steg/0")
    app_id = re.search(r"/ansokan/([0-9a-f-]{36})/", anna.url).group(1)

    anna.get_by_label("Vilken månad söker du för?").fill("2026-12")
    answer(anna, "Vad gör du just nu?", "Jag är arbetssökande")
    answer(anna, "Är du inskriven hos Arbetsförmedlingen?", "Ja")  # shown by the script at once
    next_step(anna, 1)
    answer(anna, "Bor du med en make, maka eller sambo?", "Ja")
    anna.get_by_label("Din partners personnummer").fill("19900102-2384")
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
    expect(anna.get_by_role("heading", name="Sammanfattning", level=1)).to_be_visible()
    expect(anna.get_by_text("19900102-****")).to_be_visible()  # the partner's number is kept only masked
    expect(anna.get_by_text("Preliminär beräkning")).to_be_visible()
    anna.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    expect(anna.locator("#bankid-qr svg")).to_be_visible()
    # The simulated person opens BankID (the order names her) and signs; the page moves on by itself.
    anna.wait_for_url(re.compile(rf".*/ansokan/{app_id}$"), timeout=30_000)
    expect(anna.get_by_text("Väntar på underskrift från medsökande").first).to_be_visible()

    sara = logged_in(browser, platform.url("web"), DEMO_CO_APPLICANT, width=420)
    expect(sara.get_by_text("Skriv under ansökan med ditt BankID.").first).to_be_visible()
    sara.goto(platform.url("web") + f"/ansokan/{app_id}")
    expect(sara.get_by_role("heading", name="Din underskrift behövs")).to_be_visible()
    sara.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    sara.wait_for_url(re.compile(rf".*/ansokan/{app_id}$"), timeout=30_000)

    karin = logged_in(browser, platform.url("web"), CASE_WORKER, width=420)
    karin.get_by_role("link", name="Personal").click()
    karin.get_by_role("link", name="Ärenden").click()
    deadline = time.monotonic() + 30  # the worker receives the case over RabbitMQ
    while not karin.locator(f"a[href$='{app_id}']").count() and time.monotonic() < deadline:
        time.sleep(0.5)
        karin.reload()
    karin.locator(f"a[href$='{app_id}']").click()
    expect(karin.get_by_role("heading", name=re.compile("Förslag till beslut"))).to_be_visible()
    expect(karin.get_by_text("Att du öppnade ärendet är loggat.")).to_be_visible()
    karin.get_by_label("Vad saknas").fill("Lönebesked för november")
    karin.get_by_role("button", name="Skicka begäran").click()
    expect(karin.get_by_text("Begäran om komplettering är skickad.")).to_be_visible()

    anna.reload()
    expect(anna.get_by_role("heading", name="Komplettering behövs")).to_be_visible()
    expect(anna.get_by_text("Lönebesked för november")).to_be_visible()
    anna.get_by_label("Meddelande till handläggaren").fill("Här är lönebeskedet.")
    anna.get_by_label("Underlag").set_input_files(pdf("lonebesked.pdf"))
    anna.get_by_role("button", name="Skicka kompletteringen").click()
    expect(anna.get_by_text("Tack! Kompletteringen är skickad.")).to_be_visible()

    karin.reload()
    answer(karin, "Beslut", "Beviljad")
    karin.get_by_role("button", name="Fatta beslut").click()
    expect(karin.get_by_text("Beslutet är fattat.")).to_be_visible()
    karin.get_by_role("button", name="Planera utbetalning").click()
    expect(karin.get_by_text("Utbetalningen är planerad.")).to_be_visible()

    anna.reload()
    decision = anna.locator("section", has=anna.get_by_role("heading", name="Beslut", exact=True))
    expect(decision).to_contain_text("Beviljad")
    expect(decision).to_contain_text("betalas ut")
    # on a payment day the worker may already have paid it
    expect(anna.get_by_text(re.compile("Beviljad – utbetalning planerad|Utbetald|Avslutad")).first).to_be_visible()
    timeline = anna.locator("ol.timeline")
    for step in ("skickad till kommunen", "mer underlag", "skickat in kompletteringen", "Beslut: Beviljad"):
        expect(timeline).to_contain_text(step)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        anna.goto(platform.url("web") + "/inkorg")
        if anna.get_by_text("Utbetalning planerad").count():
            break
        time.sleep(0.5)
    for subject in (
        "Vi har tagit emot din ansökan",
        "Vi behöver mer underlag",
        "Beslut om din ansökan",
        "Utbetalning planerad",
    ):
        expect(anna.get_by_text(subject).first).to_be_visible()
    anna.screenshot(path=str(platform.var / "inbox-after-decision.png"), full_page=True)
