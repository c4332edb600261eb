"""Fixtures of the contact tests: a migrated database on SQLite and on PostgreSQL, signed tokens,
and the real grpcio server in-process.

eventlet is deliberately NOT monkey-patched here: grpcio calls hang under eventlet's monkey
patching, and these tests start no nameko container (worker_factory needs no eventlet hub).
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from contact.api import PUBLIC, build, register
from contact.migrate import MIGRATIONS
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import migrated_database_url
from fickan_common.testing import TokenFactory

# Each test's database starts at the newest schema (migrated once per run, copied per test).
database_url = migrated_database_url(MIGRATIONS)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The service's database, migrated the way `python -m contact.migrate` does."""
    upgrade(MIGRATIONS, database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture
def kicked() -> list[str]:
    """The event ids the api told its flusher to publish at once."""
    return []


@pytest.fixture
def stub(db: Database, tokens: TokenFactory, kicked: list[str]) -> Iterator[pb_grpc.ContactServiceStub]:
    """The official client stub, talking over loopback to the real server with this db."""
    server, port = build_server(
        register(build(db, on_events=kicked.extend)), 0, tokens.verifier(), host="127.0.0.1", public_methods=PUBLIC
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield pb_grpc.ContactServiceStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)
