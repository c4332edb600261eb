from __future__ import annotations

from dataclasses import dataclass

from fickan_common.settings import ServiceSettings, env_int, env_str

NAME = "contact"


@dataclass(frozen=True)
class ContactSettings:
    """Everything contact is set with, read once at start (the api, the worker, the migrate step)."""

    service: ServiceSettings
    # The contact centre's groups, topics, reasons and routing rules; empty = the packaged file.
    centre_file: str
    # Questions from people not logged in, per address and per reply address, per hour.
    guest_per_address_per_hour: int
    guest_per_reply_address_per_hour: int
    # Fault reports' kinds, group and area; empty = the packaged data/fault_reports.json.
    fault_file: str = ""
    # Open311 clients' api keys, "name=key" separated by commas (a key alone is named "open311").
    open311_api_keys: str = ""


def load() -> ContactSettings:
    return ContactSettings(
        service=ServiceSettings.from_env(NAME, grpc_port=50054, metrics_port=9104),
        centre_file=env_str("FICKAN_CONTACT_CENTRE_FILE", ""),
        guest_per_address_per_hour=env_int("FICKAN_CONTACT_GUEST_PER_ADDRESS_PER_HOUR", 5),
        guest_per_reply_address_per_hour=env_int("FICKAN_CONTACT_GUEST_PER_REPLY_ADDRESS_PER_HOUR", 3),
        fault_file=env_str("FICKAN_CONTACT_FAULT_FILE", ""),
        open311_api_keys=env_str("FICKAN_CONTACT_OPEN311_API_KEYS", ""),
    )
