"""A browser without JavaScript on the web BFF (requests), for end-to-end tests that need no page
rendering: logging in at the BankID simulator and reading a form's hidden fields."""

from __future__ import annotations

import re
import time

import requests


def web_login(web: str, personal_number: str) -> requests.Session:
    """Logs in with a personnummer at the simulator, as a browser without JavaScript would."""
    browser = requests.Session()
    form = browser.get(f"{web}/logga-in", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    browser.post(f"{web}/logga-in", data={"personal_number": personal_number, "csrf_token": csrf}, timeout=10)
    for _ in range(50):
        page = browser.get(f"{web}/logga-in/vantar", timeout=10, allow_redirects=False)
        if page.status_code == 302 and page.headers["Location"].endswith("/mina-sidor"):
            return browser
        time.sleep(0.2)
    raise AssertionError("web login never completed")


def form_fields(page: str, action_ends_with: str) -> dict[str, str]:
    """The hidden fields of the form whose action ends with `action_ends_with`."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S):
        action = re.search(r'action="([^"]*)"', form)
        if action and action.group(1).endswith(action_ends_with):
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form posting to …{action_ends_with}")
