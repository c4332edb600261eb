"""Real grpcio servers (in-process, free ports) with small fake servicers, and the web app on top."""

from __future__ import annotations

import re
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))

from web_fakes import (
    APPLICATIONS_PUBLIC,
    IDENTITY_PUBLIC,
    FakeApplications,
    FakeIdentity,
    FakeNotifications,
)

from bff_web.app import create_app
from contact import api as contact_api
from contact.store import IDEMPOTENCY as CONTACT_IDEMPOTENCY
from contact.testing import ContactForTests
from fickan.applications.v1 import applications_pb2_grpc
from fickan.contact.v1 import contact_pb2_grpc
from fickan.identity.v1 import identity_pb2_grpc
from fickan.insights.v1 import insights_pb2_grpc
from fickan.notifications.v1 import notifications_pb2_grpc
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.testing import TokenFactory
from insights.testing import InsightsForTests

PNR_ANNA = "199001011234"
PNR_BO = "198505055678"


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    """The three fake services on real gRPC servers, and the real insights service (in-process, on
    SQLite, with its demo figures)."""

    def __init__(self) -> None:
        self.factory = TokenFactory()
        verifier = self.factory.verifier()
        self.identity = FakeIdentity(self.factory)
        self.applications = FakeApplications(self.identity)
        self.notifications = FakeNotifications()

        def reg_identity(server):  # type: ignore[no-untyped-def]
            identity_pb2_grpc.add_IdentityServiceServicer_to_server(self.identity, server)
            return ["fickan.identity.v1.IdentityService"]

        def reg_applications(server):  # type: ignore[no-untyped-def]
            applications_pb2_grpc.add_ApplicationsServiceServicer_to_server(self.applications, server)
            return ["fickan.applications.v1.ApplicationsService"]

        def reg_notifications(server):  # type: ignore[no-untyped-def]
            notifications_pb2_grpc.add_NotificationsServiceServicer_to_server(self.notifications, server)
            return ["fickan.notifications.v1.NotificationsService"]

        self.servers = []
        self.ports: dict[str, int] = {}
        for name, register, public in (
            ("identity", reg_identity, IDENTITY_PUBLIC),
            ("applications", reg_applications, APPLICATIONS_PUBLIC),
            ("notifications", reg_notifications, ()),
        ):
            server, port = build_server(register, 0, verifier, public_methods=public, host="127.0.0.1")
            self.servers.append(server)
            self.ports[name] = port
        self.insights = InsightsForTests(tempfile.mkdtemp(prefix="fickan-web-insights-"))
        server, self.ports["insights"] = self.insights.serve(verifier)
        self.servers.append(server)
        self.contact = start_contact(self, verifier)

    def services(self, timeout: float = 2.0, **targets: str) -> Services:
        def target(name: str) -> str:
            return targets.get(name) or f"127.0.0.1:{self.ports[name]}"

        return Services(
            identity=ServiceClient(target("identity"), identity_pb2_grpc.IdentityServiceStub, timeout),
            applications=ServiceClient(target("applications"), applications_pb2_grpc.ApplicationsServiceStub, timeout),
            notifications=ServiceClient(
                target("notifications"), notifications_pb2_grpc.NotificationsServiceStub, timeout
            ),
            contact=ServiceClient(target("contact"), contact_pb2_grpc.ContactServiceStub, timeout),
            insights=ServiceClient(target("insights"), insights_pb2_grpc.InsightsServiceStub, timeout),
        )

    def reset(self) -> None:
        self.identity.orders.clear()
        self.identity.started_with.clear()
        self.identity.pending_polls = 1
        self.identity.expires_in = 600
        self.identity.bankid_disrupted = False
        self.identity.idle_timeout = 0
        self.identity.refreshes = 0
        for state in (
            self.identity.devices,
            self.identity.revoked,
            self.identity.access_log,
            self.identity.staff,
            self.identity.roles,
            self.identity.extra_claims,
            self.applications.staff_reads,
            self.identity.sign_orders,
            self.identity.signatures,
            self.identity.started_signing,
        ):
            state.clear()
        self.applications.apps.clear()
        self.applications.save_calls = 0
        self.applications.delay = 0.0
        self.notifications.messages.clear()
        self.insights.reset()
        self.contact.reset()

    def stop(self) -> None:
        for server in self.servers:
            server.stop(grace=0)


def start_contact(platform: Platform, verifier) -> ContactForTests:  # type: ignore[no-untyped-def]
    """The real contact service (its own SQLite database), with its idempotent commands."""
    contact = ContactForTests(tempfile.mkdtemp(prefix="fickan-web-contact-"))
    server, port = build_server(
        contact_api.register(contact.servicer),
        0,
        verifier,
        public_methods=contact.public_methods,
        glance_methods=contact.glance_methods,
        commands=contact_api.COMMANDS,
        idempotency=IdempotencyStore(contact.db, CONTACT_IDEMPOTENCY),
        host="127.0.0.1",
    )
    platform.servers.append(server)
    platform.ports["contact"] = port
    return contact


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    platform = Platform()
    yield platform
    platform.stop()


@pytest.fixture(autouse=True)
def _clean(platform: Platform) -> None:
    platform.reset()


@pytest.fixture
def app(platform: Platform) -> Flask:
    app = create_app(platform.services())
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def login(client: FlaskClient, personal_number: str = PNR_ANNA) -> None:
    """The whole login flow, as a browser without JavaScript would do it."""
    token = csrf_of(page(client, "/logga-in"))
    response = client.post("/logga-in", data={"personal_number": personal_number, "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/logga-in/vantar")
    for _ in range(5):
        response = client.get("/logga-in/vantar")
        if response.status_code == 302:
            assert response.location.endswith("/mina-sidor")
            return
    raise AssertionError("login never completed")


def new_application(client: FlaskClient) -> str:
    """Creates a draft from Mina sidor; returns its id."""
    token = csrf_of(page(client, "/mina-sidor"))
    response = client.post("/ansokan/ny", data={"csrf_token": token})
    assert response.status_code == 302
    return response.location.rsplit("/", 1)[1]
