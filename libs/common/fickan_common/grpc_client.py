"""gRPC clients: every call carries a deadline, the correlation id and (where given) the caller's
token; failures come back as ServiceError with the status code and any field errors."""

from __future__ import annotations

import json
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fickan_common.context import current_correlation_id, idempotency_key
from fickan_common.grpc_server import FIELD_ERRORS_KEY, MAX_MESSAGE_BYTES

DEFAULT_TIMEOUT = 3.0


class ServiceError(Exception):
    def __init__(self, code: grpc.StatusCode, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.field_errors = field_errors or {}

    @classmethod
    def from_rpc(cls, error: grpc.RpcError) -> ServiceError:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        field_errors: dict[str, str] = {}
        trailing = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        for key, value in trailing or ():
            if key == FIELD_ERRORS_KEY:
                try:
                    field_errors = json.loads(value)
                except ValueError:
                    pass
        return cls(code or grpc.StatusCode.UNKNOWN, message or "", field_errors)


def make_channel(target: str) -> grpc.Channel:
    return grpc.insecure_channel(
        target,
        options=[
            ("grpc.keepalive_time_ms", 30000),
            ("grpc.enable_retries", 1),
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 2000),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ],
    )


class ServiceClient:
    """One service's stub on a shared channel. Thread-safe (grpc channels and stubs are)."""

    def __init__(self, target: str, stub_class: type, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = target
        self.channel = make_channel(target)
        self.stub = stub_class(self.channel)
        self.timeout = timeout

    def call(self, method: str, request: Any, token: str | None = None, timeout: float | None = None) -> Any:
        metadata = [("x-correlation-id", current_correlation_id())]
        if token:
            metadata.append(("authorization", f"Bearer {token}"))
        key = idempotency_key.get()
        if key:
            # Services act on it for their commands only (see fickan_common.idempotency).
            metadata.append(("idempotency-key", key))
        try:
            return getattr(self.stub, method)(request, timeout=timeout or self.timeout, metadata=metadata)
        except grpc.RpcError as error:
            raise ServiceError.from_rpc(error) from None

    def healthy(self, timeout: float = 1.0) -> bool:
        try:
            answer = health_pb2_grpc.HealthStub(self.channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
        except grpc.RpcError:
            return False
        return answer.status == health_pb2.HealthCheckResponse.SERVING

    def close(self) -> None:
        self.channel.close()
