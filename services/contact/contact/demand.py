"""Unnecessary demand, measured live: per day, group, channel and contact reason, how many contacts
came, how many of the closed ones the resident could have answered in Fickan, and how long the first
answer took; compared with the municipality's baseline (12 000 unnecessary contacts a year)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contact import texts
from contact.domain import questions
from contact.domain.centre import Centre
from contact.store import Question
from fickan_common.db import Database
from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal

LOCAL = ZoneInfo("Europe/Stockholm")
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass
class Tally:
    contacts: int = 0
    closed: int = 0
    unnecessary: int = 0
    answer_seconds: list[int] = field(default_factory=list)

    def add(self, question: Question) -> None:
        self.contacts += 1
        if question.status == questions.CLOSED:
            self.closed += 1
            self.unnecessary += 1 if question.unnecessary else 0
        if question.first_answer_at is not None:
            self.answer_seconds.append(
                int((_aware(question.first_answer_at) - _aware(question.received_at)).total_seconds())
            )

    @property
    def median_seconds(self) -> int:
        return int(statistics.median(self.answer_seconds)) if self.answer_seconds else -1

    @property
    def unnecessary_per_mille(self) -> int:
        return round(1000 * self.unnecessary / self.closed) if self.closed else 0


@dataclass(frozen=True)
class Demand:
    from_date: date
    to_date: date
    rows: dict[tuple[str, str, str, str], Tally]
    total: Tally
    by_group: dict[str, Tally]
    by_channel: dict[str, Tally]
    by_reason: dict[str, Tally]
    baseline_for_period: int
    baseline_per_year: int


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(value: str, field_name: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(texts.FIX, {field_name: texts.DAY_FORM}) from None


def require_reader(principal: Principal) -> None:
    if not (principal.has_role("contact_agent") or principal.has_role("admin")):
        raise PermissionDenied(texts.STATISTICS_STAFF)


class DemandStatistics:
    def __init__(self, db: Database, centre: Centre) -> None:
        self.db = db
        self.centre = centre

    def measure(self, principal: Principal, from_date: str = "", to_date: str = "") -> Demand:
        require_reader(principal)
        today = datetime.now(LOCAL).date()
        end = _day(to_date, "to_date", today)
        start = _day(from_date, "from_date", end - timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            raise ValidationFailed(texts.FIX, {"from_date": texts.START_AFTER_END})
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationFailed(texts.FIX, {"from_date": texts.MAX_DAYS.format(days=MAX_DAYS)})
        since = datetime.combine(start, time.min, LOCAL)
        until = datetime.combine(end + timedelta(days=1), time.min, LOCAL)
        rows: dict[tuple[str, str, str, str], Tally] = defaultdict(Tally)
        total = Tally()
        by_group: dict[str, Tally] = defaultdict(Tally)
        by_channel: dict[str, Tally] = defaultdict(Tally)
        by_reason: dict[str, Tally] = defaultdict(Tally)
        with self.db.read() as session:
            found = session.scalars(select(Question).where(Question.received_at >= since, Question.received_at < until))
            for q in found:
                day = _aware(q.received_at).astimezone(LOCAL).date().isoformat()
                for tally in (
                    rows[(day, q.group_code, q.channel, q.close_reason)],
                    total,
                    by_group[q.group_code],
                    by_channel[q.channel],
                    by_reason[q.close_reason],
                ):
                    tally.add(q)
        days = (end - start).days + 1
        baseline = self.centre.baseline_unnecessary_per_year
        return Demand(
            start,
            end,
            dict(rows),
            total,
            dict(by_group),
            dict(by_channel),
            dict(by_reason),
            round(baseline * days / 365),
            baseline,
        )
