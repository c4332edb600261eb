"""Test helpers shared by the services' own test suites (no mocks of real parts: a real key pair,
real signed tokens, real verification)."""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from fickan_common.tokens import ALGORITHM, AUDIENCE, ISSUER, JwksCache, TokenVerifier


class TokenFactory:
    """Mints access tokens the way identity does, with its own throwaway key."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = uuid.uuid4().hex[:16]

    def jwks_json(self) -> str:
        jwk = json.loads(ECAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg=ALGORITHM)
        return json.dumps({"keys": [jwk]})

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(JwksCache(self.jwks_json))

    def token(
        self,
        user_id: str | None = None,
        roles: tuple[str, ...] = ("resident",),
        expires_in: int = 600,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id or str(uuid.uuid4()),
            "roles": list(roles),
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(body, self.key, algorithm=ALGORITHM, headers={"kid": self.kid})


POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


# Databases migrated once per test process, copied for each test: a service's migrations run for
# real once per database kind, and each test starts from a copy of what they made (a PostgreSQL
# template database, a SQLite file) instead of running them again (measured: 0.37 s a test on
# PostgreSQL and 0.1 s on SQLite before, 0.09 s and under 0.01 s after).
_templates: dict[tuple[str, str], str] = {}


def _database_url(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _postgres_template(admin: Any, admin_url: str, migrations: os.PathLike[str]) -> str:
    import atexit

    from fickan_common.migrations import upgrade

    key = ("postgresql:" + admin_url, os.fspath(migrations))
    if key not in _templates:
        name = f"fickan_tpl_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        upgrade(migrations, _database_url(admin_url, name))  # its engine is disposed: no one is connected

        def drop() -> None:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as again:
                again.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        atexit.register(drop)
        _templates[key] = name
    return _templates[key]


def migrated_sqlite(path: os.PathLike[str], migrations: os.PathLike[str]) -> str:
    """A SQLite file at `path` holding the newest schema of `migrations` (a copy of one migrated once
    in this process); its URL."""
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    from fickan_common.migrations import upgrade

    key = ("sqlite", os.fspath(migrations))
    if key not in _templates:
        folder = tempfile.mkdtemp(prefix="fickan-schema-")
        atexit.register(shutil.rmtree, folder, True)
        template = str(Path(folder) / "schema.db")
        upgrade(migrations, f"sqlite:///{template}")
        _templates[key] = template
    shutil.copyfile(_templates[key], path)
    return f"sqlite:///{path}"


@contextmanager
def fresh_postgres_database(admin_url: str | None = None, migrations: os.PathLike[str] | None = None) -> Iterator[str]:
    """A new PostgreSQL database for one test, empty or (with `migrations`) at their newest schema, as
    a copy of a template database migrated once in this process; yields its URL and drops it after.

    The server is FICKAN_TEST_POSTGRES_URL (default: the local one with trust auth). When it cannot be
    reached the test is skipped, except when CI is set: there it fails, so CI never silently skips.
    """
    import psycopg
    import pytest

    admin_url = admin_url or os.environ.get("FICKAN_TEST_POSTGRES_URL") or POSTGRES_ADMIN_URL
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") or os.environ.get("FICKAN_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {admin_url} is unreachable (CI is set): {exc}")
        pytest.skip(f"PostgreSQL at {admin_url} is unreachable: {exc}")
    name = f"fickan_t_{uuid.uuid4().hex[:12]}"
    with admin:
        if migrations is None:
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template(admin, admin_url, migrations)}"')
        try:
            yield _database_url(admin_url, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_rabbitmq_vhost(host: str = "127.0.0.1:5672") -> Iterator[str]:
    """A new RabbitMQ virtual host for one test session (made with rabbitmqctl, so tests never
    touch the queues of a platform running beside them); yields its AMQP URI, deletes it after.

    FICKAN_TEST_AMQP_URI names another broker instead (a municipality's own, without rabbitmqctl
    at hand): the tests then use that URI as it is, so give them a virtual host of their own."""
    import shutil
    import subprocess

    given = os.environ.get("FICKAN_TEST_AMQP_URI")
    if given:
        yield given
        return

    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    vhost = f"fickan_t_{uuid.uuid4().hex[:10]}"
    try:
        subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True, timeout=60)
        subprocess.run(
            [ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise RuntimeError(f"cannot create a RabbitMQ vhost with {ctl} (needs root): {exc}") from exc
    try:
        yield f"amqp://guest:guest@{host}/{vhost}"
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True, timeout=60)


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line written inside the block, as the processes write them (JSON lines), at DEBUG,
    so a test can prove what never reaches a log (tokens, personnummer, answers)."""
    import logging

    from fickan_common.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps what it accepts.
    `down()` stops it (a mail server away), `up()` starts it again on the same port."""

    def __init__(self) -> None:
        import socket
        import threading

        self.mails: list[Any] = []
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller: Any = None

    def up(self) -> SmtpSink:
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
                with sink._lock:
                    sink.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[Any]:
        with self._lock:
            return list(self.mails)


class WebPushTestingService:
    """The npm package web-push-testing run as a real Web Push service on a free port: it hands out
    subscriptions for an application server key, checks each push's VAPID signature, decrypts the
    payload and keeps it for the test to read."""

    def __init__(self, node_dir: str | None = None) -> None:
        import socket
        from pathlib import Path

        root = Path(__file__).resolve().parents[3]
        self.server_js = Path(node_dir or os.environ.get("FICKAN_NODE_DIR", root / "var" / "node")) / (
            "node_modules/web-push-testing/src/bin/server.js"
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: Any = None

    def available(self) -> bool:
        return self.server_js.exists()

    def start(self) -> WebPushTestingService:
        import subprocess

        import requests

        self.process = subprocess.Popen(
            ["node", str(self.server_js), str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if requests.post(f"{self.url}/status", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("web-push-testing did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def subscribe(self, application_server_key: str) -> dict[str, Any]:
        import requests

        answer = requests.post(
            f"{self.url}/subscribe", json={"applicationServerKey": application_server_key}, timeout=5
        )
        answer.raise_for_status()
        return answer.json()["data"]

    def messages(self, client_hash: str) -> list[Any]:
        import requests

        answer = requests.post(f"{self.url}/get-notifications", json={"clientHash": client_hash}, timeout=5)
        answer.raise_for_status()
        return answer.json()["data"]["messages"]

    def expire(self, client_hash: str) -> None:
        import requests

        requests.post(f"{self.url}/expire-subscription/{client_hash}", timeout=5).raise_for_status()


# What reads the environment: os.environ / os.getenv, and fickan_common.settings' readers.
ENVIRONMENT_READERS = frozenset({"environ", "getenv", "env_str", "env_int", "env_float", "env_bool", "from_env"})


def environment_reads(package_dir: str | os.PathLike[str], allowed: tuple[str, ...] = ("settings.py",)) -> list[str]:
    """Every place in a service's package (its migrations left out) that reads the environment outside
    its settings module, as "path:line name": one settings object, read once at start, is the only
    way a setting comes in (docs/architecture.md)."""
    import ast
    from pathlib import Path

    root = Path(package_dir)
    found: list[tuple[str, int, str]] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.name in allowed or "migrations" in relative.parts:
            continue
        where = relative.as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READERS:
                found.append((where, node.lineno, node.attr))
            elif isinstance(node, ast.Name) and node.id in ENVIRONMENT_READERS:
                found.append((where, node.lineno, node.id))
            elif isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names if a.name in ENVIRONMENT_READERS]
                found += [(where, node.lineno, f"import {name}") for name in names]
    return [f"{where}:{line} {what}" for where, line, what in sorted(found)]


def imported_modules(path: str | os.PathLike[str]) -> set[str]:
    """The modules a Python file imports (absolute names; `from x import y` as both x and x.y)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(path).read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names
