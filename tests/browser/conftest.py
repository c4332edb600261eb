"""What every browser test shares: Debian's headless chromium, launched once per test."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from ..support.browser import ARGS, CHROMIUM


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    with sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield running
        running.close()
