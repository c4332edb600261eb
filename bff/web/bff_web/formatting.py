"""Dates for people: protobuf timestamps shown in Swedish time as ISO dates (2026-03-12)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.timestamp_pb2 import Timestamp

ZONE: tzinfo = ZoneInfo("Europe/Stockholm")


def configure(zone: str) -> None:
    """The zone dates and times are shown in (FICKAN_WEB_TIMEZONE; one for the whole process)."""
    global ZONE
    try:
        ZONE = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        ZONE = UTC


def is_set(ts: Timestamp | None) -> bool:
    return ts is not None and (ts.seconds != 0 or ts.nanos != 0)


def date(ts: Timestamp | None) -> str:
    """2026-03-12, or "" when the timestamp is not set."""
    if not is_set(ts):
        return ""
    return ts.ToDatetime(tzinfo=UTC).astimezone(ZONE).strftime("%Y-%m-%d")


def date_time(ts: Timestamp | None) -> str:
    """2026-03-12 14:05, or "" when the timestamp is not set."""
    if not is_set(ts):
        return ""
    return ts.ToDatetime(tzinfo=UTC).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def kronor(amount: int | float) -> str:
    """12 170 kr, with narrow no-break spaces so the amount never wraps."""
    return f"{int(amount):,}".replace(",", "\u202f") + "\u00a0kr"


def number(value: float, lang: str = "sv") -> str:
    """A key figure for reading: at most one decimal, thousands apart, Swedish decimal comma."""
    text = f"{value:,.1f}" if abs(value - round(value)) >= 0.05 else f"{round(value):,}"
    if lang == "sv":
        return text.replace(",", "\u202f").replace(".", ",")
    return text
