"""The real contact service for other packages' tests (the BFFs'): its own SQLite database in a
folder the test gives, the real servicer to put on a grpcio server, and a look at what is stored.
Not a fake: what a BFF asks of it is answered by the code that runs in production."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from contact.api import GLANCE_METHODS, PUBLIC, build
from contact.handlers import handle_case_status_changed
from contact.migrate import MIGRATIONS
from contact.settings import load
from contact.store import Question, metadata
from fickan.applications.events.v1.events_pb2 import CaseStatusChanged
from fickan_common.db import Database
from fickan_common.events import envelope
from fickan_common.migrations import upgrade
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal


class ContactForTests:
    public_methods = PUBLIC
    glance_methods = GLANCE_METHODS

    # An Open311 client's key the tests use (FICKAN_CONTACT_OPEN311_API_KEYS in production).
    OPEN311_KEY = "nyckel-for-test"

    def __init__(self, folder: str) -> None:
        url = f"sqlite:///{folder}/contact.db"
        upgrade(MIGRATIONS, url)
        self.db = Database(url)
        settings = replace(load(), open311_api_keys=f"testklient={self.OPEN311_KEY}")
        self.servicer = build(self.db, contact_settings=settings)

    def reset(self) -> None:
        with self.db.transaction() as session:
            for table in reversed(metadata.sorted_tables):
                session.execute(table.delete())

    @property
    def questions(self) -> list[dict[str, Any]]:
        """What is stored, oldest first."""
        with self.db.read() as session:
            return [
                {
                    "id": q.id,
                    "owner": q.asker_id,
                    "channel": q.channel,
                    "subject": q.subject,
                    "group": q.group_code,
                    "phone": q.contact_phone,
                }
                for q in session.scalars(select(Question).order_by(Question.received_at))
            ]

    def case_moved(self, application_id: str, resident_ids: list[str], status: str, **said: Any) -> None:
        """Applications' case_status_changed event, handled by contact's own handler as it arrives
        from the broker; `said` is what applications says of the status (open, sent, decision_due,
        and `at`): see case_moved below."""
        case_moved(self.db, application_id, resident_ids, status, **said)

    def publish_times(
        self, group: str, day: date, start: str = "09:00", end: str = "10:00", minutes: int = 30, kind: str = "on_site"
    ) -> list[str]:
        """An advisor of `group` publishes the day's times (as PublishSlots does); their ids, earliest first."""
        advisor = Principal(user_id=str(uuid.uuid4()), roles=("contact_agent",), name="Rut Rådgivare", group=group)
        _, _, slots = self.servicer.bookings.publish(
            advisor,
            group,
            kind=kind,
            weekdays=[day.isoweekday()],
            start_time=start,
            end_time=end,
            slot_minutes=minutes,
            from_date=day.isoformat(),
            to_date=day.isoformat(),
            except_dates=[],
            location="Stadshuset",
        )
        return [s.id for s in slots]

    def close(self) -> None:
        self.db.dispose()


def case_moved(
    db: Database,
    application_id: str,
    resident_ids: list[str],
    status: str,
    *,
    open: bool,
    sent: bool,
    decision_due: datetime | None = None,
    at: datetime | None = None,
) -> None:
    """See ContactForTests.case_moved (this one for contact's own tests, on their database)."""
    event = CaseStatusChanged(
        application_id=application_id,
        resident_ids=resident_ids,
        to_status=status,
        at=to_timestamp(at or datetime.now(UTC)),
        open=open,
        sent=sent,
        decision_due=to_timestamp(decision_due),
    )
    assert handle_case_status_changed(db, envelope("applications", "case_status_changed", event))
