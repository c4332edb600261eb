"""Service messages: the municipality's notices of planned maintenance and disruptions, shown on
every channel (a banner on the web, the app's list, a line on the watch). The rules of what an
admin may publish live here, once; the BFFs only show the result.

Times come in as the admin typed them, local time ("2026-12-03T22:00", Europe/Stockholm) or with
an offset (RFC 3339); they are kept in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fickan_common.errors import ValidationFailed
from fickan_common.texts import Text
from notifications import texts

LOCAL = ZoneInfo("Europe/Stockholm")
KINDS = ("maintenance", "disruption")
TEXT_MAX = 300
SHORT_MAX = 60  # the watch's line
ANNOUNCE_AHEAD = timedelta(days=7)  # a planned notice is shown this long before it starts
LONGEST = timedelta(days=31)
FURTHEST_START = timedelta(days=365)
MAX_SHOWN = 5  # at once, so a page never fills with banners

LABEL = {
    "maintenance": ("Planerat underhåll", "Planned maintenance"),
    "disruption": ("Driftstörning", "Disruption"),
}
MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


@dataclass(frozen=True)
class Draft:
    kind: str
    text_sv: str
    text_en: str
    starts_at: datetime
    ends_at: datetime


def parse_time(value: str) -> datetime | None:
    """A typed time as UTC, or None when it is not one."""
    value = value.strip()
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed.astimezone(UTC)


def check(kind: str, text_sv: str, text_en: str, starts_at: str, ends_at: str, now: datetime) -> Draft:
    """The notice as it will be kept, or ValidationFailed naming every field that is wrong."""
    errors: dict[str, Text] = {}
    text_sv, text_en = " ".join(text_sv.split()), " ".join(text_en.split())
    if kind not in KINDS:
        errors["kind"] = texts.NOTICE_KIND
    if not text_sv:
        errors["text"] = texts.NOTICE_TEXT_SV
    elif len(text_sv) > TEXT_MAX:
        errors["text"] = texts.NOTICE_TEXT_LENGTH.format(max=TEXT_MAX)
    if len(text_en) > TEXT_MAX:
        errors["text_en"] = texts.NOTICE_TEXT_LENGTH.format(max=TEXT_MAX)
    start, end = parse_time(starts_at), parse_time(ends_at)
    if start is None:
        errors["starts_at"] = texts.NOTICE_START
    elif start > now + FURTHEST_START:
        errors["starts_at"] = texts.NOTICE_START_FAR
    if end is None:
        errors["ends_at"] = texts.NOTICE_END
    elif start is not None and end <= start:
        errors["ends_at"] = texts.NOTICE_END_BEFORE_START
    elif end <= now:
        errors["ends_at"] = texts.NOTICE_END_PASSED
    elif start is not None and end - start > LONGEST:
        errors["ends_at"] = texts.NOTICE_TOO_LONG
    if errors:
        raise ValidationFailed(texts.NOTICE_NOT_PUBLISHED, errors)
    assert start is not None and end is not None
    return Draft(kind, text_sv, text_en, start, end)


def _when(moment: datetime, lang: str, now: datetime) -> str:
    local, today = moment.astimezone(LOCAL), now.astimezone(LOCAL).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return clock
    return f"{local.day} {MONTHS[lang][local.month - 1]} {clock}"


def short(kind: str, starts_at: datetime, ends_at: datetime, now: datetime, lang: str) -> str:
    """The watch's line, at most 60 characters: "Driftstörning till 16:00",
    "Planerat underhåll 3 dec 22:00"."""
    label = LABEL.get(kind, LABEL["disruption"])[0 if lang == "sv" else 1]
    if starts_at <= now:
        until = "till" if lang == "sv" else "until"
        line = f"{label} {until} {_when(ends_at, lang, now)}"
    else:
        line = f"{label} {_when(starts_at, lang, now)}"
    return line[:SHORT_MAX]
