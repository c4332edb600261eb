"""Real grpcio servers on free loopback ports with small fakes of identity (its JWKS), applications
and notifications; the watch BFF is built on clients pointing at them. No gRPC mocks."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from flask import Flask
from flask.testing import FlaskClient
from google.protobuf.timestamp_pb2 import Timestamp

from bff_watch.app import create_app
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan.contact.v1 import contact_pb2_grpc as contact_grpc
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.identity.v1 import identity_pb2_grpc as identity_grpc
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server, current_principal
from fickan_common.testing import TokenFactory

TIMEOUT = 1.0
STATUS_TEXT = {"draft": "Utkast – inte skickad än", "submitted": "Skickad – vi har tagit emot din ansökan"}


def free_port() -> int:
    """A loopback port nobody listens on (a dead service)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


class FakeIdentity(identity_grpc.IdentityServiceServicer):
    def __init__(self, tokens: TokenFactory) -> None:
        self.tokens = tokens

    def GetJwks(self, request, context):  # noqa: N802
        return identity_pb.GetJwksResponse(jwks_json=self.tokens.jwks_json())


class FakeApplications(apps_grpc.ApplicationsServiceServicer):
    """Each resident's cases; answers only the caller's own (from the verified token)."""

    def __init__(self) -> None:
        self.cases: dict[str, list[apps_pb.Application]] = {}
        self.callers: list[str] = []

    def add(self, owner: str, status: str = "submitted", days_ago: int = 0, **values: Any) -> None:
        when = datetime.now(UTC) - timedelta(days=days_ago)
        message = apps_pb.Application(
            application_id=f"case-{len(self.cases.get(owner, []))}",
            kind="ekonomiskt_bistand",
            title=values.pop("title", "Ansökan om ekonomiskt bistånd"),
            status=status,
            status_text=values.pop("status_text", STATUS_TEXT.get(status, status)),
            version=1,
            created_at=_ts(when),
            **values,
        )
        if status == "submitted":
            message.submitted_at.CopyFrom(_ts(when))
        self.cases.setdefault(owner, []).append(message)

    def ListMyApplications(self, request, context):  # noqa: N802
        me = current_principal().user_id
        self.callers.append(me)
        return apps_pb.ListMyApplicationsResponse(applications=self.cases.get(me, []))


class FakeNotifications(notes_grpc.NotificationsServiceServicer):
    def __init__(self) -> None:
        self.unread: dict[str, int] = {}

    def GetUnreadCount(self, request, context):  # noqa: N802
        return notes_pb.GetUnreadCountResponse(unread=self.unread.get(current_principal().user_id, 0))


@dataclass
class World:
    tokens: TokenFactory
    applications: FakeApplications
    notifications: FakeNotifications
    ports: dict[str, int] = field(default_factory=dict)
    servers: list[grpc.Server] = field(default_factory=list)

    def services(self, **targets: str) -> Services:
        def client(name: str, stub: type) -> ServiceClient:
            return ServiceClient(targets.get(name, f"127.0.0.1:{self.ports[name]}"), stub, TIMEOUT)

        return Services(
            identity=client("identity", identity_grpc.IdentityServiceStub),
            applications=client("applications", apps_grpc.ApplicationsServiceStub),
            notifications=client("notifications", notes_grpc.NotificationsServiceStub),
            # The watch never asks contact; a dead address proves it does not need to.
            contact=ServiceClient(f"127.0.0.1:{free_port()}", contact_grpc.ContactServiceStub, TIMEOUT),
        )


def _register(add: Any, servicer: Any, name: str) -> Any:
    def register(server: grpc.Server) -> Iterable[str]:
        add(servicer, server)
        return [name]

    return register


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    tokens = TokenFactory()
    w = World(tokens, FakeApplications(), FakeNotifications())
    plan = {
        "identity": (identity_grpc.add_IdentityServiceServicer_to_server, FakeIdentity(tokens)),
        "applications": (apps_grpc.add_ApplicationsServiceServicer_to_server, w.applications),
        "notifications": (notes_grpc.add_NotificationsServiceServicer_to_server, w.notifications),
    }
    for name, (add, servicer) in plan.items():
        server, port = build_server(
            _register(add, servicer, name),
            0,
            tokens.verifier(),
            public_methods=("/fickan.identity.v1.IdentityService/GetJwks",),
            host="127.0.0.1",
        )
        w.servers.append(server)
        w.ports[name] = port
    yield w
    for server in w.servers:
        server.stop(grace=None)


@pytest.fixture(autouse=True)
def _fresh(world: World) -> None:
    world.applications.cases.clear()
    world.applications.callers.clear()
    world.notifications.unread.clear()


@pytest.fixture
def app(world: World) -> Iterator[Flask]:
    services = world.services()
    yield create_app(services)
    for c in services.all().values():
        c.close()


@pytest.fixture
def dead_target() -> str:
    """The address of a service that is down."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(world: World) -> dict[str, str]:
    """A resident logged in on the watch."""
    return {"Authorization": f"Bearer {world.tokens.token('resident-1', device='watch')}"}
