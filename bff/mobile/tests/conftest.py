"""Real grpcio servers on free loopback ports with in-memory fakes of the services, and the mobile
BFF built on clients pointing at them. No gRPC mocks: calls, deadlines and token checks are real."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import grpc
import pytest
from flask import Flask
from flask.testing import FlaskClient
from mobile_fakes import (
    PUBLIC_METHODS,
    FakeApplications,
    FakeIdentity,
    FakeNotifications,
    StuckApplications,
    registrar,
)

from bff_mobile.app import create_app
from contact.testing import ContactForTests
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan.contact.v1 import contact_pb2_grpc as contact_grpc
from fickan.identity.v1 import identity_pb2_grpc as identity_grpc
from fickan.insights.v1 import insights_pb2_grpc as insights_grpc
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server
from fickan_common.testing import TokenFactory
from insights.testing import InsightsForTests

TIMEOUT = 2.0


def free_port() -> int:
    """A loopback port nobody listens on (a dead service)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class World:
    tokens: TokenFactory
    identity: FakeIdentity
    applications: FakeApplications
    notifications: FakeNotifications
    contact: ContactForTests
    stuck: StuckApplications
    ports: dict[str, int]
    servers: list[grpc.Server] = field(default_factory=list)

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def services(self, timeout: float = TIMEOUT, **targets: str) -> Services:
        def client(name: str, stub: type) -> ServiceClient:
            return ServiceClient(targets.get(name, self.target(name)), stub, timeout)

        return Services(
            identity=client("identity", identity_grpc.IdentityServiceStub),
            applications=client("applications", apps_grpc.ApplicationsServiceStub),
            notifications=client("notifications", notes_grpc.NotificationsServiceStub),
            contact=client("contact", contact_grpc.ContactServiceStub),
            insights=client("insights", insights_grpc.InsightsServiceStub),
        )

    def reset(self) -> None:
        for fake in (self.identity, self.applications, self.notifications, self.contact):
            fake.reset()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tokens = TokenFactory()
    identity = FakeIdentity(tokens)
    w = World(
        tokens=tokens,
        identity=identity,
        # signatures identity completed; its BankID orders for the signing the service runs
        applications=FakeApplications(signatures=identity.signatures, identity=identity),
        notifications=FakeNotifications(),
        contact=ContactForTests(str(tmp_path_factory.mktemp("contact"))),
        stuck=StuckApplications(),
        ports={},
    )
    plan = {
        "identity": (
            identity_grpc.add_IdentityServiceServicer_to_server,
            w.identity,
            "fickan.identity.v1.IdentityService",
        ),
        "applications": (
            apps_grpc.add_ApplicationsServiceServicer_to_server,
            w.applications,
            "fickan.applications.v1.ApplicationsService",
        ),
        "notifications": (
            notes_grpc.add_NotificationsServiceServicer_to_server,
            w.notifications,
            "fickan.notifications.v1.NotificationsService",
        ),
        "contact": (
            contact_grpc.add_ContactServiceServicer_to_server,
            w.contact.servicer,
            "fickan.contact.v1.ContactService",
        ),
        "stuck": (
            apps_grpc.add_ApplicationsServiceServicer_to_server,
            w.stuck,
            "fickan.applications.v1.ApplicationsService",
        ),
    }
    for name, (add, servicer, service_name) in plan.items():
        server, port = build_server(
            registrar(add, servicer, service_name),
            0,
            tokens.verifier(),
            public_methods={*PUBLIC_METHODS, *w.contact.public_methods},
            host="127.0.0.1",
        )
        w.servers.append(server)
        w.ports[name] = port
    insights = InsightsForTests(str(tmp_path_factory.mktemp("insights")))
    server, w.ports["insights"] = insights.serve(tokens.verifier())
    w.servers.append(server)
    yield w
    w.stuck.release.set()
    for server in w.servers:
        server.stop(grace=None)
    w.contact.close()


def _close(services: Services) -> None:
    for client in services.all().values():
        client.close()


@pytest.fixture
def app(world: World) -> Iterator[Flask]:
    world.reset()
    services = world.services()
    yield create_app(services)
    _close(services)


@pytest.fixture
def dead_target() -> str:
    """The address of a service that is down."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Resident:
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def resident(world: World) -> Resident:
    user_id = "resident-1"
    return Resident(user_id, world.tokens.token(user_id, name="Tove Svensson", device="mobile"))


@pytest.fixture
def neighbour(world: World) -> Resident:
    user_id = "resident-2"
    return Resident(user_id, world.tokens.token(user_id, name="Nils Nilsson", device="mobile"))
