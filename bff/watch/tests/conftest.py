"""The real services in-process (fickan_bff.testing: identity with its BankID simulator,
applications, notifications, contact, insights, each on SQLite behind a real grpcio server on a
loopback port), started once per session and emptied before each test; the watch BFF is built on
clients pointing at them. Tokens are identity's own: a watch is paired as a resident pairs it.
The only stand-ins are failure injections (a dead port, one answer swapped through a Spy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff_watch.app import create_app
from fickan.applications.events.v1 import events_pb2 as app_events
from fickan_bff.testing import RealServices, free_port, running_services
from identity.testing import LoggedIn

TOVE = "199001012385"  # Skatteverket's test numbers (identity's demo people)
NILS = "199001022384"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServices]:
    yield from running_services(tmp_path_factory.mktemp("services"), heartbeat=0.5)


@pytest.fixture(autouse=True)
def _fresh(world: RealServices) -> None:
    world.reset()


@pytest.fixture
def tove(world: RealServices) -> LoggedIn:
    """A resident logged in on her phone (a real BankID login)."""
    return world.log_in(TOVE, "Tove Svensson", device="mobile")


@pytest.fixture
def nils(world: RealServices) -> LoggedIn:
    return world.log_in(NILS, "Nils Nilsson", device="mobile")


@pytest.fixture
def app(world: RealServices) -> Iterator[Flask]:
    services = world.services(timeout=1.0)
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
def auth(request: pytest.FixtureRequest, world: RealServices, tove: LoggedIn) -> dict[str, str]:
    """Tove on the watch: a paired watch's token, or (older clients) her own access token."""
    if request.param == "watch_token":
        return {"Authorization": f"Bearer {world.identity.pair_watch(tove)}"}
    return tove.headers


@pytest.fixture
def watch(world: RealServices, tove: LoggedIn) -> dict[str, str]:
    """A paired watch of Tove's (its watch token)."""
    return {"Authorization": f"Bearer {world.identity.pair_watch(tove)}"}


def exchanged(world: RealServices) -> list[str]:
    """The watch tokens the BFF traded with identity, in order."""
    return [c.request.watch_token for c in world.spies["identity"].of("ExchangeWatchToken")]


def glance_callers(world: RealServices) -> list[str]:
    """Whose glance applications was asked for (from the verified token), in order."""
    return [c.user_id for c in world.spies["applications"].of("GetMyCaseGlance")]


def messages_to(world: RealServices, person: LoggedIn, count: int) -> None:
    """`count` unread messages in the person's inbox, made by notifications from real events."""
    for n in range(count):
        world.notifications.event(
            "applications",
            "decision_made",
            app_events.DecisionMade(
                application_id=f"case-{n}",
                resident_ids=[person.user_id],
                outcome="approved",
                amount=100 + n,
                period="2026-12",
            ),
        )
