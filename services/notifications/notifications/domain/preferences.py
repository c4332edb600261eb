"""A resident's choices: which channel carries which kind of message, quiet hours, language, and
the e-mail address. Plain values; the store keeps them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fickan_common.errors import ValidationFailed
from notifications import texts

CHANNELS = ("email", "push")
LOCAL = ZoneInfo("Europe/Stockholm")
DEFAULT_QUIET = ("22:00", "07:00")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# One address, no display name, no spaces: enough to refuse typos; the confirmation link proves it.
_EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


@dataclass(frozen=True)
class Choices:
    language: str = "sv"
    email: str = ""
    email_confirmed: bool = False
    channels: dict[str, dict[str, bool]] = field(default_factory=dict)
    quiet_start: str = DEFAULT_QUIET[0]
    quiet_end: str = DEFAULT_QUIET[1]
    ignore_quiet_hours: bool = False

    def wants(self, kind: str, channel: str) -> bool:
        """Every channel is on by default; a choice for the kind beats the choice for all ("")."""
        for key in (kind, ""):
            choice = self.channels.get(key)
            if choice is not None and channel in choice:
                return bool(choice[channel])
        return True

    def sends_email(self, kind: str) -> bool:
        return bool(self.email) and self.email_confirmed and self.wants(kind, "email")


def clock(value: str, field_name: str) -> str:
    if not _CLOCK.match(value or ""):
        raise ValidationFailed(texts.INVALID_TIME, {field_name: texts.TIME_FORM})
    return value


def email_address(value: str) -> str:
    value = (value or "").strip()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise ValidationFailed(
            texts.INVALID_EMAIL,
            {"email": texts.EMAIL_FORM},
        )
    return value


def _at(day: datetime, hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return datetime.combine(day.date(), time(hours, minutes), tzinfo=LOCAL)


def quiet_until(choices: Choices, now: datetime) -> datetime | None:
    """When the quiet hours around `now` end (None when `now` is not in them). E-mail and push wait
    until then; the inbox and open streams never wait."""
    if choices.ignore_quiet_hours or choices.quiet_start == choices.quiet_end:
        return None
    local = now.astimezone(LOCAL)
    start, end = _at(local, choices.quiet_start), _at(local, choices.quiet_end)
    if start < end:  # e.g. 13:00-15:00 on one day
        return end if start <= local < end else None
    # across midnight, e.g. 22:00-07:00
    if local >= start:
        return _at(local + timedelta(days=1), choices.quiet_end)
    if local < end:
        return end
    return None
