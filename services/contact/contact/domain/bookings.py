"""What an advisory time and a booking must be, the weekly pattern that makes times, the Swedish
texts (English second) and the calendar file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contact import texts
from fickan_common.errors import ValidationFailed
from fickan_common.texts import MONTHS_SV, Text, both

LOCAL = ZoneInfo("Europe/Stockholm")

FREE, BOOKED, WITHDRAWN = "free", "booked", "withdrawn"
CANCELLED = "cancelled"

KINDS = {
    "on_site": ("På plats", "On site"),
    "telephone": ("Telefon", "Telephone"),
    "video": ("Video", "Video"),
}
BOOKING_STATUS_TEXT = {BOOKED: ("Bokad", "Booked"), CANCELLED: ("Avbokad", "Cancelled")}

MAX_WEEKS = 13  # a pattern reaches a quarter ahead at most
SLOT_MINUTES = (15, 20, 30, 45, 60, 90)
EXTRA_MINUTES = (10, 240)  # an extra time: at least 10 minutes, at most 4 hours
NOTE_MAX = 1000
LOCATION_MAX = 200
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,38}$")

SLOT_NOT_FOUND = texts.SLOT_NOT_FOUND
BOOKING_NOT_FOUND = texts.BOOKING_NOT_FOUND
TAKEN = texts.TAKEN
NO_FREE = texts.NO_FREE
PAST = texts.PAST
WITHDRAWN_TEXT = texts.WITHDRAWN_TEXT
FIX = texts.FIX
ALL_PASSED = texts.ALL_PASSED
NO_WEEKDAY = texts.NO_WEEKDAY


@dataclass(frozen=True)
class Pattern:
    """A weekly pattern: these weekdays, from start to end, in slots of this length, between two dates."""

    group: str
    kind: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    slot_minutes: int
    from_date: date
    to_date: date
    except_dates: frozenset[date]
    location: str

    def times(self) -> list[tuple[datetime, datetime]]:
        """Every time of the pattern, as UTC (start, end); local time Europe/Stockholm, so a pattern
        across the change to summer time keeps its 09:00."""
        out: list[tuple[datetime, datetime]] = []
        day = self.from_date
        step = timedelta(minutes=self.slot_minutes)
        while day <= self.to_date:
            if day.isoweekday() in self.weekdays and day not in self.except_dates:
                at = datetime.combine(day, self.start)
                end_of_day = datetime.combine(day, self.end)
                while at + step <= end_of_day:
                    out.append(
                        (at.replace(tzinfo=LOCAL).astimezone(UTC), (at + step).replace(tzinfo=LOCAL).astimezone(UTC))
                    )
                    at += step
            day += timedelta(days=1)
        return out


def today() -> date:
    return datetime.now(LOCAL).date()


def parse_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        errors[field] = texts.DATE_FORM
        return None


def _parse_time(value: str, field: str, errors: dict[str, str]) -> time | None:
    match = _HHMM.match((value or "").strip())
    if not match:
        errors[field] = texts.TIME_FORM
        return None
    return time(int(match[1]), int(match[2]))


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def clean_pattern(
    group: str,
    kind: str,
    weekdays: list[int],
    start_time: str,
    end_time: str,
    slot_minutes: int,
    from_date: str,
    to_date: str,
    except_dates: list[str],
    location: str,
) -> Pattern:
    errors: dict[str, str] = {}
    kind = (kind or "").strip()
    if kind not in KINDS:
        errors["kind"] = texts.KIND
    days = tuple(sorted(set(weekdays)))
    if not days or any(d < 1 or d > 7 for d in days):
        errors["weekdays"] = texts.WEEKDAYS
    start = _parse_time(start_time, "start_time", errors)
    end = _parse_time(end_time, "end_time", errors)
    if start and end and end <= start:
        errors["end_time"] = texts.END_AFTER_START
    if slot_minutes not in SLOT_MINUTES:
        errors["slot_minutes"] = texts.SLOT_LENGTH.format(lengths=", ".join(map(str, SLOT_MINUTES)))
    elif start and end and end > start and _minutes(end) - _minutes(start) < slot_minutes:
        errors["slot_minutes"] = texts.NO_SLOT_FITS.format(
            start=f"{start:%H:%M}", end=f"{end:%H:%M}", minutes=slot_minutes
        )
    first = parse_date(from_date, "from_date", errors)
    last = parse_date(to_date, "to_date", errors)
    if first and first < today():
        errors["from_date"] = texts.FIRST_DAY_PAST
    if first and last and last < first:
        errors["to_date"] = texts.LAST_BEFORE_FIRST
    elif first and last and (last - first).days > MAX_WEEKS * 7:
        errors["to_date"] = texts.MAX_WEEKS.format(weeks=MAX_WEEKS)
    skipped: set[date] = set()
    for value in except_dates:
        if value.strip():
            d = parse_date(value, "except_dates", errors)
            if d:
                skipped.add(d)
    location = (location or "").strip()
    if len(location) > LOCATION_MAX:
        errors["location"] = texts.AT_MOST_CHARACTERS.format(max=LOCATION_MAX)
    if first and last and days and "to_date" not in errors and "weekdays" not in errors:
        span = (first + timedelta(days=n) for n in range((last - first).days + 1))
        if not any(d.isoweekday() in days and d not in skipped for d in span):
            errors["weekdays"] = NO_WEEKDAY
    if errors:
        raise ValidationFailed(FIX, errors)
    assert start and end and first and last
    return Pattern(group, kind, days, start, end, slot_minutes, first, last, frozenset(skipped), location)


@dataclass(frozen=True)
class Extra:
    """One extra time outside the pattern."""

    kind: str
    starts_at: datetime  # UTC
    ends_at: datetime
    location: str


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=LOCAL).astimezone(UTC)


def clean_extra(kind: str, day: str, start_time: str, end_time: str, location: str, at: datetime) -> Extra:
    errors: dict[str, str] = {}
    kind = (kind or "").strip()
    if kind not in KINDS:
        errors["kind"] = texts.KIND
    the_day = parse_date(day, "date", errors)
    start = _parse_time(start_time, "start_time", errors)
    end = _parse_time(end_time, "end_time", errors)
    starts = ends = None
    if the_day and start and end:
        starts, ends = _local(the_day, start), _local(the_day, end)
        minutes = (ends - starts).total_seconds() / 60
        if ends <= starts:
            errors["end_time"] = texts.END_AFTER_START
        elif not EXTRA_MINUTES[0] <= minutes <= EXTRA_MINUTES[1]:
            errors["end_time"] = texts.EXTRA_LENGTH
        if the_day < today():
            errors["date"] = texts.DAY_PASSED
        elif starts <= at:
            errors["start_time"] = PAST
    location = (location or "").strip()
    if len(location) > LOCATION_MAX:
        errors["location"] = texts.AT_MOST_CHARACTERS.format(max=LOCATION_MAX)
    if errors:
        raise ValidationFailed(FIX, errors)
    assert starts and ends
    return Extra(kind, starts, ends, location)


def overlap_message(new_start: datetime, existing_start: datetime) -> Text:
    return texts.OVERLAP.format(new=texts.when(new_start, LOCAL), existing=texts.when(existing_start, LOCAL))


def clean_booking(note: str, phone: str) -> tuple[str, str]:
    note, phone = (note or "").strip(), (phone or "").strip()
    errors: dict[str, str] = {}
    if len(note) > NOTE_MAX:
        errors["note"] = texts.TEXT_AT_MOST.format(max=NOTE_MAX)
    if phone and not _PHONE.match(phone):
        errors["phone"] = texts.PHONE_FORM
    if errors:
        raise ValidationFailed(texts.FIX, errors)
    return note, phone


_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTHS = MONTHS_SV


def when(at: datetime) -> str:
    """'onsdag 3 december kl. 09:30' in Swedish local time."""
    local = at.astimezone(LOCAL)
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} kl. {local:%H:%M}"


def taken_message(next_free: list[datetime]) -> Text:
    if not next_free:
        return Text(TAKEN.key, f"{TAKEN.sv} {NO_FREE.sv}", f"{TAKEN.en} {NO_FREE.en}")
    shown = [texts.when(t, LOCAL) for t in next_free]
    times = both("; ".join(t.sv for t in shown), "; ".join(t.en for t in shown))
    return texts.TAKEN_NEXT_FREE.format(taken=TAKEN, times=times)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with a space."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > 75:
            out.append(current.decode())
            current = b" "
        current += b
    out.append(current.decode())
    return "\r\n".join(out)


def calendar(
    booking_id: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    description: str,
    stamp: datetime,
    cancelled: bool,
) -> bytes:
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Fickan//Rådgivning//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:" + ("CANCEL" if cancelled else "PUBLISH"),
        "BEGIN:VEVENT",
        f"UID:{booking_id}@fickan",
        f"DTSTAMP:{stamp.astimezone(UTC):{fmt}}",
        f"DTSTART:{starts_at.astimezone(UTC):{fmt}}",
        f"DTEND:{ends_at.astimezone(UTC):{fmt}}",
        "SUMMARY:" + _ics_text(summary),
        "LOCATION:" + _ics_text(location),
        "DESCRIPTION:" + _ics_text(description),
        "STATUS:" + ("CANCELLED" if cancelled else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
