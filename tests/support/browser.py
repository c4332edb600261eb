"""Debian's chromium as Playwright drives it in the cross-service browser tests (no downloaded
browser: its executable path is set, and the flags keep it off the network), and the steps the
tests share: logging in, and sending a first application."""

import re

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def logged_in(browser, web: str, personal_number: str, width: int = 390):  # type: ignore[no-untyped-def]
    """A new page of its own context, logged in at the BankID simulator by personnummer (Swedish,
    a phone's width unless told otherwise)."""
    page = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 900}).new_page()
    page.goto(web + "/logga-in")
    page.get_by_text("Logga in med personnummer i stället").click()
    page.get_by_label("Personnummer").fill(personal_number)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url("**/mina-sidor", timeout=20_000)
    return page


def answer(page, question: str, option: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("fieldset", has_text=question).get_by_role("radio", name=option, exact=True).check()


def next_step(page, expected_step: int) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url(f"**/steg/{expected_step}")


def send_first_application(anna) -> str:  # type: ignore[no-untyped-def]
    """The grundansökan of a resident living alone, filled in, with three files, signed; its id."""
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
    anna.get_by_label("Hyra eller avgift per månad (kr)").fill("6850")
    next_step(anna, 3)
    answer(anna, "Har någon i hushållet inkomster den här månaden?", "Nej")
    next_step(anna, 4)
    answer(anna, "Har någon i hushållet pengar på banken", "Nej")
    next_step(anna, 5)
    next_step(anna, 6)
    for label, name in (
        ("Kontoutdrag för de senaste tre månaderna", "kontoutdrag-nov.pdf"),
        ("Hyreskontrakt", "hyreskontrakt.pdf"),
        ("Den senaste hyresavin", "hyresavi-dec.pdf"),
    ):
        anna.get_by_label(label).set_input_files({"name": name, "mimeType": "application/pdf", "buffer": PDF})
    next_step(anna, 7)
    answer(anna, "Jag samtycker till att kommunen hämtar uppgifter", "Ja")
    answer(anna, "Jag intygar på heder och samvete", "Ja")
    next_step(anna, 8)
    anna.get_by_role("button", name="Skriv under med BankID på annan enhet").click()
    anna.wait_for_url(re.compile(rf".*/ansokan/{app_id}$"), timeout=30_000)
    return app_id
