"""Per-request context: the correlation id and the authenticated caller.

contextvars work for grpcio's thread pool, Flask's threads and eventlet's green threads alike.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")
# The client's key for the command being made (a BFF sets it per request; gRPC clients pass it on).
idempotency_key: ContextVar[str] = ContextVar("idempotency_key", default="")


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """The current correlation id, creating one if this work started here."""
    value = correlation_id.get()
    if not value:
        value = new_correlation_id()
        correlation_id.set(value)
    return value


def valid_correlation_id(value: str | None) -> bool:
    """Accept only short, plain ids from outside so they are safe in logs and headers."""
    return bool(value) and len(value) <= 64 and all(c.isalnum() or c in "-_." for c in value)
