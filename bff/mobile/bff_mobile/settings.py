"""The mobile BFF's settings, read once when the app is made (beside fickan_bff.settings, which every
BFF shares). No other module of bff_mobile reads the environment."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_bff import settings as bff_settings
from fickan_common.settings import env_int


@dataclass(frozen=True)
class MobileSettings:
    bff: bff_settings.BffSettings
    # Trusted proxies in front: the resident's address (BankID's end_user_ip) is the one they saw.
    proxy_hops: int


def load() -> MobileSettings:
    return MobileSettings(bff=bff_settings.load(), proxy_hops=env_int("FICKAN_PROXY_HOPS", 0))
