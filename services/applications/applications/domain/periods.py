"""Application periods: when the monthly application for a month can be handed in.

The application for month M (the month the money is for) opens on `opens_day` of month M-1 and
closes on `closes_day` of month M-1 (clamped to the month's last day), so it can be decided before
the payment days at the end of M-1. A municipality sets its own days in data/periods.json (or a file
of its own, the setting FICKAN_APPLICATIONS_PERIODS_FILE, handed in at start with `use_file`);
`overrides` moves single months, e.g. around holidays.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from applications import texts
from fickan_common.errors import ValidationFailed

DATA = Path(__file__).resolve().parent.parent / "data"
MONTHS_SV = ("januari februari mars april maj juni juli augusti september oktober november december").split()


@dataclass(frozen=True)
class Window:
    period: str  # YYYY-MM, the month the money is for
    opens: date
    closes: date
    payment_day: date

    def is_open(self, today: date) -> bool:
        return self.opens <= today <= self.closes

    def text(self) -> str:
        return (
            f"Ansökan för {month_name(self.period)} kan lämnas in {self.opens.day} {MONTHS_SV[self.opens.month - 1]}"
            f" – {self.closes.day} {MONTHS_SV[self.closes.month - 1]} {self.closes.year}."
        )


# The municipality's own periods file (the setting FICKAN_APPLICATIONS_PERIODS_FILE), handed in at start.
own_file: Path | None = None


def use_file(path: Path | None) -> None:
    """The municipality's periods file (None: the packaged data/periods.json)."""
    global own_file
    own_file = path
    settings.cache_clear()


@cache
def settings() -> dict[str, Any]:
    path = own_file or DATA / "periods.json"
    return json.loads(path.read_text(encoding="utf-8"))


def parse_period(value: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in value.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(value) != 7:
            raise ValueError
    except ValueError:
        message = texts.PERIOD_FORM
        raise ValidationFailed(message, {"period": message}) from None
    return year, month


def month_name(period: str) -> str:
    year, month = parse_period(period)
    return f"{MONTHS_SV[month - 1]} {year}"


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def window(period: str) -> Window:
    year, month = parse_period(period)
    config = settings()
    before = _previous_month(year, month)
    override = config.get("overrides", {}).get(period)
    if override:
        opens, closes = date.fromisoformat(override["opens"]), date.fromisoformat(override["closes"])
    else:
        opens = _day(*before, int(config["opens_day"]))
        closes = _day(*before, int(config["closes_day"]))
    first_payment_day = int(config.get("payment_days", [25])[0])
    return Window(period, opens, closes, _day(*before, first_payment_day))


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def current_or_next(today: date) -> Window:
    """The window open today, or the next one to open."""
    candidate = next_period(f"{today.year}-{today.month:02d}")  # applied for in the month before
    for _ in range(3):
        win = window(candidate)
        if win.closes >= today:
            return win
        candidate = next_period(candidate)
    return window(candidate)


def next_payment_day(today: date) -> date:
    """The first payment day on or after today."""
    days = sorted(int(d) for d in settings().get("payment_days", [25]))
    for offset in range(0, 2):
        year, month = (
            (today.year, today.month)
            if offset == 0
            else ((today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1))
        )
        for d in days:
            candidate = _day(year, month, d)
            if candidate >= today:
                return candidate
    return today
