"""The glance: the latest case (its status, time to decision and payment), the unread count and the
one next step, always under 1 KB.

Plain Python (no Flask, no gRPC) so the rules and the size limit are easy to test.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bff_watch import texts

MAX_BYTES = 1024
LOCAL = ZoneInfo("Europe/Stockholm")
# Budgets in bytes of serialised JSON (escapes included), and in characters for the small screen.
# Together with the short texts made here (time to decision, payment) and the numbers, the worst
# case stays under MAX_BYTES (tested with the longest texts and the largest numbers).
TITLE_CHARS, TITLE_BYTES = 32, 120
STATUS_CHARS, STATUS_BYTES = 60, 150
NEXT_CHARS, NEXT_BYTES = 120, 230
SHORT_CHARS, SHORT_BYTES = 40, 80  # "Beslut inom 5 h", "Utbetalning 25 jan: 6 480 kr"
SERVICE_CHARS, SERVICE_BYTES = 60, 80  # "Driftstörning till 16:00", "Planerat underhåll 3 dec 22:00"

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    """What applications' GetMyCaseGlance says (texts in Swedish and English)."""

    title: str
    status: str  # the status as a word ("submitted"), from fickan_bff.case_status
    status_text: str
    status_text_en: str = ""
    next_action: str = ""
    next_action_en: str = ""
    seconds_to_decision: int = 0
    payment_date: str = ""
    payment_amount: int = 0
    # The service says the resident has to act (finish, sign, send what is missing): the case's own
    # next step comes before unread messages.
    resident_must_act: bool = False


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the form the watch receives."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _json_len(text: str) -> int:
    return len(dumps(text)) - 2  # without the quotes


def _clean(text: str) -> str:
    """One line of printable text: control and format characters out, whitespace collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    return _SPACE.sub(" ", kept).strip()


def fit(text: str, max_chars: int, max_bytes: int) -> str:
    """The text cut to at most max_chars characters and max_bytes bytes of JSON, at a character
    boundary (never inside a code point or before a combining mark), with … when it was cut."""
    text = _clean(text)
    if len(text) <= max_chars and _json_len(text) <= max_bytes:
        return text
    budget = max_bytes - _json_len(texts.ELLIPSIS)
    cut = min(len(text), max_chars - 1)
    while cut > 0 and _json_len(text[:cut]) > budget:
        cut -= 1
    while 0 < cut < len(text) and unicodedata.combining(text[cut]):
        cut -= 1  # keep a letter together with its accents
    return text[:cut].rstrip() + texts.ELLIPSIS


def short_title(title: str) -> str:
    for prefix in texts.TITLE_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            rest = title[len(prefix) :]
            title = rest[:1].upper() + rest[1:]
            break
    return fit(title, TITLE_CHARS, TITLE_BYTES)


def _own_step(case: Case, lang: str) -> str:
    return _clean(case.next_action_en if lang == "en" else case.next_action)


def next_step(case: Case | None, unread: int | None, lang: str) -> str:
    """The one thing to do next, most urgent first: the case's own step when the resident has to act
    (finish, sign, send what is missing), then new messages, then what the case says (e.g. wait for
    the decision); our own words when the service gives none."""
    own = _own_step(case, lang) if case is not None else ""
    if own and case is not None and case.resident_must_act:
        return own
    if unread:
        text = texts.NEXT_READ_ONE if unread == 1 else texts.NEXT_READ_MANY
        return getattr(text, lang).format(count=unread)
    if case is None:
        return getattr(texts.NEXT_START, lang)
    if own:
        return own
    return getattr(texts.NEXT_FOLLOW, lang)


def decision_in(seconds: int, lang: str) -> str | None:
    """The time left to the decision target, rounded up ("Beslut inom 5 h"); None when not waiting."""
    if seconds <= 0:
        return None
    if seconds < 3600:
        text, n = texts.DECISION_IN_MINUTES, math.ceil(seconds / 60)
    elif seconds < 48 * 3600:
        text, n = texts.DECISION_IN_HOURS, math.ceil(seconds / 3600)
    else:
        text, n = texts.DECISION_IN_DAYS, math.ceil(seconds / 86400)  # 2 days or more
    return fit(getattr(text, lang).format(n=n), SHORT_CHARS, SHORT_BYTES)


def payment_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _amount(amount: int, lang: str) -> str:
    if lang == "en":
        return f"SEK {amount:,}"
    return f"{amount:,}".replace(",", " ") + " kr"


def payment(day: date, amount: int, lang: str) -> str:
    """The payment in a few words, e.g. "Utbetalning 25 jan: 6 480 kr" (the amount only when set)."""
    when = f"{day.day} {texts.MONTHS[lang][day.month - 1]}"
    if amount > 0:
        text = getattr(texts.PAYMENT_WITH_AMOUNT, lang).format(date=when, amount=_amount(amount, lang))
    else:
        text = getattr(texts.PAYMENT, lang).format(date=when)
    return fit(text, SHORT_CHARS, SHORT_BYTES)


def _case(case: Case, lang: str) -> dict[str, Any]:
    status_text = (case.status_text_en or case.status_text) if lang == "en" else case.status_text
    shown: dict[str, Any] = {
        "title": short_title(case.title),
        "status": fit(case.status, 24, 24),
        "statusText": fit(status_text, STATUS_CHARS, STATUS_BYTES),
    }
    waiting = decision_in(case.seconds_to_decision, lang)
    if waiting is not None:
        shown["decisionIn"] = waiting
        shown["secondsToDecision"] = case.seconds_to_decision
    day = payment_day(case.payment_date)
    if day is not None:
        shown["payment"] = payment(day, case.payment_amount, lang)
        shown["paymentDate"] = day.isoformat()
        if case.payment_amount > 0:
            shown["paymentAmount"] = case.payment_amount
    return shown


BOOKING_CHARS, BOOKING_BYTES = 48, 80  # "Bokad tid 30 sep kl. 13:30, Telefon"


def next_booking(starts_at: datetime, kind_text: str, lang: str) -> str:
    """The next advisory booking in a few words, e.g. "Bokad tid 3 dec kl. 09:30, Telefon"."""
    local = starts_at.astimezone(LOCAL)
    when = f"{local.day} {texts.MONTHS[lang][local.month - 1]}"
    text = getattr(texts.NEXT_BOOKING, lang).format(date=when, time=f"{local:%H:%M}", kind=kind_text)
    return fit(text, BOOKING_CHARS, BOOKING_BYTES)


def glance(
    case: Case | None,
    unread: int | None,
    lang: str = "sv",
    replies: int | None = 0,
    booking: str | None = None,
    service: str | None = None,
) -> dict[str, Any]:
    """The payload. unread is None when the inbox could not be asked, replies (the contact centre's
    unread answers) when contact could not (the rest still shows). The case's decisionIn/
    secondsToDecision and payment/paymentDate/paymentAmount are there only when set; booking (the
    next advisory booking, made by next_booking) only when there is one; service (the line of the
    first service message: a disruption or planned maintenance) only when there is one."""
    payload = {
        "case": _case(case, lang) if case is not None else None,
        "unread": unread,
        "replies": replies,
        "next": fit(next_step(case, unread, lang), NEXT_CHARS, NEXT_BYTES),
    }
    if booking:
        payload["booking"] = fit(booking, BOOKING_CHARS, BOOKING_BYTES)
    if service:
        payload["service"] = fit(service, SERVICE_CHARS, SERVICE_BYTES)
    if len(dumps(payload)) >= MAX_BYTES:  # cannot happen with the budgets above; a guard all the same
        raise ValueError("glance over budget")
    return payload
