"""The real services in-process (fickan_bff.testing: identity with its BankID simulator,
applications, notifications, contact, insights, each on SQLite behind a real grpcio server on a
loopback port), started once per session and emptied before each test, and the web app on top.
No service is faked: a failure a service rarely shows is injected into the real one (its Spy)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))

from bff_web.app import create_app
from fickan_bff.testing import RealServices, free_port, running_services  # noqa: F401 - free_port: for the tests

Platform = RealServices
# Skatteverket's test numbers, identity's demo people (the BankID simulator knows their names).
PNR_ANNA = "199001012385"
PNR_BO = "199001022384"


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServices]:
    yield from running_services(tmp_path_factory.mktemp("services"), heartbeat=0.5)


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


# --- cases and staff on the real services (for the files moved off the fakes) ---------------------
from sqlalchemy import select  # noqa: E402

from applications.store import Application, Attachment  # noqa: E402
from identity.testing import LoggedIn  # noqa: E402

WORKER = "198501012382"  # a Skatteverket test number, made a case worker by the tests that need one
UNIT = "ekonomiskt-bistand"  # the unit applications' e-service names (applications.testing.UNIT)


def case_worker(platform: Platform, name: str = "Karin Handläggare") -> LoggedIn:
    """A case worker of UNIT, given the role as the staff command line does and logged in."""
    return platform.identity.log_in_staff(WORKER, name, ["case_worker"], UNIT, device="web")


def stored(platform: Platform, application_id: str) -> Application:
    """The case as applications keeps it (its own row)."""
    with platform.applications.db.read() as session:
        app = session.get(Application, application_id)
        assert app is not None, application_id
        session.expunge(app)
        return app


def attachments_of(platform: Platform, application_id: str) -> list[str]:
    """The names of the files applications keeps for the case."""
    with platform.applications.db.read() as session:
        query = select(Attachment.filename).where(Attachment.application_id == application_id)
        return list(session.scalars(query))


def staff_reads(platform: Platform) -> list[tuple[str, str, str]]:
    """The staff's reads of cases applications recorded for the residents' access logs (its outbox):
    (action, resource, reason), oldest first."""
    from applications.store import OUTBOX
    from fickan_common.access import EVENT

    query = select(OUTBOX.table.c.envelope).where(OUTBOX.table.c.event_type == EVENT).order_by(OUTBOX.table.c.id)
    with platform.applications.db.read() as session:
        found = [envelope["data"] for envelope in session.scalars(query)]
    return [(d.get("action", ""), d.get("resource", ""), d.get("reason", "")) for d in found]
