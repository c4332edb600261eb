"""Fixtures of the cross-service tests: the whole platform, every process real, on free ports, with
its own RabbitMQ vhost (reached through a cuttable proxy) and its own databases."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from fickan_common.testing import fresh_rabbitmq_vhost

from .support.private_postgres import PrivatePostgres
from .support.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from fickanctl import SERVICES, Platform, free_ports  # noqa: E402

DEMO_RESIDENT = "199001012385"
# A platform thrown away at the end of its tests waits this long for its processes to stop before it
# kills them (Platform.stop's default is 10 s). A BFF's gunicorn waits out its graceful timeout while
# a test's client still holds an idle keep-alive connection, so every teardown used to take the full
# 10 s. A graceful stop is what tests/reliability/test_sigterm_drains_under_load.py proves; here
# nothing is asserted about it.
TEARDOWN_STOP_TIMEOUT = 3.0
DEMO_CO_APPLICANT = "199001022384"


@pytest.fixture(scope="session")
def broker_proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(("127.0.0.1", 5672))
    yield proxy
    proxy.stop()


def _platform(
    var: Path, amqp_uri: str, database_urls: dict[str, str] | None = None, settings: dict[str, str] | None = None
) -> Platform:
    platform = Platform.on_free_ports(
        var,
        amqp_uri=amqp_uri,
        database_urls=database_urls or {},
        # The demo people log in many times here (0 = no limit); identity's own tests
        # prove the lockout itself.
        # BankID is asked every 0.2 s instead of 2 s so the many logins here are quick.
        extra_env={
            "FICKAN_LOGIN_LIMIT_PER_PERSON": "0",
            "FICKAN_LOGIN_LIMIT_PER_IP": "0",
            "FICKAN_LOGIN_LIMIT_PER_CLIENT": "0",
            "FICKAN_BANKID_COLLECT_INTERVAL": "0.2",
            # Not the defaults, so the privacy page is seen to show applications' own settings.
            "FICKAN_DRAFT_RETENTION_DAYS": "41",
            "FICKAN_CASE_RETENTION_MONTHS": "27",
            **(settings or {}),
        },
    )
    platform.migrate()
    platform.load_demo_data()
    try:
        platform.start()
    except RuntimeError:
        platform.stop()
        for log in sorted((var / "log").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    return platform


@pytest.fixture(scope="session")
def platform(tmp_path_factory, broker_proxy) -> Iterator[Platform]:
    """Every process over SQLite, talking to RabbitMQ through the proxy."""
    with fresh_rabbitmq_vhost() as direct_uri:
        vhost = direct_uri.rsplit("/", 1)[1]
        running = _platform(
            tmp_path_factory.mktemp("platform"), f"amqp://guest:guest@127.0.0.1:{broker_proxy.port}/{vhost}"
        )
        yield running
        running.stop(TEARDOWN_STOP_TIMEOUT)


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server of this test session's own, which a drill may crash and restart (the
    machine's server at 5432 is shared with every other suite)."""
    [port] = free_ports(1)
    server = PrivatePostgres(port).up()
    yield server
    server.down()


@pytest.fixture(scope="session")
def platform_on_postgresql(tmp_path_factory, private_postgres) -> Iterator[Platform]:
    """Every process with its own PostgreSQL database, on the session's private server."""
    with ExitStack() as stack:
        amqp_uri = stack.enter_context(fresh_rabbitmq_vhost())
        urls = {service: private_postgres.create_database() for service in SERVICES}
        running = _platform(tmp_path_factory.mktemp("platform-pg"), amqp_uri, urls)
        yield running
        running.stop(TEARDOWN_STOP_TIMEOUT)
