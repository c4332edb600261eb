"""The real services in-process (fickan_bff.testing: identity with its BankID simulator,
applications, notifications, contact, insights, each on SQLite behind a real grpcio server on a
loopback port), started once per session and emptied before each test; the mobile BFF is built on
clients pointing at them. Tokens are identity's own, from a real BankID login. The only stand-ins are
failure injections: a dead port, a stuck server, one answer swapped through a Spy."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import grpc
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff_mobile.app import create_app
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan_bff.testing import RealServices, free_port, running_services
from fickan_common.grpc_server import build_server
from identity.testing import LoggedIn

TIMEOUT = 2.0
TOVE = "199001012385"  # Skatteverket's test numbers (identity's demo people)
NILS = "199001022384"


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServices]:
    yield from running_services(tmp_path_factory.mktemp("services"), heartbeat=0.5)


@pytest.fixture
def world(real: RealServices) -> RealServices:
    real.reset()
    return real


@pytest.fixture
def app(world: RealServices) -> Iterator[Flask]:
    services = world.services(TIMEOUT)
    yield create_app(services)
    for client in services.all().values():
        client.close()


@pytest.fixture
def dead_target() -> str:
    """The address of a service that is down."""
    return f"127.0.0.1:{free_port()}"


class StuckApplications(apps_grpc.ApplicationsServiceServicer):
    """Answers nothing until released: a hung service, to prove the BFF's deadline."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def ListMyApplications(self, request, context):  # noqa: N802
        self.release.wait(10)
        return apps_pb.ListMyApplicationsResponse()


@pytest.fixture(scope="session")
def stuck_target(real: RealServices) -> Iterator[str]:
    stuck = StuckApplications()

    def register(server: grpc.Server) -> list[str]:
        apps_grpc.add_ApplicationsServiceServicer_to_server(stuck, server)
        return ["fickan.applications.v1.ApplicationsService"]

    server, port = build_server(register, 0, real.verifier, host="127.0.0.1")
    yield f"127.0.0.1:{port}"
    stuck.release.set()
    server.stop(grace=None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def resident(world: RealServices) -> LoggedIn:
    """Tove, logged in on her phone with BankID."""
    return world.log_in(TOVE, "Tove Svensson", device="mobile")


@pytest.fixture
def neighbour(world: RealServices) -> LoggedIn:
    return world.log_in(NILS, "Nils Nilsson", device="mobile")


# More people, from Skatteverket's test numbers (never real people).
PEOPLE = ("199001019802", "199001029819", "199001039800", "199001049817", "199001059808", "199001069815")


def someone(world: RealServices, n: int = 0, device: str = "mobile") -> LoggedIn:
    """Another resident, logged in with BankID."""
    return world.log_in(PEOPLE[n], device=device)


def asked(world: RealServices, service: str, method: str) -> list:  # type: ignore[type-arg]
    """The requests of `method` that reached `service`, in order."""
    return [c.request for c in world.spies[service].of(method)]


def message_to(world: RealServices, person: LoggedIn, amount: int = 100) -> str:
    """A message in the person's inbox, made by notifications from a real decision_made event; its id."""
    return str(world.message_to(person.user_id, amount).message_id)


def stored(world: RealServices, case_id: str):  # type: ignore[no-untyped-def]
    """The case as applications keeps it (its own row)."""
    from applications.store import Application

    with world.applications.db.read() as session:
        return session.get(Application, case_id)


def attachments_of(world: RealServices, case_id: str) -> list[str]:
    """The ids of the files applications keeps for the case."""
    from sqlalchemy import select

    from applications.store import Attachment

    with world.applications.db.read() as session:
        return list(session.scalars(select(Attachment.id).where(Attachment.application_id == case_id)))
