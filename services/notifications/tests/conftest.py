"""Fixtures of the notifications tests: a migrated database on SQLite and on PostgreSQL, signed
tokens, and the real grpcio server in-process.

eventlet is deliberately NOT monkey-patched here: these tests use only nameko's worker_factory,
which starts no container and needs no eventlet hub, while the contract tests run a real grpcio
server, and grpcio calls hang under eventlet's monkey patching (tried: a GetUnreadCount call never
returned). A test that needs container_factory belongs in its own, monkey-patched, test run.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from fickan.notifications.v1 import notifications_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import migrated_database_url
from fickan_common.testing import SmtpSink, TokenFactory, WebPushTestingService
from notifications.api import COMMANDS, GLANCE_METHODS, PUBLIC_METHODS, NotificationsServicer, register
from notifications.live import Hub
from notifications.migrate import MIGRATIONS
from notifications.service import Notifications
from notifications.store import IDEMPOTENCY

# Each test's database starts at the newest schema (migrated once per run, copied per test).
database_url = migrated_database_url(MIGRATIONS)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The service's database, migrated the way `python -m notifications.migrate` does."""
    upgrade(MIGRATIONS, database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture
def hub() -> Hub:
    return Hub()


@pytest.fixture
def stub(db: Database, tokens: TokenFactory, hub: Hub) -> Iterator[pb_grpc.NotificationsServiceStub]:
    """The official client stub, talking over loopback to the real server with this db. Streams
    heartbeat every 0.5 s and reread their feed every 0.2 s, so tests need not wait long."""
    notifications = Notifications(db)
    servicer = NotificationsServicer(notifications, hub, heartbeat=0.5, poll=0.2, vapid_key="test-key")
    server, port = build_server(
        register(notifications, servicer),
        0,
        tokens.verifier(),
        PUBLIC_METHODS,
        host="127.0.0.1",
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
        max_workers=32,
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield pb_grpc.NotificationsServiceStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on loopback."""
    sink = SmtpSink().up()
    yield sink
    sink.down()


@pytest.fixture(scope="session")
def push_service() -> Iterator[WebPushTestingService]:
    """A real Web Push service double (npm web-push-testing) that checks VAPID and decrypts."""
    service = WebPushTestingService()
    if not service.available():
        pytest.fail("web-push-testing is not installed: run scripts/ensure_test_services.sh")
    service.start()
    yield service
    service.stop()
