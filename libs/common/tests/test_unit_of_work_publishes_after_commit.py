"""The unit of work hands the events added in its transaction to the publisher after the commit,
never before it, and nothing when the transaction rolls back; a savepoint that fails takes its own
events with it. On a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from fickan_common.db import Database
from fickan_common.events import Outbox, outbox_table
from fickan_common.testing import fresh_postgres_database
from fickan_common.unit_of_work import UnitOfWork, savepoint

METADATA = MetaData()
OUTBOX = Outbox("test", outbox_table(METADATA))
THINGS = Table("things", METADATA, Column("id", Integer, primary_key=True), Column("name", String(20)))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'uow.db'}")
        METADATA.create_all(database.engine)
        yield database
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url)
        METADATA.create_all(database.engine)
        yield database
        database.dispose()


class Recorder:
    """The publisher's side: what it was told, and whether those rows were committed by then."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.told: list[list[str]] = []
        self.committed_when_told: list[int] = []

    def __call__(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        self.told.append(ids)
        with self.db.read() as session:  # another connection: sees only what is committed
            self.committed_when_told.append(
                session.scalar(select(func.count()).select_from(OUTBOX.table).where(OUTBOX.table.c.event_id.in_(ids)))
            )


def outbox_rows(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(OUTBOX.table))


def test_events_added_in_the_unit_are_published_after_its_commit(db: Database) -> None:
    recorder = Recorder(db)
    work = UnitOfWork(db, recorder)
    with work() as session:
        session.execute(insert(THINGS).values(id=1, name="a"))
        first = OUTBOX.add(session, "thing_made", {"id": 1})["event_id"]
        second = OUTBOX.add(session, "thing_named", {"id": 1})["event_id"]
        assert recorder.told == []  # nothing before the commit
    assert recorder.told == [[first, second]]
    assert recorder.committed_when_told == [2]  # both rows were committed when the publisher heard


def test_a_unit_that_raises_publishes_nothing_and_leaves_no_event(db: Database) -> None:
    recorder = Recorder(db)
    work = UnitOfWork(db, recorder)
    with pytest.raises(RuntimeError), work() as session:
        OUTBOX.add(session, "thing_made", {"id": 2})
        raise RuntimeError("the use case refused")
    assert recorder.told == []
    assert outbox_rows(db) == 0


def test_a_unit_left_early_commits_and_publishes_what_it_added(db: Database) -> None:
    recorder = Recorder(db)
    work = UnitOfWork(db, recorder)

    def use_case() -> str:
        with work() as session:
            event_id = OUTBOX.add(session, "thing_made", {"id": 3})["event_id"]
            return event_id  # a return inside the unit commits as usual

    event_id = use_case()
    assert recorder.told == [[event_id]] and recorder.committed_when_told == [1]


def test_a_unit_without_events_does_not_call_the_publisher(db: Database) -> None:
    recorder = Recorder(db)
    with UnitOfWork(db, recorder)() as session:
        session.execute(insert(THINGS).values(id=4, name="quiet"))
    assert recorder.told == []


def test_a_failed_savepoint_takes_its_events_and_changes_and_the_unit_commits_the_rest(db: Database) -> None:
    recorder = Recorder(db)
    work = UnitOfWork(db, recorder)
    with work() as session:
        kept = OUTBOX.add(session, "thing_made", {"id": 5})["event_id"]
        with pytest.raises(ValueError), savepoint(session):
            session.execute(insert(THINGS).values(id=6, name="undone"))
            OUTBOX.add(session, "thing_undone", {"id": 6})
            raise ValueError("this part failed")
    assert recorder.told == [[kept]] and recorder.committed_when_told == [1]
    assert outbox_rows(db) == 1
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(THINGS).where(THINGS.c.id == 6)) == 0


def test_a_publisher_that_fails_does_not_fail_the_committed_unit(db: Database) -> None:
    def broken(_ids: Iterable[str]) -> None:
        raise ConnectionError("the flusher is gone")

    with UnitOfWork(db, broken)() as session:
        OUTBOX.add(session, "thing_made", {"id": 7})
    assert outbox_rows(db) == 1  # left for the relay
