"""Events: the envelope, the outbox (state change and event in one transaction), the publisher
(kombu with publisher confirms, in nameko's wire format) and the inbox (handle each event once).

Wire format, so nameko @event_handler(producer, event_type) receives events whichever process
published them: topic exchange "<producer>.events" (durable), routing key = event type, persistent
JSON body = the envelope.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import kombu
from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fickan_common import metrics
from fickan_common.context import current_correlation_id
from fickan_common.db import Database
from fickan_common.unit_of_work import UnitOfWork, added_event_ids

log = logging.getLogger(__name__)

EVENT_VERSION = 1


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("envelope", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(36), nullable=False),
        Column("handler", String(100), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("event_id", "handler", name="uq_inbox_event_handler"),
    )


def envelope(producer: str, event_type: str, data: Message | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, Message):
        data = MessageToDict(data, preserving_proto_field_name=True)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "event_version": EVENT_VERSION,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": current_correlation_id(),
        "data": data,
    }


def parse_data(body: dict[str, Any], message_type: type[Message]) -> Message:
    """The envelope's data as a proto message; fields this consumer does not know are ignored."""
    return ParseDict(body.get("data") or {}, message_type(), ignore_unknown_fields=True)


class Outbox:
    def __init__(self, producer: str, table: Table) -> None:
        self.producer = producer
        self.table = table

    def add(self, session: Session, event_type: str, data: Message | dict[str, Any]) -> dict[str, Any]:
        """Record an event in the same transaction as the state change that caused it."""
        env = envelope(self.producer, event_type, data)
        session.execute(
            insert(self.table).values(
                event_id=env["event_id"],
                event_type=event_type,
                envelope=env,
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
        added_event_ids(session).append(env["event_id"])  # the unit of work publishes it after the commit
        return env

    def backlog(self, session: Session) -> int:
        from sqlalchemy import func

        return session.execute(
            select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
        ).scalar_one()


class Publisher:
    """Publishes envelopes with publisher confirms over a small pool of connections.

    A pool, not one connection per thread: under eventlet every nameko handler runs in a new green
    thread, so a thread-local connection would mean a new (and leaked) connection per event.
    kombu connections are not thread-safe, so each publish borrows one for itself; a failure
    discards it so the next publish reconnects.
    """

    def __init__(self, amqp_uri: str, connect_timeout: float = 3.0, max_idle: int = 4) -> None:
        self.amqp_uri = amqp_uri
        self.connect_timeout = connect_timeout
        self.max_idle = max_idle
        self._idle: list[kombu.Connection] = []
        self._lock = threading.Lock()

    def _borrow(self) -> kombu.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return kombu.Connection(
            self.amqp_uri,
            connect_timeout=self.connect_timeout,
            transport_options={"confirm_publish": True},
        )

    def _give_back(self, conn: kombu.Connection) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        _release(conn)

    def publish(self, env: dict[str, Any]) -> None:
        exchange = kombu.Exchange(f"{env['producer']}.events", type="topic", durable=True)
        conn = self._borrow()
        try:
            conn.Producer().publish(
                json.dumps(env),
                exchange=exchange,
                declare=[exchange],
                routing_key=env["event_type"],
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                retry=False,
                headers={"nameko.correlation_id": env.get("correlation_id") or ""},
            )
        except Exception:
            _release(conn)
            raise
        self._give_back(conn)
        metrics.EVENTS_PUBLISHED.labels(env["event_type"]).inc()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            _release(conn)


def _release(conn: kombu.Connection) -> None:
    try:
        conn.release()
    except Exception:  # noqa: BLE001 - the connection is already broken
        pass


def flush_outbox(
    db: Database,
    outbox: Outbox,
    publisher: Publisher,
    event_ids: Iterable[str] | None = None,
    older_than: timedelta | None = None,
    limit: int = 200,
) -> int:
    """Publish unsent outbox rows and mark them sent. Returns how many were published.

    A row is marked only after the broker confirmed it, so a crash in between republishes it
    (at-least-once); consumers deduplicate with the inbox.
    """
    table = outbox.table
    query = select(table.c.id, table.c.envelope).where(table.c.published_at.is_(None))
    if event_ids is not None:
        query = query.where(table.c.event_id.in_(list(event_ids)))
    if older_than is not None:
        query = query.where(table.c.created_at < datetime.now(UTC) - older_than)
    # Reading the unsent rows needs no write lock (on SQLite it queued the flush behind every
    # request's write); only the marking below writes.
    with db.read() as session:
        rows = session.execute(query.order_by(table.c.id).limit(limit)).all()
    sent: list[int] = []
    failed: int | None = None
    for row_id, env in rows:
        try:
            publisher.publish(env)
        except Exception as exc:  # noqa: BLE001 - the broker is away; the relay retries later
            log.warning("publish failed, left in outbox", extra={"fields": {"error": str(exc)}})
            failed = row_id
            break
        sent.append(row_id)
    # One transaction marks the whole batch: a commit per row made the flush the slowest step.
    if sent or failed is not None:
        with db.transaction() as session:
            if sent:
                session.execute(update(table).where(table.c.id.in_(sent)).values(published_at=datetime.now(UTC)))
            if failed is not None:
                session.execute(update(table).where(table.c.id == failed).values(attempts=table.c.attempts + 1))
    return len(sent)


class BackgroundFlusher:
    """Publishes freshly committed events right away from a background thread, so a request never
    waits on the broker and a broker outage never fails a request. What it cannot publish stays in
    the outbox for the worker's relay. Kicks that come while it publishes are taken together in the
    next round: one read, one publish each, one transaction marking them all.

    Under eventlet (a nameko worker) the thread is a green thread: an event handler kicks it and
    returns, instead of publishing and marking before its message is acknowledged."""

    def __init__(self, db: Database, outbox: Outbox, publisher: Publisher) -> None:
        self.db, self.outbox, self.publisher = db, outbox, publisher
        self._wake = threading.Event()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="outbox-flusher", daemon=True)
        self._thread.start()

    def kick(self, event_ids: Iterable[str]) -> None:
        with self._lock:
            self._pending.update(event_ids)
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                ids, self._pending = self._pending, set()
            if ids:
                try:
                    flush_outbox(self.db, self.outbox, self.publisher, event_ids=ids)
                except Exception:
                    log.exception("outbox flush failed")


def handle_once(
    db: Database,
    inbox: Table,
    handler: str,
    body: dict[str, Any],
    apply: Callable[[Session], None],
    publish: Callable[[Iterable[str]], None] | None = None,
) -> bool:
    """Run apply(session) for this event unless this handler already handled its event_id.

    The inbox row and apply's changes commit together, so a redelivery after a crash either finds
    both or neither. A unit of work: the events apply adds to the outbox are handed to `publish`
    after the commit. Returns False for a repeat.
    """
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        log.error("event without event_id dropped", extra={"fields": {"handler": handler}})
        return False
    try:
        with UnitOfWork(db, publish)() as session:
            seen = session.execute(
                select(inbox.c.event_id).where(inbox.c.event_id == event_id, inbox.c.handler == handler)
            ).first()
            if seen:
                metrics.EVENTS_HANDLED.labels(handler, "duplicate").inc()
                return False
            apply(session)
            session.execute(insert(inbox).values(event_id=event_id, handler=handler, handled_at=datetime.now(UTC)))
    except IntegrityError:
        # A concurrent delivery of the same event won the race.
        metrics.EVENTS_HANDLED.labels(handler, "duplicate").inc()
        return False
    metrics.EVENTS_HANDLED.labels(handler, "ok").inc()
    return True
