"""Verification of Fickan access tokens (JWT, ES256) against identity's JWKS.

BFFs and services both verify: defence in depth, not trust in the edge.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import jwt
from jwt import PyJWKSet

log = logging.getLogger(__name__)

ISSUER = "fickan-identity"
AUDIENCE = "fickan"
ALGORITHM = "ES256"


class InvalidToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "missing" | "expired" | "invalid" | "revoked"


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: tuple[str, ...]
    name: str = ""
    device: str = ""
    session_id: str = ""
    unit: str = ""
    # A contact-centre agent's answer group or advisory service.
    group: str = ""
    scope: tuple[str, ...] = field(default_factory=tuple)
    token: str = field(default="", repr=False)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_resident(self) -> bool:
        return "resident" in self.roles


class JwksCache:
    """Keeps identity's public keys; refetches after ttl or when a token names an unknown key
    (key rotation), at most once per min_refetch seconds so forged kids cannot flood identity.

    When identity does not answer, the keys it gave last go on verifying (they were its keys a
    moment ago, and while it is down it signs nothing new), and the fetch is tried again after
    min_refetch: a drill found every service refusing every token (500) once the ttl passed while
    identity was down. Only a process that never got the keys cannot verify, and says so (the
    fetch's own error, which the services and BFFs answer with a clear 503)."""

    def __init__(self, fetch: Callable[[], str], ttl: float = 300.0, min_refetch: float = 5.0) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._min_refetch = min_refetch
        self._keys: dict[str, object] = {}
        self._fetched_at = 0.0
        self._tried_at = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        jwks = PyJWKSet.from_dict(json.loads(self._fetch()))
        self._keys = {k.key_id: k.key for k in jwks.keys}
        self._fetched_at = time.monotonic()

    def key(self, kid: str) -> object:
        with self._lock:
            now = time.monotonic()
            age = now - self._fetched_at
            due = not self._keys or age > self._ttl or (kid not in self._keys and age > self._min_refetch)
            if due and (not self._keys or now - self._tried_at > self._min_refetch):
                self._tried_at = now
                try:
                    self._refresh()
                except Exception as exc:
                    if not self._keys:
                        raise
                    log.warning("identity's keys could not be fetched; verifying with the known ones: %r", exc)
            try:
                return self._keys[kid]
            except KeyError:
                raise InvalidToken("invalid") from None


class RevokedSessions(Protocol):
    def is_revoked(self, session_id: str) -> bool: ...


class TokenVerifier:
    """Verifies a token offline (signature, issuer, audience, expiry) and, with `revoked` (the
    process's fickan_common.revocations.RevocationFeed), refuses tokens of sessions identity has
    revoked since they were issued."""

    def __init__(self, jwks: JwksCache, leeway: float = 5.0, revoked: RevokedSessions | None = None) -> None:
        self.jwks = jwks
        self.leeway = leeway
        self.revoked = revoked

    def verify(self, token: str | None) -> Principal:
        if not token:
            raise InvalidToken("missing")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
                raise InvalidToken("invalid")
            claims = jwt.decode(
                token,
                self.jwks.key(header["kid"]),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("expired") from None
        except jwt.PyJWTError:
            raise InvalidToken("invalid") from None
        roles = claims.get("roles") or []
        scope = claims.get("scope") or ""
        if not isinstance(roles, list) or not isinstance(scope, str):
            raise InvalidToken("invalid")
        session_id = str(claims.get("sid") or "")
        if self.revoked is not None and self.revoked.is_revoked(session_id):
            raise InvalidToken("revoked")
        return Principal(
            user_id=str(claims["sub"]),
            roles=tuple(str(r) for r in roles),
            name=str(claims.get("name") or ""),
            device=str(claims.get("device") or ""),
            session_id=session_id,
            unit=str(claims.get("unit") or ""),
            group=str(claims.get("group") or ""),
            scope=tuple(scope.split()),
            token=token,
        )


def bearer(value: str | None) -> str | None:
    """The token from an "authorization: Bearer <token>" value."""
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None
