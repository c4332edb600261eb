from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest

from applications.api import GLANCE_METHODS, register
from applications.migrate import MIGRATIONS
from applications.service import Applications
from fickan.applications.v1 import applications_pb2_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import migrated_database_url
from fickan_common.testing import TokenFactory

# Each test's database starts at the newest schema (migrated once per run, copied per test).
database_url = migrated_database_url(MIGRATIONS)


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    upgrade(MIGRATIONS, database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@dataclass
class Running:
    stub: applications_pb2_grpc.ApplicationsServiceStub
    tokens: TokenFactory
    db: Database
    kicked: list[str]
    applications: Applications


@pytest.fixture
def running(db) -> Iterator[Running]:
    """The real grpcio server on a loopback port, verifying tokens minted by a test key."""
    tokens = TokenFactory()
    kicked: list[str] = []
    applications = Applications(db, on_events=kicked.extend)
    server, port = build_server(
        register(applications), 0, tokens.verifier(), host="127.0.0.1", glance_methods=GLANCE_METHODS
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield Running(applications_pb2_grpc.ApplicationsServiceStub(channel), tokens, db, kicked, applications)
    channel.close()
    server.stop(0)
