"""Verification of Fickan access tokens (JWT, ES256) against identity's JWKS.

BFFs and services both verify: defence in depth, not trust in the edge.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
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
    revoked since they were issued.

    A token whose signature checked out is remembered (at most `cache_size`, the least recently
    used going first), keyed by the token itself: a phone sends the same token with every request
    for 15 minutes, and its ES256 check was 2-7 % of a service's and 15 % of a BFF's busy time. What is
    remembered is only that the signature and claims were valid; every call still checks the
    expiry, that the signing key is still one identity publishes, and the revocation feed, so a
    revoked session is refused at once, as without the cache."""

    def __init__(
        self,
        jwks: JwksCache,
        leeway: float = 5.0,
        revoked: RevokedSessions | None = None,
        cache_size: int = 4096,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.jwks = jwks
        self.leeway = leeway
        self.revoked = revoked
        self.cache_size = cache_size
        self.clock = clock or (lambda: time.time())  # looked up at each call (tests may move time)
        # token -> (principal, exp, kid, key it was verified with)
        self._verified: OrderedDict[str, tuple[Principal, float, str, object]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def verify(self, token: str | None) -> Principal:
        if not token:
            raise InvalidToken("missing")
        remembered = self._remembered(token)
        principal = remembered if remembered is not None else self._verify_signed(token)
        if self.revoked is not None and self.revoked.is_revoked(principal.session_id):
            raise InvalidToken("revoked")
        return principal

    def _remembered(self, token: str) -> Principal | None:
        with self._cache_lock:
            entry = self._verified.get(token)
            if entry is None:
                return None
            self._verified.move_to_end(token)
        principal, exp, kid, key = entry
        if self.clock() >= exp + self.leeway:  # as PyJWT: expired once exp <= now - leeway
            with self._cache_lock:
                self._verified.pop(token, None)
            raise InvalidToken("expired")
        try:
            current = self.jwks.key(kid)
        except InvalidToken:
            current = None
        if current is not key:  # the key was rotated out (or identity's set changed): check again
            with self._cache_lock:
                self._verified.pop(token, None)
            return None
        return principal

    def _remember(self, token: str, principal: Principal, exp: float, kid: str, key: object) -> None:
        if self.cache_size <= 0:
            return
        with self._cache_lock:
            self._verified[token] = (principal, exp, kid, key)
            self._verified.move_to_end(token)
            while len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)

    def _verify_signed(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
                raise InvalidToken("invalid")
            key = self.jwks.key(header["kid"])
            claims = jwt.decode(
                token,
                key,
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
        principal = Principal(
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
        exp = claims["exp"]
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            self._remember(token, principal, float(exp), header["kid"], key)
        return principal


def bearer(value: str | None) -> str | None:
    """The token from an "authorization: Bearer <token>" value."""
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None
