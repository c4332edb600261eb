"""The real services for the BFFs' tests: identity, applications, notifications, contact and insights
in-process, each on its own SQLite database and its own grpcio server on a free loopback port, tokens
signed by identity's keys and verified by every server with identity's JWKS, as in production.

Started once per test session and emptied between tests (rows deleted, not databases rebuilt), so
the suites stay fast. Every servicer is wrapped in a `Spy`: it notes which calls reach the service
(so a test can prove the BFF did not ask) and, for failure injection only, lets a test make one
method answer differently. Nothing here re-implements what a service does."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from sqlalchemy import delete, select

from applications.store import OUTBOX as APPLICATIONS_OUTBOX
from applications.testing import ApplicationsForTests
from contact import api as contact_api
from contact.handlers import handle_case_status_changed
from contact.store import IDEMPOTENCY as CONTACT_IDEMPOTENCY
from contact.testing import ContactForTests
from fickan.applications.events.v1 import events_pb2 as app_events
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan.contact.v1 import contact_pb2_grpc as contact_grpc
from fickan.identity.v1 import identity_pb2_grpc as identity_grpc
from fickan.insights.v1 import insights_pb2_grpc as insights_grpc
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_bff.clients import Services
from fickan_common import grpc_server
from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.tokens import Principal
from identity.testing import IdentityForTests, LoggedIn
from insights.testing import InsightsForTests
from notifications import store as notifications_store
from notifications.testing import RunningNotifications, running_notifications


def free_port() -> int:
    """A loopback port nobody listens on (a dead service)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Call:
    method: str
    request: Any
    caller: Principal | None

    @property
    def user_id(self) -> str:
        return self.caller.user_id if self.caller else ""


class Spy:
    """The real servicer with a window on it: `calls` are the calls that reached it (after the
    server's token check), in order. `inject(method, answer)` makes one method answer with `answer`
    instead (a failure a real service shows only rarely); `reset()` forgets both."""

    def __init__(self, servicer: Any) -> None:
        self._servicer = servicer
        self._lock = threading.Lock()
        self.calls: list[Call] = []
        self._injected: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._servicer, name)
        if not name[:1].isupper() or not callable(real):
            return real

        def method(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                self.calls.append(Call(name, request, grpc_server._principal.get()))
                answer = self._injected.get(name, real)
            return answer(request, context)

        return method

    def inject(self, method: str, answer: Callable[..., Any]) -> None:
        getattr(self._servicer, method)  # a method the service has
        with self._lock:
            self._injected[method] = answer

    def names(self) -> list[str]:
        """The methods called, in order; the fetch of identity's public keys (GetJwks, which every
        token check may need once) left out."""
        with self._lock:
            return [c.method for c in self.calls if c.method != "GetJwks"]

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._injected.clear()


STUBS = {
    "identity": identity_grpc.IdentityServiceStub,
    "applications": apps_grpc.ApplicationsServiceStub,
    "notifications": notes_grpc.NotificationsServiceStub,
    "contact": contact_grpc.ContactServiceStub,
    "insights": insights_grpc.InsightsServiceStub,
}


class RealServices:
    """The five services, running. `identity`, `applications`, `contact`, `insights` are the
    services' own test helpers; `notifications` is notifications.testing's running service;
    `spies[name]` sees the calls reaching each."""

    def __init__(self, folder: str | Path, heartbeat: float = 1.0) -> None:
        folder = Path(folder)
        for name in ("identity", "applications", "contact", "insights", "notifications"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        self._stack = ExitStack()
        self.servers: list[grpc.Server] = []
        self.ports: dict[str, int] = {}
        self.spies: dict[str, Spy] = {}

        self.identity = IdentityForTests(folder / "identity")
        self._stack.callback(self.identity.close)
        self.verifier = self.identity.verifier()
        self.spies["identity"] = Spy(self.identity.servicer)
        self._started("identity", self.identity.serve(self.spies["identity"]))

        identity_keys = self.identity.verifier()
        self.applications = ApplicationsForTests(folder / "applications", identity_keys, self.target("identity"))
        self._stack.callback(self.applications.close)
        self.spies["applications"] = Spy(self.applications.servicer)
        self._started("applications", self.applications.serve(self.verifier, self.spies["applications"]))

        self.contact = ContactForTests(str(folder / "contact"))
        self._stack.callback(self.contact.close)
        self.spies["contact"] = Spy(self.contact.servicer)
        self._started(
            "contact",
            build_server(
                contact_api.register(self.spies["contact"]),  # type: ignore[arg-type]
                0,
                self.verifier,
                public_methods=self.contact.public_methods,
                glance_methods=self.contact.glance_methods,
                commands=contact_api.COMMANDS,
                idempotency=IdempotencyStore(self.contact.db, CONTACT_IDEMPOTENCY),
                host="127.0.0.1",
            ),
        )

        self.insights = InsightsForTests(str(folder / "insights"))
        self._stack.callback(self.insights.close)
        self._started("insights", self.insights.serve(self.verifier))

        self.notifications: RunningNotifications = self._stack.enter_context(
            running_notifications(
                self.verifier,
                str(folder / "notifications"),
                heartbeat=heartbeat,
                wrap=lambda servicer: self.spies.setdefault("notifications", Spy(servicer)),
            )
        )
        self.ports["notifications"] = int(self.notifications.target.rsplit(":", 1)[1])

    def _started(self, name: str, started: tuple[grpc.Server, int]) -> None:
        server, port = started
        self.servers.append(server)
        self.ports[name] = port

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def services(self, timeout: float = 2.0, **targets: str) -> Services:
        """Clients of the running services (`targets` points some elsewhere: a dead port, a stuck one)."""
        return Services(
            **{name: ServiceClient(targets.get(name, self.target(name)), stub, timeout) for name, stub in STUBS.items()}
        )

    def reset(self) -> None:
        """Every service emptied, every spy cleared: the next test starts from nothing."""
        self.identity.reset()
        self.applications.reset()
        self.contact.reset()
        self.insights.reset()
        with self.notifications.db.transaction() as session:
            for table in reversed(notifications_store.Base.metadata.sorted_tables):
                session.execute(delete(table))
        for spy in self.spies.values():
            spy.reset()

    def pass_case_events_to_contact(self) -> int:
        """Applications' case_status_changed events so far, handed to contact's own handler as the
        broker hands them to its worker (a repeated one changes nothing there); how many."""
        table = APPLICATIONS_OUTBOX.table
        with self.applications.db.read() as session:
            envelopes = list(
                session.execute(
                    select(table.c.envelope).where(table.c.event_type == "case_status_changed").order_by(table.c.id)
                ).scalars()
            )
        for envelope in envelopes:
            handle_case_status_changed(self.contact.db, envelope)
        return len(envelopes)

    def log_in(self, personal_number: str, name: str = "", device: str = "mobile") -> LoggedIn:
        return self.identity.log_in(personal_number, name, device)

    def message_to(self, user_id: str, amount: int = 100, application_id: str = "") -> Any:
        """A message in the person's inbox, made by notifications from a real decision_made event
        (as applications publishes it when a case is approved); the message as notifications keeps it."""
        self.notifications.event(
            "applications",
            "decision_made",
            app_events.DecisionMade(
                application_id=application_id or f"case-{amount}",
                resident_ids=[user_id],
                outcome="approved",
                amount=amount,
                period="2026-12",
            ),
        )
        client = ServiceClient(self.target("notifications"), notes_grpc.NotificationsServiceStub)
        try:
            token = self.identity.token(user_id, device="web")
            return client.call("ListMessages", notes_pb.ListMessagesRequest(limit=1), token=token).messages[0]
        finally:
            client.close()

    def stop(self) -> None:
        for server in self.servers:
            server.stop(grace=None)
        self._stack.close()


def running_services(folder: str | Path, heartbeat: float = 1.0) -> Iterator[RealServices]:
    """For a session fixture: `yield from running_services(tmp)`."""
    services = RealServices(folder, heartbeat)
    try:
        yield services
    finally:
        services.stop()
