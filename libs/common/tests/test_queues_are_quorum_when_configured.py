"""FICKAN_AMQP_QUEUE_TYPE=quorum: the migrate step declares every service queue as a quorum queue on
the real RabbitMQ, and the nameko worker's @event_handler then declares the very same queue with the
same arguments (RabbitMQ refuses a redeclaration whose x-queue-type differs, so a worker that forgot
it would not start)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import kombu
import pytest
from amqp.exceptions import PreconditionFailed
from nameko.containers import ServiceContainer
from nameko.events import event_handler as plain_event_handler

from fickan_common.testing import fresh_rabbitmq_vhost
from fickan_common.worker import declare_event_queues, event_handler


class Listener:
    name = "listener"

    @event_handler("producer", "thing_happened")
    def on_thing(self, payload):  # type: ignore[no-untyped-def]
        pass


class PlainListener:
    name = "listener"

    @plain_event_handler("producer", "thing_happened")
    def on_thing(self, payload):  # type: ignore[no-untyped-def]
        pass


QUEUE = "evt-producer-thing_happened--listener.on_thing"


@pytest.fixture
def vhost() -> Iterator[tuple[str, str]]:
    with fresh_rabbitmq_vhost() as uri:
        yield uri, uri.rsplit("/", 1)[1]


def queue_types(vhost: str) -> dict[str, str]:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    listed = subprocess.run(
        [ctl, "list_queues", "-p", vhost, "--no-table-headers", "--quiet", "name", "type"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return dict(line.split("\t")[:2] for line in listed.splitlines() if "\t" in line)


def worker_queue(service: type, amqp_uri: str) -> kombu.Queue:
    """The queue nameko's entrypoint will declare when the worker starts (set up, not started)."""
    container = ServiceContainer(service, {"AMQP_URI": amqp_uri})
    (entrypoint,) = container.entrypoints
    entrypoint.setup()
    return entrypoint.queue


def test_migrate_declares_quorum_queues_and_the_worker_declares_the_same(vhost, monkeypatch) -> None:
    uri, name = vhost
    monkeypatch.setenv("FICKAN_AMQP_QUEUE_TYPE", "quorum")
    assert declare_event_queues(uri, Listener) == [QUEUE]
    assert queue_types(name)[QUEUE] == "quorum"

    with kombu.Connection(uri) as conn:
        worker_queue(Listener, uri)(conn.default_channel).declare()  # accepted: same arguments
        with pytest.raises(PreconditionFailed):
            # nameko's own handler declares a classic queue, which RabbitMQ refuses on a quorum one
            worker_queue(PlainListener, uri)(conn.channel()).declare()


def test_by_default_queues_stay_classic(vhost, monkeypatch) -> None:
    uri, name = vhost
    monkeypatch.delenv("FICKAN_AMQP_QUEUE_TYPE", raising=False)
    declare_event_queues(uri, Listener)
    assert queue_types(name)[QUEUE] == "classic"
    with kombu.Connection(uri) as conn:
        worker_queue(Listener, uri)(conn.default_channel).declare()


def test_an_unknown_queue_type_stops_the_process(monkeypatch) -> None:
    from fickan_common.settings import queue_arguments

    monkeypatch.setenv("FICKAN_AMQP_QUEUE_TYPE", "stream-ish")
    with pytest.raises(SystemExit, match="FICKAN_AMQP_QUEUE_TYPE"):
        queue_arguments()
