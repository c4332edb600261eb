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
KIND_NAMES = {
    "ekonomiskt_bistand": "ekonomiskt bistånd",
    "eb_grundansokan": "ekonomiskt bistånd",
    "eb_lopande": "ekonomiskt bistånd",
}

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


class NobodyToTell(Exception):
    """The event is fine but concerns no resident with an inbox (a guest's contact, for example)."""


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


def reply_sent(question_id: str) -> MessageText:
    """The contact centre answered: the answer itself stays in the thread (events carry no text)."""
    return MessageText(
        subject="Svar från kontaktcenter",
        body="Kontaktcenter har svarat på din fråga. Du läser svaret under Kontakt, Mina frågor.",
        reference=f"question:{question_id}",
    )


def _date(value: str) -> str:
    """ "2026-12-25" -> "25 december 2026" (the text as it came when it is not a date)."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    return f"{int(match.group(3))} {MONTHS[int(match.group(2)) - 1]} {match.group(1)}"


def _kr(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + " kr"


def signature_requested(application_id: str) -> MessageText:
    return MessageText(
        subject="Skriv under ansökan",
        body="Du är medsökande i en ansökan om ekonomiskt bistånd. Logga in och skriv under den med ditt BankID, "
        "så skickas den till kommunen.",
        reference=f"application:{application_id}",
    )


def completion_requested(application_id: str, due_date: str, random_check: bool) -> MessageText:
    due = f" senast {_date(due_date)}" if due_date else ""
    if random_check:
        return MessageText(
            subject="Din ansökan är utvald till stickprov",
            body=f"Vi gör stickprov bland ansökningarna. Skicka in underlag för dina inkomster och utgifter{due}. "
            "Se vad som behövs i ansökan.",
            reference=f"application:{application_id}",
        )
    return MessageText(
        subject="Vi behöver mer underlag",
        body=f"Handläggaren behöver mer underlag för att kunna besluta om din ansökan. Skicka in det{due}. "
        "Se vad som behövs i ansökan.",
        reference=f"application:{application_id}",
    )


def decision_made(application_id: str, outcome: str, amount: int, period: str) -> MessageText:
    month = month_name(period)
    what = f"Din ansökan för {month}" if month else "Din ansökan"
    if outcome == "approved":
        body = f"{what} är beviljad med {_kr(amount)}. Du får ett meddelande när pengarna betalas ut."
    elif outcome == "partly_approved":
        body = f"{what} är delvis beviljad med {_kr(amount)}. Läs skälen i beslutet och hur du kan överklaga."
    elif outcome == "rejected":
        body = f"{what} har fått avslag. Läs skälen i beslutet och hur du kan överklaga inom tre veckor."
    else:
        raise MalformedEvent(f"unknown outcome {outcome!r}")
    return MessageText(subject="Beslut om din ansökan", body=body, reference=f"application:{application_id}")


def payment_scheduled(application_id: str, amount: int, payment_date: str) -> MessageText:
    return MessageText(
        subject="Utbetalning planerad",
        body=f"{_kr(amount)} betalas ut till ditt konto {_date(payment_date)}.",
        reference=f"application:{application_id}",
    )


def payment_made(application_id: str, amount: int) -> MessageText:
    return MessageText(
        subject="Pengarna är utbetalda",
        body=f"{_kr(amount)} är utbetalda till ditt konto.",
        reference=f"application:{application_id}",
    )


def period_opened(period: str, opens: str, closes: str) -> MessageText:
    month = month_name(period)
    if not month:
        raise MalformedEvent(f"period {period!r} is not YYYY-MM")
    return MessageText(
        subject=f"Nu kan du söka för {month}",
        body=f"Ansökan om ekonomiskt bistånd för {month} är öppen {_date(opens)} – {_date(closes)}. "
        "Svaren från förra månaden är redan ifyllda.",
        reference=f"period:{period}",
    )
