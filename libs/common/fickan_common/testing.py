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


@contextmanager
def fresh_postgres_database(admin_url: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; yields its URL and drops it afterwards.

    The server is FICKAN_TEST_POSTGRES_URL (default: the local one with trust auth). When it cannot be
    reached the test is skipped, except when CI is set: there it fails, so CI never silently skips.
    """
    import psycopg
    import pytest
    from sqlalchemy.engine import make_url

    admin_url = admin_url or os.environ.get("FICKAN_TEST_POSTGRES_URL") or POSTGRES_ADMIN_URL
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") or os.environ.get("FICKAN_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {admin_url} is unreachable (CI is set): {exc}")
        pytest.skip(f"PostgreSQL at {admin_url} is unreachable: {exc}")
    name = f"fickan_t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_rabbitmq_vhost(host: str = "127.0.0.1:5672") -> Iterator[str]:
    """A new RabbitMQ virtual host for one test session (made with rabbitmqctl, so tests never
    touch the queues of a platform running beside them); yields its AMQP URI, deletes it after."""
    import shutil
    import subprocess

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
