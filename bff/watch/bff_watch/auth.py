"""Who the watch is.

A paired watch sends `Authorization: Bearer <watch token>`: the opaque, long-lived token it got once
from pairing. The BFF trades it with identity (public `ExchangeWatchToken`) for a short-lived access
token with scope "glance", verifies that token itself (defence in depth) and calls the services with
it. The traded token is kept in process memory, keyed by the SHA-256 of the watch token (the watch
token itself is never kept), until 30 s before it expires, so a glance does not cost an exchange each
time. A revoked pairing stops working when its cached token runs out (identity's glance tokens live
5 minutes).

Older clients may still send a resident's own access token (a JWT: it has dots, a watch token never
does); it is verified as before.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import grpc
from flask import current_app, g, request

from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_bff.app import services_of
from fickan_bff.auth import AuthError, verify_request_token
from fickan_common.grpc_client import ServiceError
from fickan_common.tokens import InvalidToken, Principal, bearer

log = logging.getLogger(__name__)

EXTENSION = "bff_watch_tokens"
DEFAULT_CACHE_SIZE = 10_000
EXPIRY_MARGIN_SECONDS = 30.0
GLANCE_SCOPE = "glance"
# What identity hands out (URL-safe base64 of 32 random bytes) within identity's own limit of 100.
WATCH_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,100}")


class ExchangeFailed(Exception):
    """Identity answered the exchange with a token that does not verify or is not glance-only."""


class WatchTokenCache:
    """Exchanged glance tokens by SHA-256 of the watch token, each until `margin` seconds before it
    expires. Thread-safe; at most `max_entries`, the least recently used going first."""

    def __init__(
        self,
        max_entries: int = DEFAULT_CACHE_SIZE,
        margin: float = EXPIRY_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("the cache needs room for at least one entry")
        self.max_entries = max_entries
        self.margin = margin
        self.clock = clock
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(watch_token: str) -> str:
        return hashlib.sha256(watch_token.encode()).hexdigest()

    def get(self, watch_token: str) -> Principal | None:
        key = self.key(watch_token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            principal, usable_until = entry
            if self.clock() >= usable_until:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return principal

    def put(self, watch_token: str, principal: Principal, expires_in: float) -> None:
        """Keep it, unless it expires within the margin anyway."""
        lifetime = expires_in - self.margin
        if lifetime <= 0:
            return
        key = self.key(watch_token)
        with self._lock:
            self._entries[key] = (principal, self.clock() + lifetime)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, watch_token: str) -> None:
        with self._lock:
            self._entries.pop(self.key(watch_token), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def cache_of() -> WatchTokenCache:
    return current_app.extensions[EXTENSION]


@dataclass(frozen=True)
class Caller:
    principal: Principal
    watch_token: str | None = None  # set when the caller is a paired watch
    cached: bool = False  # the glance token came from the cache


def exchange(watch_token: str) -> Principal:
    """A glance token for the watch token, from identity; verified, then cached."""
    request_message = identity_pb.ExchangeWatchTokenRequest(watch_token=watch_token)
    try:
        answer = services_of(current_app).identity.call("ExchangeWatchToken", request_message)
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.UNAUTHENTICATED:
            raise AuthError("unpaired") from None
        raise
    try:
        principal = current_app.extensions["fickan_verifier"].verify(answer.access_token)
    except InvalidToken as exc:
        log.warning("exchanged watch token does not verify", extra={"fields": {"reason": exc.reason}})
        raise ExchangeFailed(exc.reason) from None
    if not principal.has_role("resident") or GLANCE_SCOPE not in principal.scope:
        log.warning("exchanged watch token is not a resident's glance token")
        raise ExchangeFailed("scope")
    cache_of().put(watch_token, principal, answer.expires_in)
    return principal


def authenticate() -> Caller:
    token = bearer(request.headers.get("Authorization"))
    if not token:
        raise AuthError("missing")
    if "." in token:  # a JWT: a resident's own access token (older clients)
        principal = verify_request_token()
        if not principal.has_role("resident"):
            raise AuthError("forbidden")
        return Caller(principal)
    if not WATCH_TOKEN.fullmatch(token):
        raise AuthError("unpaired")  # not something identity hands out: no need to ask
    cached = cache_of().get(token)
    revoked = current_app.extensions["fickan_verifier"].revoked
    if cached is not None and revoked is not None and revoked.is_revoked(cached.session_id):
        cache_of().drop(token)  # the watch was removed (or its person's sessions ended): ask identity
        cached = None
    if cached is not None:
        return Caller(cached, token, cached=True)
    return Caller(exchange(token), token)


def require_watch(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for what the watch reads: the caller's (glance) principal in flask.g.principal.
    When a service refuses a cached glance token (e.g. its signing key was retired), the watch token
    is traded again, once; the views are reads, so running one twice is harmless."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caller = authenticate()
        g.principal = caller.principal
        try:
            return view(*args, **kwargs)
        except ServiceError as exc:
            if caller.watch_token is None or exc.code != grpc.StatusCode.UNAUTHENTICATED:
                raise
            cache_of().drop(caller.watch_token)
            if not caller.cached:
                raise
        g.principal = exchange(caller.watch_token)
        return view(*args, **kwargs)

    return wrapper
