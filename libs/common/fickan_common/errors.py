"""Domain errors. Services raise them; the gRPC interceptor turns them into status codes and the
BFFs turn those into HTTP answers. Messages meant for residents are Swedish."""

from __future__ import annotations

import grpc


class DomainError(Exception):
    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


class Conflict(DomainError):
    """The request is fine but the state does not allow it (e.g. submitting twice)."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class StaleVersion(DomainError):
    """A write based on an old version (e.g. from a second device)."""

    code = grpc.StatusCode.ABORTED


class RateLimited(DomainError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Busy(DomainError):
    """The service is saturated right now: the request was refused before anything ran, so the same
    request a moment later is safe (the BFFs retry it briefly, then answer 429 with Retry-After)."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


# Said to the person when the platform stays saturated longer than the BFF waits for it.
BUSY_MESSAGE = "Många använder tjänsten just nu. Försök igen om en liten stund."


class Unavailable(DomainError):
    """Something this service depends on (e.g. BankID) is not answering."""

    code = grpc.StatusCode.UNAVAILABLE
