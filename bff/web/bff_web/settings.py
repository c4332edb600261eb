"""The web BFF's settings, read once when the app is made (beside fickan_bff.settings, which every
BFF shares). No other module of bff_web reads the environment."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_bff import settings as bff_settings
from fickan_common.settings import env_bool, env_int, env_str

IDLE_WARNING_MIN = 20  # seconds: WCAG 2.2.1's least time to answer


@dataclass(frozen=True)
class WebSettings:
    bff: bff_settings.BffSettings
    secret_key: str  # Flask's; "" makes a random one (sessions end when the process restarts)
    session_keys: str  # Fernet keys, comma separated, newest first; "" makes a random one
    secure_cookies: bool  # HTTPS-only cookies (production)
    proxy_hops: int  # trusted proxies in front (X-Forwarded-*)
    timezone: str  # dates and times on the pages
    bankid_simulator_url: str  # shown on the login page of a test platform only
    # How long before an idle session ends the resident is asked whether to stay (WCAG 2.2.1 asks
    # for at least 20 seconds to answer).
    idle_warning_seconds: int


def load() -> WebSettings:
    return WebSettings(
        bff=bff_settings.load(),
        secret_key=env_str("FICKAN_WEB_SECRET_KEY", ""),
        session_keys=env_str("FICKAN_WEB_SESSION_KEY", ""),
        secure_cookies=env_bool("FICKAN_WEB_SECURE_COOKIES", False),
        proxy_hops=env_int("FICKAN_WEB_PROXY_HOPS", 0),
        timezone=env_str("FICKAN_WEB_TIMEZONE", "Europe/Stockholm"),
        bankid_simulator_url=env_str("FICKAN_WEB_BANKID_SIMULATOR_URL", ""),
        idle_warning_seconds=env_int("FICKAN_WEB_IDLE_WARNING_SECONDS", 60, minimum=IDLE_WARNING_MIN),
    )
