"""The watch BFF's settings, read once when the app is made (beside fickan_bff.settings, which every
BFF shares). No other module of bff_watch reads the environment."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_bff import settings as bff_settings
from fickan_common.settings import env_int


@dataclass(frozen=True)
class WatchSettings:
    bff: bff_settings.BffSettings
    token_cache_size: int  # watch tokens whose exchange for a service token is remembered


def load() -> WatchSettings:
    return WatchSettings(bff=bff_settings.load(), token_cache_size=env_int("FICKAN_WATCH_TOKEN_CACHE_SIZE", 10_000))
