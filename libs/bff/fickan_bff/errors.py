"""gRPC status → HTTP status, the same in every BFF."""

from __future__ import annotations

import grpc
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed

from fickan_common.errors import BUSY

HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 503,
}

# The user-facing message when the service's own message is not for residents (infrastructure).
UNAVAILABLE_SV = "Tjänsten svarar inte just nu. Försök igen om en liten stund."
UNAVAILABLE_EN = "The service is not answering right now. Please try again shortly."


# The platform stayed saturated longer than the BFF waited (fickan_common.grpc_client): a 429 with
# Retry-After, never a 503 — the request was refused before anything ran and will work shortly.
BUSY_SV = BUSY.sv
BUSY_EN = BUSY.en
BUSY_RETRY_AFTER_SECONDS = "2"


def http_status(code: grpc.StatusCode) -> int:
    return HTTP_STATUS.get(code, 500)


def is_unavailable(code: grpc.StatusCode) -> bool:
    return code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class InvalidIdempotencyKey(BadRequest):
    """The client's Idempotency-Key header is empty, too long or not visible ASCII. Refused at the door:
    as gRPC metadata it would fail inside the client library (a 500), and dropping it would silently
    give up the once-only promise the client asked for."""


def allow_header(exc: HTTPException) -> dict[str, str]:
    """A 405 names the methods the path does take (RFC 9110), whatever shape the BFF's error has."""
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        return {"Allow": ", ".join(sorted(exc.valid_methods))}
    return {}
