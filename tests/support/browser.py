"""Debian's chromium as Playwright drives it in the cross-service browser tests (no downloaded
browser: its executable path is set, and the flags keep it off the network)."""

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
