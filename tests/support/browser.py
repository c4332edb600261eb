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
