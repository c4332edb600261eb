"""What every area of the /v1 endpoints shares: the route registry, the services, times."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import current_app

from bff_mobile.api import Api
from fickan_bff.app import services_of
from fickan_bff.clients import Services

log = logging.getLogger(__name__)

api = Api("mobile_v1", "/v1")

COLLECT_INTERVAL_SECONDS = 2


def services() -> Services:
    return services_of(current_app)


def time_of(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=UTC)


def auto_start_url(auto_start_token: str, return_url: str = "") -> str:
    """The link that opens BankID on this phone (BankID's documented form); without a return URL,
    redirect=null lets BankID return to the app that opened it."""
    redirect = quote(return_url, safe="") if return_url else "null"
    return f"bankid:///?autostarttoken={quote(auto_start_token, safe='')}&redirect={redirect}"
