"""Domain errors. Services raise them; the gRPC interceptor turns them into status codes and the
BFFs turn those into HTTP answers. Their messages are `Text`s from the service's texts module
(Swedish and English under one key, fickan_common.texts), as are the values of field errors."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from fickan_common import texts
from fickan_common.texts import Text, as_text


class DomainError(Exception):
    """`message`: the text said to the person; `field_errors`: field name -> text beside that field.
    A plain string is taken as Swedish without English (only for words passed on from elsewhere; a
    test refuses a raise with a literal string). `.message` and `.field_errors` are the Swedish,
    `.text` and `.field_texts` both languages."""

    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: Text | str, field_errors: Mapping[str, Text | str] | None = None) -> None:
        self.text = as_text(message)
        self.field_texts = {name: as_text(value) for name, value in (field_errors or {}).items()}
        super().__init__(self.text.sv)
        self.message = self.text.sv
        self.message_en = self.text.en
        self.key = self.text.key
        self.field_errors = {name: value.sv for name, value in self.field_texts.items()}


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
BUSY = texts.BUSY
BUSY_MESSAGE = BUSY.sv


class Unavailable(DomainError):
    """Something this service depends on (e.g. BankID) is not answering."""

    code = grpc.StatusCode.UNAVAILABLE
