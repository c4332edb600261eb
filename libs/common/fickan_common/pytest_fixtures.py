"""pytest fixtures every service's own tests share. A conftest imports what it uses:

from fickan_common.pytest_fixtures import database_url  # noqa: F401

or, for databases that start at the service's newest schema:

database_url = migrated_database_url(MIGRATIONS)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fickan_common.testing import fresh_postgres_database, migrated_sqlite


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database dropped afterwards, so
    every database test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


def migrated_database_url(migrations: Path) -> object:
    """The database_url fixture, each database already at the newest schema of `migrations`: a copy
    of one the migrations made once per test process and database kind (running them again for every
    test cost a third of a second each). A test that calls upgrade() on it again changes nothing."""

    @pytest.fixture(params=["sqlite", "postgresql"])
    def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        if request.param == "sqlite":
            yield migrated_sqlite(tmp_path / "service.db", migrations)
        else:
            with fresh_postgres_database(migrations=migrations) as url:
                yield url

    return database_url
