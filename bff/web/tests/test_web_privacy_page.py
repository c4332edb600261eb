"""The privacy page shows the applications service's own retention settings, asked over its
contract from the real service (in-process, SQLite), in Swedish and in English; the admins' page
shows the service's retention log, and nobody else reaches it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Platform, login, page

from applications.api import PUBLIC_METHODS, register
from applications.migrate import MIGRATIONS
from applications.retention import Retention, RetentionSettings
from applications.service import Applications
from applications.store import Application
from bff_web.app import create_app
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade

ADMIN = "198501042389"
SETTINGS = RetentionSettings(draft_days=45, warning_days=10, case_months=18)


@pytest.fixture
def applications_db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'applications.db'}"
    upgrade(MIGRATIONS, url)
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture
def applications_target(applications_db: Database, platform: Platform) -> Iterator[str]:
    db = applications_db
    server, port = build_server(
        register(Applications(db), retention=Retention(db, settings=SETTINGS)),
        0,
        platform.verifier,
        public_methods=PUBLIC_METHODS,
        host="127.0.0.1",
    )
    yield f"127.0.0.1:{port}"
    server.stop(0)


def test_the_privacy_page_tells_the_services_own_retention_times(platform: Platform, applications_target: str) -> None:
    app = create_app(platform.services(applications=applications_target))
    app.config["TESTING"] = True
    client = app.test_client()

    start = client.get("/provrakning").get_data(as_text=True)
    assert 'href="/integritet"' in start  # linked from the footer of every page

    response = client.get("/integritet")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"  # a page of the site, with its headers
    html = response.get_data(as_text=True)
    assert re.search(r"<h1>Integritet: hur länge vi sparar dina uppgifter</h1>", html)
    assert len(re.findall(r"<h2 ", html)) >= 2
    assert "sparat på 45 dagar" in html and "inkorgen 10 dagar innan" in html
    assert "återkallat i 18 månader" in html
    assert "Innehållet i bifogade filer" in html and "Beslutet med skäl" in html

    english = client.get("/integritet?lang=en").get_data(as_text=True)
    assert "saved for 45 days" in english and "10 days before" in english and "for 18 months" in english
    assert "The contents of attached files" in english


def test_admins_read_the_retention_log_and_nobody_else_reaches_it(
    platform: Platform, applications_target: str, applications_db: Database
) -> None:
    ended = datetime(2024, 1, 5, tzinfo=UTC)
    case_id = str(uuid.uuid4())
    with applications_db.transaction() as session:
        session.add(
            Application(
                id=case_id,
                kind="eb_grundansokan",
                form_version=1,
                applicant_id=str(uuid.uuid4()),
                status="closed",
                answers={"rent": "6500"},
                created_at=ended,
                updated_at=ended,
                closed_at=ended,
            )
        )
    Retention(applications_db, settings=SETTINGS, clock=lambda: ended + timedelta(days=600)).sweep()

    app = create_app(platform.services(applications=applications_target))
    app.config["TESTING"] = True
    resident = app.test_client()
    assert resident.get("/personal/gallring").status_code == 302  # to the login page
    login(resident)
    refused = resident.get("/personal/gallring")
    assert refused.status_code == 403, (refused.status_code, refused.location)

    admin = app.test_client()
    platform.identity.give_roles(ADMIN, "Adam Administratör", ["admin"])
    login(admin, ADMIN)
    assert 'href="/personal/gallring"' in page(admin, "/personal")
    html = page(admin, "/personal/gallring")
    assert "<h1>Gallringslogg</h1>" in html
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert "Avslutat ärende (gallrat)" in row and case_id in row
    assert "FICKAN_CASE_RETENTION_MONTHS=18" in row and "the answers" in row
