"""Real grpcio servers on free loopback ports with small fakes of identity (its JWKS, watch pairing
and the watch-token exchange), applications and notifications; the watch BFF is built on clients
pointing at them. No gRPC mocks. The fakes' servers let a glance token (scope "glance") call only
what a glance needs, as the real services do."""

from __future__ import annotations

import secrets
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff_watch.app import create_app
from contact.testing import ContactForTests
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan.contact.v1 import contact_pb2_grpc as contact_grpc
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.identity.v1 import identity_pb2_grpc as identity_grpc
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_bff import case_status
from fickan_bff.clients import Services
from fickan_common.errors import NotFound, Unauthenticated
from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server, current_principal
from fickan_common.testing import TokenFactory

TIMEOUT = 1.0
STATUS_TEXT = {"draft": "Utkast – inte skickad än", "submitted": "Skickad – vi har tagit emot din ansökan"}
STATUS_TEXT_EN = {"draft": "Draft – not sent yet", "submitted": "Sent – we have received your application"}
WATCH_UNPAIRED = "Klockan är inte längre kopplad. Koppla den igen."
IDENTITY = "/fickan.identity.v1.IdentityService/"
PUBLIC_METHODS = tuple(IDENTITY + m for m in ("GetJwks", "StartWatchPairing", "PollWatchPairing", "ExchangeWatchToken"))
GLANCE_METHODS = (
    "/fickan.applications.v1.ApplicationsService/GetMyCaseGlance",
    "/fickan.notifications.v1.NotificationsService/GetUnreadCount",
)
_POLL = identity_pb.PollWatchPairingResponse


def free_port() -> int:
    """A loopback port nobody listens on (a dead service)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeIdentity(identity_grpc.IdentityServiceServicer):
    """Pairings by device code; a confirmed one hands out its watch token once; a watch token trades
    for a real signed glance token (or, to test the BFF's own check, whatever `mint` makes)."""

    def __init__(self, tokens: TokenFactory) -> None:
        self.tokens = tokens
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.pairings: dict[str, dict[str, Any]] = {}  # device code → pairing
        self.watch_tokens: dict[str, dict[str, Any]] = {}  # watch token → pairing
        self.polled: list[str] = []
        self.exchanged: list[str] = []
        self.glance_ttl = 300
        self.mint: Any = None

    def confirm(self, user_code: str, user_id: str, name: str = "Tove Svensson") -> None:
        """What the resident does in the app."""
        [pairing] = [p for p in self.pairings.values() if p["user_code"] == user_code]
        pairing.update(status="confirmed", user_id=user_id, name=name)

    def paired(self, user_id: str = "resident-1", name: str = "Tove Svensson") -> str:
        """A watch token of a live pairing (as if the whole pairing had been done)."""
        watch_token = secrets.token_urlsafe(32)
        self.watch_tokens[watch_token] = {"id": str(uuid.uuid4()), "user_id": user_id, "name": name, "revoked": False}
        return watch_token

    def revoke(self, watch_token: str) -> None:
        self.watch_tokens[watch_token]["revoked"] = True

    def GetJwks(self, request, context):  # noqa: N802
        return identity_pb.GetJwksResponse(jwks_json=self.tokens.jwks_json())

    def StartWatchPairing(self, request, context):  # noqa: N802
        device_code = secrets.token_urlsafe(32)
        user_code = "BCDF-" + "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(4))
        with self.lock:
            self.pairings[device_code] = {"user_code": user_code, "status": "pending", "id": str(uuid.uuid4())}
        return identity_pb.StartWatchPairingResponse(
            device_code=device_code, user_code=user_code, expires_in=600, interval=5
        )

    def PollWatchPairing(self, request, context):  # noqa: N802
        self.polled.append(request.device_code)
        with self.lock:
            pairing = self.pairings.get(request.device_code)
            if pairing is None:
                raise NotFound("Kopplingen finns inte. Starta om kopplingen på klockan.")
            status = pairing["status"]
            if status == "pending":
                return _POLL(status=_POLL.AUTHORIZATION_PENDING)
            if status == "slow_down":
                return _POLL(status=_POLL.SLOW_DOWN)
            if status == "confirmed":
                watch_token = secrets.token_urlsafe(32)
                self.watch_tokens[watch_token] = {**pairing, "revoked": False}
                pairing["status"] = "paired"
                return _POLL(status=_POLL.COMPLETE, watch_token=watch_token, name=pairing["name"])
            if status == "unknown":
                return _POLL(status=_POLL.STATUS_UNSPECIFIED)
            return _POLL(status=_POLL.EXPIRED)  # expired, or paired already: the token is handed out once

    def ExchangeWatchToken(self, request, context):  # noqa: N802
        self.exchanged.append(request.watch_token)
        pairing = self.watch_tokens.get(request.watch_token)
        if pairing is None or pairing["revoked"]:
            raise Unauthenticated(WATCH_UNPAIRED)
        claims = {"name": pairing["name"], "device": "watch", "sid": f"watch:{pairing['id']}", "scope": "glance"}
        if self.mint is not None:
            token = self.mint(pairing["user_id"], **claims)
        else:
            token = self.tokens.token(pairing["user_id"], expires_in=self.glance_ttl, **claims)
        return identity_pb.ExchangeWatchTokenResponse(access_token=token, expires_in=self.glance_ttl)


class FakeApplications(apps_grpc.ApplicationsServiceServicer):
    """Each resident's cases; the glance is the caller's latest (from the verified token), as
    applications' GetMyCaseGlance answers it. ListMyApplications is not served: the watch no longer
    needs it."""

    def __init__(self) -> None:
        self.cases: dict[str, list[dict[str, Any]]] = {}
        self.callers: list[str] = []
        self.scopes: list[tuple[str, ...]] = []
        self.refuse_tokens: set[str] = set()  # tokens this service will not take (e.g. a retired key)
        self.refuse_all = False

    def add(self, owner: str, status: str = "submitted", days_ago: int = 0, **values: Any) -> None:
        """A case; `values` are CaseGlance fields (next_action, seconds_to_decision, payment_date, …)."""
        self.cases.setdefault(owner, []).append(
            {
                "when": datetime.now(UTC) - timedelta(days=days_ago),
                "application_id": f"case-{len(self.cases.get(owner, []))}",
                "title": values.pop("title", "Ansökan om ekonomiskt bistånd"),
                "status": status,
                "status_text": values.pop("status_text", STATUS_TEXT.get(status, status)),
                "status_text_en": values.pop("status_text_en", STATUS_TEXT_EN.get(status, "")),
                **values,
            }
        )

    def GetMyCaseGlance(self, request, context):  # noqa: N802
        principal = current_principal()
        if self.refuse_all or principal.token in self.refuse_tokens:
            raise Unauthenticated("Inloggningen kunde inte kontrolleras. Logga in igen.")
        me = principal.user_id
        self.callers.append(me)
        self.scopes.append(principal.scope)
        mine = self.cases.get(me, [])
        if not mine:
            return apps_pb.CaseGlance(has_case=False)
        latest = max(mine, key=lambda case: case["when"])
        shown = {k: v for k, v in latest.items() if k not in ("when", "status")}
        return apps_pb.CaseGlance(has_case=True, status=case_status.value(latest["status"]), **shown)


class FakeNotifications(notes_grpc.NotificationsServiceServicer):
    def __init__(self) -> None:
        self.unread: dict[str, int] = {}

    def GetUnreadCount(self, request, context):  # noqa: N802
        return notes_pb.GetUnreadCountResponse(unread=self.unread.get(current_principal().user_id, 0))


@dataclass
class World:
    tokens: TokenFactory
    identity: FakeIdentity
    applications: FakeApplications
    notifications: FakeNotifications
    contact: ContactForTests
    ports: dict[str, int] = field(default_factory=dict)
    servers: list[grpc.Server] = field(default_factory=list)

    def services(self, **targets: str) -> Services:
        def client(name: str, stub: type) -> ServiceClient:
            return ServiceClient(targets.get(name, f"127.0.0.1:{self.ports[name]}"), stub, TIMEOUT)

        return Services(
            identity=client("identity", identity_grpc.IdentityServiceStub),
            applications=client("applications", apps_grpc.ApplicationsServiceStub),
            notifications=client("notifications", notes_grpc.NotificationsServiceStub),
            contact=client("contact", contact_grpc.ContactServiceStub),
        )


def _register(add: Any, servicer: Any, name: str) -> Any:
    def register(server: grpc.Server) -> Iterable[str]:
        add(servicer, server)
        return [name]

    return register


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tokens = TokenFactory()
    contact = ContactForTests(str(tmp_path_factory.mktemp("contact")))
    w = World(tokens, FakeIdentity(tokens), FakeApplications(), FakeNotifications(), contact)
    plan = {
        "identity": (identity_grpc.add_IdentityServiceServicer_to_server, w.identity),
        "applications": (apps_grpc.add_ApplicationsServiceServicer_to_server, w.applications),
        "notifications": (notes_grpc.add_NotificationsServiceServicer_to_server, w.notifications),
        "contact": (contact_grpc.add_ContactServiceServicer_to_server, contact.servicer),
    }
    for name, (add, servicer) in plan.items():
        server, port = build_server(
            _register(add, servicer, name),
            0,
            tokens.verifier(),
            public_methods={*PUBLIC_METHODS, *contact.public_methods},
            host="127.0.0.1",
            glance_methods={*GLANCE_METHODS, *contact.glance_methods},
        )
        w.servers.append(server)
        w.ports[name] = port
    yield w
    for server in w.servers:
        server.stop(grace=None)
    contact.close()


@pytest.fixture(autouse=True)
def _fresh(world: World) -> None:
    world.identity.reset()
    world.applications.cases.clear()
    world.applications.callers.clear()
    world.applications.scopes.clear()
    world.applications.refuse_tokens.clear()
    world.applications.refuse_all = False
    world.notifications.unread.clear()
    world.contact.reset()


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


@pytest.fixture(params=["watch_token", "resident_jwt"])
def auth(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    """Resident 1 on the watch: a paired watch's token, or (older clients) the resident's own JWT."""
    if request.param == "watch_token":
        return {"Authorization": f"Bearer {world.identity.paired('resident-1')}"}
    return {"Authorization": f"Bearer {world.tokens.token('resident-1', device='watch')}"}


@pytest.fixture
def watch(world: World) -> dict[str, str]:
    """A paired watch of resident 1 (its watch token)."""
    return {"Authorization": f"Bearer {world.identity.paired('resident-1')}"}
