"""Helpers for a service's nameko worker process (extra "worker")."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from nameko.extensions import DependencyProvider
from sqlalchemy import Table

from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, Outbox, Publisher, flush_outbox
from fickan_common.idempotency import IdempotencyStore
from fickan_common.metrics import serve_metrics
from fickan_common.settings import env_int

log = logging.getLogger(__name__)


def psycopg_cooperates_with_eventlet() -> bool:
    """Under nameko (eventlet's monkey patching) let psycopg wait for PostgreSQL with the patched,
    green select() instead of its C poll(): psycopg recognises gevent's patching but not eventlet's,
    so each statement's round trip blocked the worker's whole hub and its ten handlers ran one
    statement at a time. Measured under a submit surge on PostgreSQL: the notifications worker spent
    37 % of its samples blocked in psycopg's wait while events queued for seconds. Returns whether
    it changed anything (not under eventlet, or without psycopg, it leaves psycopg alone)."""
    try:
        import eventlet.patcher
    except ImportError:
        return False
    if not eventlet.patcher.is_monkey_patched("select"):
        return False
    try:
        from psycopg import waiting
    except ImportError:
        return False
    waiting.wait = waiting.wait_select  # looked up at each call (psycopg.connection calls waiting.wait)
    return True


class WorkerRuntime(DependencyProvider):
    """Gives worker entrypoints the service's Database (one engine per worker process) and the
    outbox relay, which publishes what the api process could not (broker away, process killed).

    The relay is called from a @timer; it leaves rows younger than `grace` alone so the api
    process's own immediate flush goes first.
    """

    def __init__(
        self, make_db: Callable[[], Database], outbox: Outbox, grace: float = 2.0, idempotency: Table | None = None
    ) -> None:
        self.make_db = make_db
        self.outbox = outbox
        self.idempotency = idempotency  # the service's idempotency keys, forgotten after a day
        self.grace = timedelta(seconds=grace)
        self.db: Database | None = None
        self.publisher: Publisher | None = None
        self.flusher: BackgroundFlusher | None = None

    def setup(self) -> None:
        serve_metrics(env_int("FICKAN_METRICS_PORT", 0))
        psycopg_cooperates_with_eventlet()
        self.db = self.make_db()
        self.publisher = Publisher(self.container.config["AMQP_URI"])
        self.flusher = BackgroundFlusher(self.db, self.outbox, self.publisher)

    def publish_soon(self, event_ids: Iterable[str]) -> None:
        """Publish events a handler just committed, in the background: the handler goes on to the
        next message at once. Publishing and marking inside the handler was 38 % of the
        notifications worker's time under a submit surge, and its queue grew by seconds."""
        assert self.flusher is not None
        self.flusher.kick(event_ids)

    def stop(self) -> None:
        if self.publisher is not None:
            self.publisher.close()
        if self.db is not None:
            self.db.dispose()

    def relay(self) -> int:
        assert self.db is not None and self.publisher is not None
        sent = flush_outbox(self.db, self.outbox, self.publisher, older_than=self.grace)
        with self.db.transaction() as session:
            metrics.OUTBOX_BACKLOG.set(self.outbox.backlog(session))
        if sent:
            log.info("outbox relay published", extra={"fields": {"count": sent}})
        return sent

    def forget_old_answers(self) -> int:
        """Drops stored answers to idempotent commands older than a day (call it from a timer)."""
        if self.idempotency is None or self.db is None:
            return 0
        return IdempotencyStore(self.db, self.idempotency).purge()

    def get_dependency(self, worker_ctx):  # type: ignore[no-untyped-def]
        return self


def declare_event_queues(amqp_uri: str, worker_class: type) -> list[str]:
    """Declare the durable queues (and bindings) of a worker's @event_handlers exactly as nameko
    will, so events published before the worker first starts wait for it instead of being
    unroutable. Run at deploy time with the migrations. Returns the queue names."""
    import kombu
    from nameko.events import SERVICE_POOL, EventHandler

    declared = []
    with kombu.Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.default_channel
        for method_name in dir(worker_class):
            method = getattr(worker_class, method_name)
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if not isinstance(entrypoint, EventHandler) or entrypoint.handler_type is not SERVICE_POOL:
                    continue
                if not entrypoint.reliable_delivery:
                    continue
                exchange = kombu.Exchange(f"{entrypoint.source_service}.events", type="topic", durable=True)
                name = f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{worker_class.name}.{method_name}"
                queue = kombu.Queue(name, exchange=exchange, routing_key=entrypoint.event_type, durable=True)
                queue(channel).declare()
                declared.append(name)
    return declared
