"""The real contact service for other packages' tests (the BFFs'): its own SQLite database in a
folder the test gives, the real servicer to put on a grpcio server, and a look at what is stored.
Not a fake: what a BFF asks of it is answered by the code that runs in production."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contact.api import GLANCE_METHODS, PUBLIC, build
from contact.migrate import MIGRATIONS
from contact.store import Question, metadata
from fickan_common.db import Database
from fickan_common.migrations import upgrade


class ContactForTests:
    public_methods = PUBLIC
    glance_methods = GLANCE_METHODS

    def __init__(self, folder: str) -> None:
        url = f"sqlite:///{folder}/contact.db"
        upgrade(MIGRATIONS, url)
        self.db = Database(url)
        self.servicer = build(self.db)

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

    def close(self) -> None:
        self.db.dispose()
