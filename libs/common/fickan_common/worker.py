"""Helpers for a service's nameko worker process (extra "worker"): the runtime dependency, event
handlers that survive a broker restart, and the probes' view of the worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from amqp.exceptions import AMQPError
from nameko.events import EventHandler as NamekoEventHandler
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from sqlalchemy import Table

from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, Outbox, Publisher, flush_outbox
from fickan_common.idempotency import IdempotencyStore
from fickan_common.liveness import WORKER
from fickan_common.metrics import serve_metrics
from fickan_common.settings import queue_arguments, runtime

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


class SurvivingQueueConsumer(QueueConsumer):
    """nameko's consumer, made to live through a broker restart or a cut connection.

    nameko acks a handled message from the handler's green thread and catches only amqp's own
    ConnectionError there. When the socket was reset under it, the ack raises the builtin
    ConnectionResetError (or BrokenPipeError): the handler's thread dies with it and nameko kills
    the whole container, so the process exits (seen in a drill: the notifications worker died in a
    RabbitMQ restart and 12 of 40 messages waited for a restart that never came). A message whose
    ack or requeue cannot reach the broker stays unacknowledged; the broker redelivers it when it
    notices the connection is gone, and the handler's inbox makes the repeat a no-op. The consume
    loop itself already reconnects (kombu's ConsumerMixin), and here tells the probes it turns.
    """

    def start(self) -> None:
        WORKER.consumer_starting()
        super().start()

    def ack_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self._settle(message, "ack")

    def requeue_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self._settle(message, "requeue")

    def _settle(self, message, how: str) -> None:  # type: ignore[no-untyped-def]
        if not message.channel.connection:
            return  # the channel is closed: the broker has taken the message back already
        try:
            (message.ack if how == "ack" else message.requeue)()
        except (OSError, AMQPError) as exc:
            log.warning(
                "broker connection lost before a message was settled; the broker redelivers it",
                extra={"fields": {"settle": how, "error": repr(exc)}},
            )

    def consume(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            yield from super().consume(*args, **kwargs)
        finally:
            WORKER.disconnected()  # the loop reconnects; the probes say so meanwhile

    def on_consume_ready(self, connection, channel, consumers, **kwargs) -> None:  # type: ignore[no-untyped-def]
        WORKER.beat_consumer(connected=True)
        super().on_consume_ready(connection, channel, consumers, **kwargs)

    def on_iteration(self) -> None:
        WORKER.beat_consumer()
        super().on_iteration()

    def on_connection_error(self, exc, interval) -> None:  # type: ignore[no-untyped-def]
        WORKER.beat_consumer(connected=False)  # retrying is not stuck
        super().on_connection_error(exc, interval)


class SurvivingEventHandler(NamekoEventHandler):
    """nameko's @event_handler on the consumer above, whose durable queue carries the arguments of
    FICKAN_AMQP_QUEUE_TYPE (a quorum queue on a cluster), exactly as `declare_event_queues` declared
    it at deploy time."""

    queue_consumer = SurvivingQueueConsumer()

    def setup(self) -> None:
        super().setup()
        arguments = queue_arguments()
        if arguments and self.reliable_delivery:  # only the durable, shared queues; never a temporary one
            self.queue.queue_arguments = {**(self.queue.queue_arguments or {}), **arguments}


# Every worker's @event_handler: nameko's, on the consumer above.
event_handler = SurvivingEventHandler.decorator


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
        serve_metrics(runtime().worker_metrics_port, {"/healthz": WORKER.live, "/readyz": WORKER.ready})
        self.db = self.make_db()
        if self.db.engine.dialect.name == "postgresql":  # psycopg is imported by now, and only then
            psycopg_cooperates_with_eventlet()
        self.publisher = Publisher(self.container.config["AMQP_URI"])
        self.flusher = BackgroundFlusher(self.db, self.outbox, self.publisher)

    def publish_soon(self, event_ids: Iterable[str]) -> None:
        """Publish events a handler just committed, in the background: the handler goes on to the
        next message at once. Publishing and marking inside the handler was 38 % of the
        notifications worker's time under a submit surge, and its queue grew by seconds."""
        assert self.flusher is not None
        self.flusher.kick(event_ids)

    def start(self) -> None:
        self.container.spawn_managed_thread(self._beat, identifier="liveness")

    @staticmethod
    def _beat() -> None:
        """Proves the event loop turns (a handler blocking the whole process stops it)."""
        while True:
            WORKER.beat_loop()
            time.sleep(1)  # green under nameko's monkey-patching

    def worker_setup(self, worker_ctx) -> None:  # type: ignore[no-untyped-def]
        if isinstance(worker_ctx.entrypoint, Consumer):  # timers are not consumption
            WORKER.handler_started(id(worker_ctx), worker_ctx.entrypoint.method_name)

    def worker_teardown(self, worker_ctx) -> None:  # type: ignore[no-untyped-def]
        WORKER.handler_ended(id(worker_ctx))

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


def event_queues(worker_class: type) -> list[tuple[str, str, str]]:
    """(queue, source service, event type) of each durable queue a worker's @event_handlers consume,
    named exactly as nameko names them."""
    from nameko.events import SERVICE_POOL

    found = []
    for method_name in dir(worker_class):
        method = getattr(worker_class, method_name)
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if not isinstance(entrypoint, NamekoEventHandler) or entrypoint.handler_type is not SERVICE_POOL:
                continue
            if not entrypoint.reliable_delivery:
                continue
            name = f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{worker_class.name}.{method_name}"
            found.append((name, entrypoint.source_service, entrypoint.event_type))
    return found


def declare_event_queues(amqp_uri: str, worker_class: type) -> list[str]:
    """Declare the durable queues (and bindings) of a worker's @event_handlers exactly as nameko
    will, so events published before the worker first starts wait for it instead of being
    unroutable. Run at deploy time with the migrations. Returns the queue names."""
    import kombu

    arguments = queue_arguments()
    declared = []
    with kombu.Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.default_channel
        for name, source, event_type in event_queues(worker_class):
            exchange = kombu.Exchange(f"{source}.events", type="topic", durable=True)
            queue = kombu.Queue(
                name,
                exchange=exchange,
                routing_key=event_type,
                durable=True,
                queue_arguments=arguments or None,
            )
            queue(channel).declare()
            declared.append(name)
    return declared
