"""The real notifications service in-process, for other packages' tests (the BFFs'): a migrated
SQLite database, the grpcio server on a free loopback port with short heartbeats, and a way to
make events happen. No fake of our own service."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc

from fickan_common.db import Database
from fickan_common.events import envelope
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.tokens import TokenVerifier
from notifications import handlers
from notifications.api import COMMANDS, GLANCE_METHODS, PUBLIC_METHODS, NotificationsServicer, register
from notifications.live import Hub
from notifications.migrate import MIGRATIONS
from notifications.service import Notifications
from notifications.store import IDEMPOTENCY


@dataclass
class RunningNotifications:
    target: str
    db: Database
    hub: Hub
    server: grpc.Server

    def event(self, producer: str, event_type: str, data: Any) -> None:
        """An event as the producer would publish it, handled as the worker would, and the open
        streams woken as the worker's feed_appended event would."""
        body = envelope(producer, event_type, data)
        handlers.handle_event(self.db, producer, event_type, body)
        for resident in _residents(data):
            self.hub.wake(resident)


def _residents(data: Any) -> list[str]:
    found = list(getattr(data, "resident_ids", []))
    for name in ("resident_id", "applicant_id", "co_applicant_id", "asker_id"):
        value = getattr(data, name, "")
        if value:
            found.append(value)
    return found


@contextmanager
def running_notifications(
    verifier: TokenVerifier, directory: str, heartbeat: float = 1.0, wrap: Callable[[Any], Any] = lambda s: s
) -> Iterator[RunningNotifications]:
    """`wrap` may put something around the servicer (a test's window on the calls reaching it)."""
    url = f"sqlite:///{directory}/notifications-{uuid.uuid4().hex[:8]}.db"
    upgrade(MIGRATIONS, url)
    db = Database(url)
    hub = Hub()
    service = Notifications(db)
    servicer = NotificationsServicer(service, hub, heartbeat=heartbeat, poll=0.5, vapid_key="BTestKey")
    server, port = build_server(
        register(service, wrap(servicer)),
        0,
        verifier,
        PUBLIC_METHODS,
        host="127.0.0.1",
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
        max_workers=64,
    )
    try:
        yield RunningNotifications(f"127.0.0.1:{port}", db, hub, server)
    finally:
        server.stop(grace=None)
        db.dispose()
