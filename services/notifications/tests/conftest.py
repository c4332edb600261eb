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
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import database_url  # noqa: F401 - shared fixture
from fickan_common.testing import TokenFactory
from notifications.api import GLANCE_METHODS, register
from notifications.migrate import MIGRATIONS
from notifications.service import Notifications


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
def stub(db: Database, tokens: TokenFactory) -> Iterator[pb_grpc.NotificationsServiceStub]:
    """The official client stub, talking over loopback to the real server with this db."""
    server, port = build_server(
        register(Notifications(db)), 0, tokens.verifier(), host="127.0.0.1", glance_methods=GLANCE_METHODS
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield pb_grpc.NotificationsServiceStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)
