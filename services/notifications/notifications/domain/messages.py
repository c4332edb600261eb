"""What a resident reads in the inbox when something happened, and the checks on the events that
cause it. Plain functions of plain values: the handlers feed them what the events carry."""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# Application kinds as a resident says them ("din ansökan om ...").
KIND_NAMES = {"ekonomiskt_bistand": "ekonomiskt bistånd"}

MAX_ID_LENGTH = 36  # ids are uuids; the store's columns hold no more
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class MalformedEvent(ValueError):
    """The event lacks what the message needs; redelivering it will not help."""


@dataclass(frozen=True)
class MessageText:
    subject: str
    body: str
    reference: str


def month_name(period: str) -> str | None:
    """ "2026-12" -> "december 2026"; None when the period is not a valid YYYY-MM."""
    match = _PERIOD.match(period or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return f"{MONTHS[month - 1]} {year}"


def require_id(field: str, value: str) -> str:
    """A usable id from an event, or MalformedEvent naming the field."""
    value = (value or "").strip()
    if not value:
        raise MalformedEvent(f"{field} is missing")
    if len(value) > MAX_ID_LENGTH:
        raise MalformedEvent(f"{field} is longer than {MAX_ID_LENGTH} characters")
    return value


def application_received(application_id: str, kind: str, period: str) -> MessageText:
    """The receipt for a submitted application. An unknown kind or unreadable period leaves that
    part out rather than leaving the resident without a receipt."""
    what = "din ansökan"
    if kind in KIND_NAMES:
        what += f" om {KIND_NAMES[kind]}"
    month = month_name(period)
    if month:
        what += f" för {month}"
    return MessageText(
        subject="Vi har tagit emot din ansökan",
        body=f"Vi har tagit emot {what}. Du får ett meddelande här när ansökan är beslutad.",
        reference=f"application:{application_id}",
    )


def question_received(question_id: str) -> MessageText:
    """The receipt for a question to the contact centre."""
    return MessageText(
        subject="Vi har tagit emot din fråga",
        body="Tack för din fråga. Vi har tagit emot den och svarar så snart vi kan. Du får svaret här.",
        reference=f"question:{question_id}",
    )
