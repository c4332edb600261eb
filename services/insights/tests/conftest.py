"""Fixtures of the insights tests: a migrated database on SQLite and on PostgreSQL, the local
Kolada double, signed tokens, and the real grpcio server in-process.

eventlet is deliberately NOT monkey-patched here: grpcio calls hang under eventlet's monkey
patching, and these tests start no nameko container (worker_factory needs no eventlet hub).
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from kolada_double import KoladaData, KoladaDouble

from fickan.insights.v1 import insights_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import migrated_database_url
from fickan_common.testing import TokenFactory
from insights.api import COMMANDS, PUBLIC_METHODS, register
from insights.domain import catalogue as catalogue_module
from insights.domain import guides
from insights.migrate import MIGRATIONS
from insights.service import Insights
from insights.settings import DATA
from insights.store import IDEMPOTENCY

# Each test's database starts at the newest schema (migrated once per run, copied per test).
database_url = migrated_database_url(MIGRATIONS)

HOME = "1283"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The service's database, migrated the way `python -m insights.migrate` does."""
    upgrade(MIGRATIONS, database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def catalogue() -> catalogue_module.Catalogue:
    return catalogue_module.load(DATA / "comparisons.json")


@pytest.fixture(scope="session")
def guide_set() -> guides.Guides:
    return guides.load_dir(DATA / "guides")


@pytest.fixture
def insights(db: Database, catalogue: catalogue_module.Catalogue, guide_set: guides.Guides) -> Insights:
    return Insights(db, catalogue, guide_set, HOME)


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture
def stub(insights: Insights, db: Database, tokens: TokenFactory) -> Iterator[pb_grpc.InsightsServiceStub]:
    """The official client stub, talking over loopback to the real server."""
    server, port = build_server(
        register(insights),
        0,
        tokens.verifier(),
        PUBLIC_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
        host="127.0.0.1",
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield pb_grpc.InsightsServiceStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)


@pytest.fixture
def kolada() -> Iterator[KoladaDouble]:
    double = KoladaDouble(KoladaData())
    yield double
    double.stop()
