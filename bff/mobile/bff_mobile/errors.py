"""Every failure becomes one JSON shape:
{"error": {"code": "...", "message": "<Swedish>", "message_en": "<English>", "fields": {...},
"fields_en": {...}}} (and "key", the service's name for its message, when it sent one)."""

from __future__ import annotations

import logging
from typing import Any

import grpc
from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from bff_mobile import texts
from bff_mobile.texts import Text
from fickan_bff.auth import AuthError
from fickan_bff.errors import (
    BUSY_RETRY_AFTER_SECONDS,
    InvalidIdempotencyKey,
    allow_header,
    http_status,
    is_unavailable,
)
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"

AUTH_ERRORS: dict[str, tuple[int, str, Text]] = {
    "missing": (401, "token_missing", texts.TOKEN_MISSING),
    "expired": (401, "token_expired", texts.TOKEN_EXPIRED),
    "invalid": (401, "token_invalid", texts.TOKEN_INVALID),
    "revoked": (401, "session_ended", texts.SESSION_ENDED),
    "forbidden": (403, "forbidden", texts.FORBIDDEN),
}

SERVICE_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT: "invalid_request",
    grpc.StatusCode.OUT_OF_RANGE: "invalid_request",
    grpc.StatusCode.UNAUTHENTICATED: "token_invalid",
    grpc.StatusCode.PERMISSION_DENIED: "forbidden",
    grpc.StatusCode.NOT_FOUND: "not_found",
    grpc.StatusCode.ALREADY_EXISTS: "conflict",
    grpc.StatusCode.FAILED_PRECONDITION: "conflict",
    grpc.StatusCode.ABORTED: "stale_version",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "rate_limited",
}

HTTP_ERRORS: dict[int, tuple[str, Text]] = {
    400: ("invalid_request", texts.INVALID_JSON),
    404: ("not_found", texts.NOT_FOUND),
    405: ("method_not_allowed", texts.METHOD_NOT_ALLOWED),
    413: ("too_large", texts.TOO_LARGE),
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        fields_en: dict[str, str] | None = None,
        key: str = "",
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en
        self.fields = fields or {}
        # The BFF's own field messages: each one's English (texts.FIELD_EN), else the message's.
        if fields_en is None:
            fields_en = {name: texts.field_en(text) or message_en for name, text in self.fields.items()}
        self.fields_en = fields_en
        self.headers = headers or {}
        self.key = key

    @classmethod
    def of(cls, status: int, code: str, text: Text, fields: dict[str, str] | None = None) -> ApiError:
        return cls(status, code, text.sv, text.en, fields)

    def response(self) -> tuple[Response, int]:
        body = {"error": {"code": self.code, "message": self.message, "message_en": self.message_en}}
        body["error"]["fields"] = self.fields
        body["error"]["fields_en"] = self.fields_en
        if self.key:
            body["error"]["key"] = self.key
        response = jsonify(body)
        response.headers.update(self.headers)
        return response, self.status


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def from_service_error(
    exc: ServiceError, field_prefix: str | None = None, field_names: dict[str, str] | None = None
) -> ApiError:
    """The answer for a service's refusal. The services' messages are written for residents, in
    Swedish and English, and pass through (a status's own English only where the service sent none);
    infrastructure failures get our own words. Field errors get the app's names: `field_names`
    first, then `field_prefix` + the service's name, else camelCase."""
    if is_unavailable(exc.code):
        error = ApiError.of(503, "unavailable", texts.UNAVAILABLE)
        error.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return error
    if exc.busy:
        error = ApiError.of(429, "busy", texts.BUSY)
        error.headers["Retry-After"] = BUSY_RETRY_AFTER_SECONDS
        return error
    status = http_status(exc.code)
    if status >= 500:
        log.warning("service failed", extra={"fields": {"grpc_code": exc.code.name}})
        return ApiError.of(500, "internal", texts.INTERNAL)
    code = SERVICE_CODES.get(exc.code, "invalid_request")
    names = field_names or {}
    fields = {_field_name(name, field_prefix, names): str(msg) for name, msg in exc.field_errors.items()}
    fallback = texts.TOKEN_INVALID if status == 401 else texts.INVALID_REQUEST
    message = exc.message or fallback.sv
    message_en = exc.message_en or texts.SERVICE_MESSAGE_EN.get(status, fallback.en)
    fields_en = {
        _field_name(name, field_prefix, names): str(msg) for name, msg in exc.fields_said("en", message_en).items()
    }
    error = ApiError(status, code, message, message_en, fields, fields_en=fields_en, key=exc.key)
    if status == 401:
        error.headers["WWW-Authenticate"] = 'Bearer realm="fickan", error="invalid_token"'
    return error


def _field_name(name: str, prefix: str | None, names: dict[str, str]) -> str:
    if name in names:
        return names[name]
    return f"{prefix}{name}" if prefix is not None else _camel(name)


def flatten_messages(messages: Any, path: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {"a.b": "first message"}; a list's items are "a[2]". The
    answers report their own paths below the field ("answers.inkomster[1].belopp")."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            if isinstance(key, int):
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            for name, message in flatten_messages(value, child).items():
                flat.setdefault(name, message)
        return flat
    if isinstance(messages, list | tuple) and messages:
        first = messages[0]
        if isinstance(first, dict):
            return flatten_messages(first, path)
        return {path or "_body": str(first)}
    return {path or "_body": str(messages)}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return exc.response()

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> tuple[Response, int]:
        return ApiError.of(400, "invalid_request", texts.INVALID_REQUEST, flatten_messages(exc.messages)).response()

    @app.errorhandler(AuthError)
    def _auth(exc: AuthError) -> tuple[Response, int]:
        status, code, text = AUTH_ERRORS.get(exc.reason, AUTH_ERRORS["invalid"])
        error = ApiError.of(status, code, text)
        if status == 401:
            detail = "" if exc.reason == "missing" else ', error="invalid_token"'
            error.headers["WWW-Authenticate"] = f'Bearer realm="fickan"{detail}'
        return error.response()

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError) -> tuple[Response, int]:
        return from_service_error(exc).response()

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        status = exc.code or 500
        if isinstance(exc, InvalidIdempotencyKey):
            code, text = "invalid_idempotency_key", texts.INVALID_IDEMPOTENCY_KEY
        else:
            code, text = HTTP_ERRORS.get(status, ("internal", texts.INTERNAL))
        error = ApiError.of(status, code, text)
        error.headers.update(allow_header(exc))
        return error.response()

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return ApiError.of(500, "internal", texts.INTERNAL).response()
