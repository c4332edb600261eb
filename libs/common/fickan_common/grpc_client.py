"""gRPC clients: every call carries a deadline, the correlation id and (where given) the caller's
token; failures come back as ServiceError with the status code, the message and any field errors,
each in Swedish and (when the service sent it) English, with the text's key.

Back-pressure, the caller's side: at most `max_in_flight` calls of one process go to a service at
once; more wait here for their turn, in arrival order (a greenlet each under the BFFs' gevent
worker, so a queue of hundreds costs memory, not threads). A call the service refused as busy
(fickan_common.grpc_server's gate: nothing ran) is sent again after a short, growing, jittered
pause. Both waits together last at most `busy_wait` seconds; then the call fails as busy, which the
BFFs answer with 429 and Retry-After. So a surge's moment of saturation is queued here instead of
reaching the resident as an error, and the service's own queue stays short."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fickan_common.context import current_correlation_id, idempotency_key
from fickan_common.errors import BUSY
from fickan_common.grpc_server import BUSY_KEY, FIELD_ERRORS_KEY, MAX_MESSAGE_BYTES, TEXT_KEY

DEFAULT_TIMEOUT = 3.0
DEFAULT_BUSY_WAIT = 6.0
DEFAULT_MAX_IN_FLIGHT = 12  # a service's api has 16 threads; leave it room for its other callers
# What grpcio itself answers when a server's maximum_concurrent_rpcs is reached (before any handler).
GRPC_LIMIT_DETAILS = "Concurrent RPC limit exceeded!"


class ServiceError(Exception):
    """A service's refusal. `message` and `field_errors` are the Swedish (the status details);
    `message_en` and `field_errors_en` the English the service sent beside it ("" / missing when it
    sent none); `key` names the text (e.g. "identity.bankid_in_progress"), `field_keys` the fields'."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        field_errors: dict[str, str] | None = None,
        busy: bool = False,
        message_en: str = "",
        key: str = "",
        field_errors_en: dict[str, str] | None = None,
        field_keys: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.field_errors = field_errors or {}
        self.busy = busy  # refused before anything ran: the same request later is safe
        self.message_en = message_en
        self.key = key
        self.field_errors_en = field_errors_en or {}
        self.field_keys = field_keys or {}

    def said(self, lang: str, fallback_en: str = "") -> str:
        """The message in `lang`: the service's English for "en" (`fallback_en` when it sent none),
        else the Swedish."""
        if lang == "en":
            return self.message_en or fallback_en or self.message
        return self.message

    def fields_said(self, lang: str, fallback_en: str = "") -> dict[str, str]:
        """The field errors in `lang`: each field's English for "en" (`fallback_en`, else the Swedish,
        for a field the service sent none for)."""
        if lang != "en":
            return dict(self.field_errors)
        return {name: self.field_errors_en.get(name) or fallback_en or sv for name, sv in self.field_errors.items()}

    @classmethod
    def from_rpc(cls, error: grpc.RpcError) -> ServiceError:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        field_errors: dict[str, str] = {}
        said: dict[str, Any] = {}
        busy = False
        trailing = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        for key, value in trailing or ():
            if key == FIELD_ERRORS_KEY:
                try:
                    field_errors = json.loads(value)
                except ValueError:
                    pass
            elif key == TEXT_KEY:
                try:
                    said = json.loads(value)
                except ValueError:
                    pass
            elif key == BUSY_KEY:
                busy = True
        if not isinstance(said, dict):
            said = {}
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED and message == GRPC_LIMIT_DETAILS:
            busy, message = True, BUSY.sv
            said = {"key": BUSY.key, "en": BUSY.en}
        busy = busy and code == grpc.StatusCode.RESOURCE_EXHAUSTED
        return cls(
            code or grpc.StatusCode.UNKNOWN,
            message or "",
            field_errors,
            busy,
            message_en=str(said.get("en") or ""),
            key=str(said.get("key") or ""),
            field_errors_en=_strings(said.get("fields_en")),
            field_keys=_strings(said.get("field_keys")),
        )


def _strings(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items() if v} if isinstance(value, dict) else {}


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

    def __init__(
        self,
        target: str,
        stub_class: type,
        timeout: float = DEFAULT_TIMEOUT,
        busy_wait: float = DEFAULT_BUSY_WAIT,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        self.target = target
        self.channel = make_channel(target)
        self.stub = stub_class(self.channel)
        self.timeout = timeout
        self.busy_wait = busy_wait
        # Made here, so under gevent (the BFFs create their clients after the worker patched) it is
        # gevent's; a Semaphore wakes its waiters in arrival order.
        self._turns = threading.Semaphore(max_in_flight) if max_in_flight > 0 else None

    def call(self, method: str, request: Any, token: str | None = None, timeout: float | None = None) -> Any:
        metadata = [("x-correlation-id", current_correlation_id())]
        if token:
            metadata.append(("authorization", f"Bearer {token}"))
        key = idempotency_key.get()
        if key:
            # Services act on it for their commands only (see fickan_common.idempotency).
            metadata.append(("idempotency-key", key))
        give_up = time.monotonic() + self.busy_wait
        if self._turns is not None and not self._turns.acquire(timeout=self.busy_wait):
            raise ServiceError(grpc.StatusCode.RESOURCE_EXHAUSTED, BUSY.sv, busy=True, message_en=BUSY.en, key=BUSY.key)
        try:
            pause = 0.05
            while True:
                try:
                    return getattr(self.stub, method)(request, timeout=timeout or self.timeout, metadata=metadata)
                except grpc.RpcError as error:
                    failure = ServiceError.from_rpc(error)
                if not failure.busy or time.monotonic() + pause > give_up:
                    raise failure
                time.sleep(pause * (0.5 + random.random()))  # jitter: the refused do not all return at once
                pause = min(pause * 2, 0.8)
        finally:
            if self._turns is not None:
                self._turns.release()

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
