"""The unit of work: one write transaction, and the events it added to the outbox published once it
has committed.

    work = UnitOfWork(db, flusher.kick)
    with work() as session:
        ...                                   # state change; OUTBOX.add(session, ...) as often as needed
    # committed: the events' ids are handed to `publish` (the api's BackgroundFlusher.kick)

Every `Outbox.add` notes its event's id on the session (`added_event_ids`), so a use case
never carries an event list around. After the commit, and only then, the unit hands the ids to
`publish`, which publishes them at once in the background; a transaction that raises or rolls back
publishes nothing (its outbox rows are gone with it). A `return` or `continue` inside the block
commits as usual, and publishes what was added. Whatever `publish` does not get out stays in the
outbox for the worker's relay, so a lost kick delays an event and never loses one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from fickan_common.db import Database

log = logging.getLogger(__name__)

Publish = Callable[[Iterable[str]], None]
ADDED = "fickan_outbox_added"  # session.info: the ids of the events added in its transaction


def added_event_ids(session: Session) -> list[str]:
    """The ids of the events added to an outbox (`Outbox.add`) in this session's transaction so far,
    in order."""
    added: list[str] = session.info.setdefault(ADDED, [])
    return added


class UnitOfWork:
    def __init__(self, db: Database, publish: Publish | None = None) -> None:
        self.db = db
        self.publish = publish  # None: nothing at once (a test, a tool); the relay publishes

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        """A write transaction (Database.transaction); its events are published after the commit."""
        with self.db.transaction() as session:
            added = added_event_ids(session)
            yield session
        if added and self.publish is not None:
            try:
                self.publish(list(added))
            except Exception:  # the change is committed; the relay publishes from the outbox
                log.exception("publishing at once failed; left to the outbox relay")


@contextmanager
def savepoint(session: Session) -> Iterator[Session]:
    """A part of a unit of work that may fail alone: on an error its changes and its events are
    undone and the error propagates; the rest of the unit stays and commits."""
    added = added_event_ids(session)
    before = len(added)
    try:
        with session.begin_nested():
            yield session
    except BaseException:
        del added[before:]
        raise
