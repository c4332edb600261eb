"""How close the municipality is to missing a decision target (24 hours for a monthly application,
from the form's decision_target_hours): the worker measures it every minute for the alert rule
FickanApplicationNearItsTarget and the month-start dashboard."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from prometheus_client import Gauge
from sqlalchemy import func, select

from applications.domain import cases
from applications.store import Application
from fickan_common.db import Database

NEAREST_TARGET = Gauge(
    "fickan_applications_nearest_decision_target_seconds",
    "seconds until the earliest decision target of an undecided case the municipality holds "
    "(negative: missed; +Inf: none)",
)
MUNICIPALITYS_TURN = sorted(cases.MUNICIPALITYS_TURN)


def seconds_to_nearest_target(db: Database, now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    with db.read() as session:
        due = session.scalar(
            select(func.min(Application.due_at)).where(
                Application.status.in_(MUNICIPALITYS_TURN), Application.due_at.is_not(None)
            )
        )
    if due is None:
        return math.inf
    if due.tzinfo is None:  # SQLite keeps no zone; the service writes UTC
        due = due.replace(tzinfo=UTC)
    return (due - now).total_seconds()


def measure(db: Database, now: datetime | None = None) -> float:
    seconds = seconds_to_nearest_target(db, now)
    NEAREST_TARGET.set(seconds)
    return seconds
