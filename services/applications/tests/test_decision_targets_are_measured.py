"""The worker measures how close the nearest decision target is (the alert 'an application near its
24-hour target' and the month-start dashboard read it): only cases that are the municipality's turn."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from applications import targets
from applications.domain import cases
from applications.store import Application

NOW = datetime(2030, 3, 9, 12, 0, tzinfo=UTC)


def case(db, status: str, due_in: timedelta | None) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        session.add(
            Application(
                id=str(uuid.uuid4()),
                kind="eb_lopande",
                form_version=1,
                applicant_id=str(uuid.uuid4()),
                status=status,
                answers={},
                created_at=NOW - timedelta(days=1),
                updated_at=NOW - timedelta(days=1),
                submitted_at=NOW - timedelta(hours=1),
                due_at=None if due_in is None else NOW + due_in,
            )
        )


def test_no_case_waiting_means_no_target_near(db) -> None:  # type: ignore[no-untyped-def]
    case(db, cases.DRAFT, None)
    assert targets.measure(db, NOW) == math.inf
    assert REGISTRY.get_sample_value("fickan_applications_nearest_decision_target_seconds") == math.inf


def test_the_nearest_target_of_the_municipalitys_turn_counts(db) -> None:  # type: ignore[no-untyped-def]
    case(db, cases.RECEIVED, timedelta(hours=20))
    case(db, cases.IN_PROGRESS, timedelta(hours=3))  # the nearest
    case(db, cases.COMPLETION_REQUESTED, timedelta(hours=1))  # the resident's turn: not counted
    case(db, cases.DECIDED, timedelta(minutes=5))  # decided: not counted
    assert targets.measure(db, NOW) == 3 * 3600
    assert REGISTRY.get_sample_value("fickan_applications_nearest_decision_target_seconds") == 3 * 3600


def test_a_missed_target_is_negative(db) -> None:  # type: ignore[no-untyped-def]
    case(db, cases.SUBMITTED, timedelta(hours=-2))
    assert targets.measure(db, NOW) == -2 * 3600
