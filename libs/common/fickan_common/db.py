"""A service's own database: SQLite file by default, PostgreSQL when its URL says so.

Every state change goes through `Database.transaction()`, which is atomic on both databases:

- On SQLite a write transaction starts with `BEGIN IMMEDIATE`: it takes the database's write lock
  before its first read, so two requests that read a row and then change it run one after the other
  and the second sees the first one's change. pysqlite's own transaction handling is switched off:
  it begins a transaction only at the first INSERT/UPDATE, so the reads before it (the version
  checks) ran outside any transaction and every concurrent request saw the same old row.
- On PostgreSQL the use cases lock the rows they change (`SELECT ... FOR UPDATE`).
- On both, models with a version column declare it as SQLAlchemy's `version_id_col`, so every UPDATE
  carries `WHERE version = :read` and a lost race raises StaleVersion instead of writing.

`Database.read()` is for what only reads: a plain deferred transaction (WAL lets it run beside a
writer), which refuses to write.

On SQLite the threads of one (api) process also take turns for writing on a lock of their own before
`BEGIN IMMEDIATE`: SQLite's busy handler polls with growing sleeps (up to 100 ms), so sixteen
threads waiting for its lock left it idle between writers and let newcomers overtake the waiting
(measured under 16 concurrent submits: a third of the api's busy time in BEGIN IMMEDIATE, and
its outbox flusher waiting behind the requests for seconds). The process's own lock hands over
at once and in arrival order; SQLite's lock still guards against the other process (the worker).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from fickan_common import texts
from fickan_common.errors import StaleVersion

# Told to a person whose change lost a race with someone else's (a double click, two devices).
CHANGED_MEANWHILE = texts.CHANGED_MEANWHILE
_WRITE = "fickan_write"
_QUERY_ONLY = "fickan_query_only"  # what PRAGMA query_only is now on a pooled SQLite connection


class ReadOnlyTransaction(RuntimeError):
    """A `Database.read()` block tried to write: a bug, not the user's fault."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
            # The api and worker processes share the file: WAL lets readers and a writer work at once.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA query_only=0")
            cursor.close()
            record.info[_QUERY_ONLY] = False
            # We say BEGIN ourselves (below), so that a transaction's reads are inside it.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:  # type: ignore[no-untyped-def]
            write = connection.get_execution_options().get(_WRITE, True)
            # query_only makes SQLite itself refuse a write inside a read transaction. Said only when
            # it changes: a statement per transaction was a tenth of a service's busy time on reads.
            pooled = connection.connection
            raw = pooled.driver_connection  # straight to sqlite3: SQLAlchemy's statement machinery
            # for a BEGIN was a seventh of a service's busy time on reads
            if pooled.info.get(_QUERY_ONLY) is not (not write):
                raw.execute(f"PRAGMA query_only={0 if write else 1}")
                pooled.info[_QUERY_ONLY] = not write
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _eventlet_patched() -> bool:
    patcher = sys.modules.get("eventlet.patcher")
    return bool(patcher and patcher.is_monkey_patched("thread"))


def _refuse_writes(session: Session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyTransaction("a read transaction tried to write; use Database.transaction()")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        self.read_sessions = sessionmaker(self.engine.execution_options(**{_WRITE: False}), expire_on_commit=False)
        event.listen(self.read_sessions, "before_flush", _refuse_writes)
        # SQLite: this process's writers take turns here first (see the module's docstring). An RLock,
        # so a write transaction opened inside another on the same thread fails as before (SQLite's
        # busy timeout) instead of hanging here. Not under eventlet (a nameko worker): its green
        # threads share one OS thread and sqlite3 does not yield, so they cannot wait for each other
        # anyway, and a drill worker that holds the whole process mid-handler hung behind it.
        self._writers = threading.RLock() if self.is_sqlite and not _eventlet_patched() else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that may write: commits on success, rolls back on any error. A row
        changed by someone else since it was read (its version moved) raises StaleVersion."""
        try:
            with self._writers or nullcontext(), self.sessions.begin() as session:
                yield session
        except StaleDataError:
            raise StaleVersion(CHANGED_MEANWHILE) from None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent read that never writes (and never waits for a writer on SQLite)."""
        with self.read_sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
