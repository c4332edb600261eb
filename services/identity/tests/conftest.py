from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from fickan.identity.v1 import identity_pb2_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade
from fickan_common.pytest_fixtures import migrated_database_url
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.api import GLANCE_METHODS, PUBLIC_METHODS, register
from identity.bankid.client import RpClient
from identity.bankid.simulator_server import SimulatorServer
from identity.domain.bankid import Simulator
from identity.keys import SigningKeys
from identity.migrate import MIGRATIONS
from identity.service import Identity

# Each test's database starts at the newest schema (migrated once per run, copied per test).
database_url = migrated_database_url(MIGRATIONS)

DATA = Path(__file__).parent / "data"


@dataclass
class Running:
    identity: Identity
    stub: identity_pb2_grpc.IdentityServiceStub
    simulator: Simulator
    db: Database
    bankid_url: str = ""


@pytest.fixture
def simulator_server() -> Iterator[SimulatorServer]:
    """The simulator over HTTP on a free loopback port."""
    names = {"199001012385": "Anna Andersson", "199001022384": "Sara Andersson"}
    server = SimulatorServer(Simulator(pending_collects=1, names=names), port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running(database_url, tmp_path, simulator_server) -> Iterator[Running]:
    """identity's real grpcio server on a free loopback port and a real DB, talking to the simulator
    with the real RP API client over HTTP."""
    upgrade(MIGRATIONS, database_url)
    db = Database(database_url)
    keys = SigningKeys(tmp_path / "keys", generate=True)
    simulator = simulator_server.simulator
    # collect_interval 0: the tests poll back to back (the 2 s throttle has its own test)
    identity = Identity(
        db, keys, RpClient(simulator_server.url, retry_wait=0.01), access_token_ttl=60, collect_interval=0
    )
    server, port = build_server(
        register(identity),
        0,
        TokenVerifier(JwksCache(keys.jwks_json)),
        PUBLIC_METHODS,
        host="127.0.0.1",
        glance_methods=GLANCE_METHODS,
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield Running(identity, identity_pb2_grpc.IdentityServiceStub(channel), simulator, db, simulator_server.url)
    channel.close()
    server.stop(0)
    db.dispose()
