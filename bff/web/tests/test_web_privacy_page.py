"""The privacy page shows the applications service's own retention settings, asked over its
contract from the real service (in-process, SQLite), in Swedish and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Platform

from applications.api import PUBLIC_METHODS, register
from applications.migrate import MIGRATIONS
from applications.retention import Retention, RetentionSettings
from applications.service import Applications
from bff_web.app import create_app
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade


@pytest.fixture
def applications_target(tmp_path: Path, platform: Platform) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'applications.db'}"
    upgrade(MIGRATIONS, url)
    db = Database(url)
    settings = RetentionSettings(draft_days=45, warning_days=10, case_months=18)
    server, port = build_server(
        register(Applications(db), retention=Retention(db, settings=settings)),
        0,
        platform.factory.verifier(),
        public_methods=PUBLIC_METHODS,
        host="127.0.0.1",
    )
    yield f"127.0.0.1:{port}"
    server.stop(0)
    db.dispose()


def test_the_privacy_page_tells_the_services_own_retention_times(platform: Platform, applications_target: str) -> None:
    app = create_app(platform.services(applications=applications_target))
    app.config["TESTING"] = True
    client = app.test_client()

    start = client.get("/provrakning").get_data(as_text=True)
    assert 'href="/integritet"' in start  # linked from the footer of every page

    response = client.get("/integritet")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<h1>Integritet: hur länge vi sparar dina uppgifter</h1>", html)
    assert len(re.findall(r"<h2 ", html)) >= 2
    assert "sparat på 45 dagar" in html and "inkorgen 10 dagar innan" in html
    assert "återkallat i 18 månader" in html
    assert "Innehållet i bifogade filer" in html and "Beslutet med skäl" in html

    english = client.get("/integritet?lang=en").get_data(as_text=True)
    assert "saved for 45 days" in english and "10 days before" in english and "for 18 months" in english
    assert "The contents of attached files" in english
