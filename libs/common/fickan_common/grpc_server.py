"""A grpcio server for a service's api process: health checking, and one interceptor that sets the
correlation id, verifies the caller's token, maps domain errors to status codes and counts.

Back-pressure: commands (the methods that change state) take turns at a gate of `write_limit`
places with at most `write_queue` waiting, each only as long as its caller's deadline allows; the
server as a whole takes at most `max_workers + queue` calls at once. A command that cannot get in
is refused at once with RESOURCE_EXHAUSTED and the trailing metadata `fickan-busy` — before
anything ran, so the BFF may send it again a moment later (fickan_common.grpc_client does, for a
few seconds) — instead of waiting in the executor's queue until the BFF's deadline passed and the
resident got a 503 for work that might still be done after it. Commands never take all the threads:
reads keep the rest.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent import futures
from contextvars import ContextVar

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from fickan_common import limits, metrics, texts
from fickan_common.context import correlation_id, new_correlation_id, valid_correlation_id
from fickan_common.errors import Busy, DomainError, PermissionDenied, Unauthenticated, Unavailable
from fickan_common.idempotency import METADATA_KEY, IdempotencyStore, check_key, key_hash
from fickan_common.settings import runtime
from fickan_common.tokens import InvalidToken, Principal, TokenVerifier, bearer

log = logging.getLogger(__name__)

# Each server's health servicer, so a shutdown can say NOT_SERVING before it drains.
_HEALTH: weakref.WeakKeyDictionary[grpc.Server, health.HealthServicer] = weakref.WeakKeyDictionary()

FIELD_ERRORS_KEY = "fickan-field-errors-bin"  # JSON {field: Swedish}
# JSON {"key": ..., "en": ..., "fields_en": {field: English}, "field_keys": {field: key}}: the message's
# English and key beside the Swedish in the status details (see fickan_common.texts)
TEXT_KEY = "fickan-text-bin"
BUSY_KEY = "fickan-busy"  # trailing metadata: refused before anything ran, safe to send again
REPLAYED_KEY = "fickan-idempotent-replay"  # trailing metadata on an answer given back for a repeat
# Attachments (up to 10 MB) travel in one message; gRPC's default limit is 4 MB. Servers and clients.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)
SLOW_RPC_SECONDS = 1.0  # a read slower than this is logged at info

TOKEN_MESSAGES = texts.TOKEN_MESSAGES
GLANCE_REFUSED = texts.GLANCE_REFUSED
# Something the service needs is away (its database restarting or failing over, another service
# down): what it did was rolled back, so a retry is safe, and the caller is told so (UNAVAILABLE:
# the BFF's 503 with Retry-After) instead of "something went wrong" (INTERNAL).
TRY_AGAIN_SOON = texts.TRY_AGAIN_SOON


def database_away(exc: BaseException) -> bool:
    """The database connection failed or was lost (not a bug in the query, not a constraint)."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def another_service_away(exc: BaseException) -> bool:
    """A call to another service (e.g. identity's keys) found it down or hung."""
    from fickan_common.grpc_client import ServiceError  # it imports this module

    return isinstance(exc, ServiceError) and exc.code in (
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
    )


def as_domain_error(exc: Exception) -> DomainError | None:
    if isinstance(exc, DomainError):
        return exc
    if database_away(exc) or another_service_away(exc):
        return Unavailable(TRY_AGAIN_SOON)
    return None


def _text_json(text: texts.Text, fields: dict[str, texts.Text]) -> bytes:
    said = {
        "key": text.key,
        "en": text.en,
        "fields_en": {name: value.en for name, value in fields.items() if value.en},
        "field_keys": {name: value.key for name, value in fields.items() if value.key},
    }
    return json.dumps(said, ensure_ascii=False).encode()


def trailing_metadata(exc: DomainError) -> tuple[tuple[str, str | bytes], ...]:
    """What travels beside the status: the Swedish field errors (as always), the English and the
    keys of the message and the fields, and whether the call was refused before anything ran."""
    metadata: list[tuple[str, str | bytes]] = [(TEXT_KEY, _text_json(exc.text, exc.field_texts))]
    if isinstance(exc, Busy):
        metadata.append((BUSY_KEY, "1"))
    if exc.field_errors:
        metadata.append((FIELD_ERRORS_KEY, json.dumps(exc.field_errors, ensure_ascii=False).encode()))
    return tuple(metadata)


def current_principal() -> Principal:
    """The verified caller of the current request."""
    principal = _principal.get()
    if principal is None:
        raise Unauthenticated(TOKEN_MESSAGES["missing"])
    return principal


class CommandGate:
    """At most `limit` commands run at once, at most `queue` more wait for a place (in arrival
    order), each no longer than `max_wait` nor past its caller's deadline (less `margin`, so that
    the command still has time to run). Anything else is Busy at once."""

    def __init__(self, limit: int, queue: int, max_wait: float = 2.0, margin: float = 0.5) -> None:
        self.limit, self.queue, self.max_wait, self.margin = limit, queue, max_wait, margin
        self._places = threading.Semaphore(limit)
        self._lock = threading.Lock()
        self._waiting = 0

    def enter(self, time_remaining: float | None) -> None:
        if self._places.acquire(blocking=False):
            return
        wait = self.max_wait if time_remaining is None else min(self.max_wait, time_remaining - self.margin)
        with self._lock:
            if self._waiting >= self.queue or wait <= 0:
                raise Busy(texts.BUSY)
            self._waiting += 1
        try:
            admitted = self._places.acquire(timeout=wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise Busy(texts.BUSY)

    def leave(self) -> None:
        self._places.release()


def method_paths(service: str, names: Iterable[str]) -> set[str]:
    """gRPC method paths ("/<package>.<Service>/<Method>") of one service's methods."""
    return {f"/{service}/{name}" for name in names}


class ServiceInterceptor(grpc.ServerInterceptor):
    """`glance_methods`: the only methods a token with scope "glance" (a paired watch) may call.
    `commands`: the methods that change state; with an idempotency store, a repeat of one of them
    with the same `idempotency-key` metadata gets the first answer (see fickan_common.idempotency)."""

    def __init__(
        self,
        verifier: TokenVerifier | None,
        public_methods: Iterable[str],
        glance_methods: Iterable[str] = (),
        commands: Iterable[str] = (),
        idempotency: IdempotencyStore | None = None,
        gate: CommandGate | None = None,
    ) -> None:
        self.verifier = verifier
        self.public_methods = set(public_methods)
        self.glance_methods = set(glance_methods)
        self.commands = set(commands)
        self.idempotency = idempotency
        self.gate = gate

    def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        handler = continuation(handler_call_details)
        if handler is None:
            return handler
        if handler.unary_unary is not None:
            return self._unary(handler, handler_call_details.method)
        if handler.unary_stream is not None:
            return self._server_stream(handler, handler_call_details.method)
        return handler

    def _admit(self, method: str, request, context) -> bool:  # type: ignore[no-untyped-def]
        """Verify the caller (unless the method is public) and the request's declared limits.
        Sets the principal; returns whether the method is public."""
        md = dict(context.invocation_metadata())
        public = method in self.public_methods or method.startswith("/grpc.health.")
        if not public:
            if self.verifier is None:
                raise Unauthenticated(TOKEN_MESSAGES["invalid"])
            try:
                principal = self.verifier.verify(bearer(md.get("authorization")))
            except InvalidToken as exc:
                raise Unauthenticated(TOKEN_MESSAGES[exc.reason]) from None
            if "glance" in principal.scope and method not in self.glance_methods:
                raise PermissionDenied(GLANCE_REFUSED)
            _principal.set(principal)
        limits.check(request)  # the contract's declared limits, before any use case
        return public

    def _fail(self, method: str, exc: Exception, context) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
        """Abort the call with the status the error means (re-raises grpc's own abort)."""
        domain = as_domain_error(exc)
        if domain is not None and domain is not exc:
            log.warning("a dependency is away in %s: %s", method, str(exc).splitlines()[0] if str(exc) else repr(exc))
            exc = domain
        if isinstance(exc, DomainError):
            context.set_trailing_metadata(trailing_metadata(exc))
            context.abort(exc.code, exc.message)
        if isinstance(exc, grpc.RpcError) or type(exc).__name__ == "_AbortError":
            raise exc
        log.exception("unhandled error in %s", method)
        context.set_trailing_metadata(((TEXT_KEY, _text_json(texts.INTERNAL, {})),))
        context.abort(grpc.StatusCode.INTERNAL, texts.INTERNAL.sv)
        return grpc.StatusCode.INTERNAL  # not reached: abort raises

    def _done(self, method: str, code: grpc.StatusCode, started: float, public: bool) -> None:
        elapsed = time.perf_counter() - started
        metrics.GRPC_REQUESTS.labels(method, code.name).inc()
        metrics.GRPC_LATENCY.labels(method).observe(elapsed)
        # A line for what changes something, what failed and what was slow; a read that went well is
        # counted and timed by the metrics above and logged at debug. A line per read was 14-18 % of a
        # service's busy time under load, much of it waiting for the log handler's lock, and the BFF
        # logs each request anyway. Health checks and login polling would drown the log.
        ok = code == grpc.StatusCode.OK
        quiet = ok and (public or (method not in self.commands and elapsed < SLOW_RPC_SECONDS))
        level = logging.DEBUG if quiet else logging.INFO
        if log.isEnabledFor(level):
            fields = {"method": method, "code": code.name, "ms": round(elapsed * 1000, 1)}
            log.log(level, "rpc", extra={"fields": fields})

    @staticmethod
    def _code(exc: Exception) -> grpc.StatusCode:
        domain = as_domain_error(exc)
        return domain.code if domain is not None else grpc.StatusCode.INTERNAL

    def _unary(self, handler, method: str):  # type: ignore[no-untyped-def]
        inner = handler.unary_unary
        public_method = method in self.public_methods or method.startswith("/grpc.health.")
        idempotent = self.idempotency is not None and method in self.commands
        store = self.idempotency
        serialize = handler.response_serializer
        gate = self.gate if method in self.commands else None

        def wrapper(request, context):  # type: ignore[no-untyped-def]
            md = dict(context.invocation_metadata())
            incoming = md.get("x-correlation-id")
            cid_token = correlation_id.set(incoming if valid_correlation_id(incoming) else new_correlation_id())
            principal_token = _principal.set(None)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            admitted = False
            try:
                public = self._admit(method, request, context)
                if gate is not None:
                    gate.enter(context.time_remaining())
                    admitted = True
                key = md.get(METADATA_KEY) if idempotent and not public else None
                if key is None or store is None:
                    return inner(request, context)
                hashed = key_hash(
                    _principal.get().user_id,  # type: ignore[union-attr]
                    method,
                    check_key(key),
                    request.SerializeToString(deterministic=True),
                )
                answer, replayed = store.run(hashed, lambda: serialize(inner(request, context)))
                if replayed:
                    context.set_trailing_metadata(((REPLAYED_KEY, "1"),))
                return answer
            except Exception as exc:  # noqa: BLE001 - mapped to a status by _fail
                if not (isinstance(exc, grpc.RpcError) or type(exc).__name__ == "_AbortError"):
                    code = self._code(exc)
                self._fail(method, exc, context)
            finally:
                if admitted:
                    gate.leave()  # type: ignore[union-attr]
                self._done(method, code, started, public_method)
                _principal.reset(principal_token)
                correlation_id.reset(cid_token)

        def serialize_answer(answer):  # type: ignore[no-untyped-def]
            # An idempotent command's answer is already bytes (stored, or serialized to be stored).
            return answer if isinstance(answer, bytes) else serialize(answer)

        return grpc.unary_unary_rpc_method_handler(
            wrapper,
            request_deserializer=handler.request_deserializer,
            response_serializer=serialize_answer,
        )

    def _server_stream(self, handler, method: str):  # type: ignore[no-untyped-def]
        """The same admission, errors, correlation and counts for a server stream (e.g. a live
        feed). The caller is checked before the first message; an error mid-stream ends it with
        the error's status. Each resumption of the stream runs under the call's context."""
        inner = handler.unary_stream
        public_method = method in self.public_methods or method.startswith("/grpc.health.")

        def wrapper(request, context):  # type: ignore[no-untyped-def]
            md = dict(context.invocation_metadata())
            incoming = md.get("x-correlation-id")
            cid = incoming if valid_correlation_id(incoming) else new_correlation_id()
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            principal: Principal | None = None
            cid_token = correlation_id.set(cid)
            principal_token = _principal.set(None)
            try:
                self._admit(method, request, context)
                principal = _principal.get()
                responses = iter(inner(request, context))
            except Exception as exc:  # noqa: BLE001 - mapped to a status by _fail
                if not (isinstance(exc, grpc.RpcError) or type(exc).__name__ == "_AbortError"):
                    code = self._code(exc)
                self._done(method, code, started, public_method)
                self._fail(method, exc, context)
                return
            finally:
                _principal.reset(principal_token)
                correlation_id.reset(cid_token)
            metrics.GRPC_STREAMS.labels(method).inc()
            try:
                while True:
                    cid_token = correlation_id.set(cid)
                    principal_token = _principal.set(principal)
                    try:
                        answer = next(responses)
                    except StopIteration:
                        return
                    except Exception as exc:  # noqa: BLE001 - mapped to a status by _fail
                        if not (isinstance(exc, grpc.RpcError) or type(exc).__name__ == "_AbortError"):
                            code = self._code(exc)
                        self._fail(method, exc, context)
                    finally:
                        _principal.reset(principal_token)
                        correlation_id.reset(cid_token)
                    yield answer
            finally:
                if hasattr(responses, "close"):
                    responses.close()  # a cancelled call: let the stream clean up
                metrics.GRPC_STREAMS.labels(method).dec()
                self._done(method, code, started, public_method)

        return grpc.unary_stream_rpc_method_handler(
            wrapper,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def build_server(
    register: Callable[[grpc.Server], Iterable[str]],
    port: int,
    verifier: TokenVerifier | None,
    public_methods: Iterable[str] = (),
    max_workers: int = 16,
    host: str = "0.0.0.0",
    glance_methods: Iterable[str] = (),
    commands: Iterable[str] = (),
    idempotency: IdempotencyStore | None = None,
    write_limit: int | None = None,
    write_queue: int | None = None,
    queue: int = 64,
) -> tuple[grpc.Server, int]:
    """A started server with the service's servicers and gRPC health. Returns (server, bound port).
    Commands: `write_limit` at once (default half the threads), `write_queue` waiting (default a
    quarter); the server takes `max_workers + queue` calls at once (see the module's docstring)."""
    gate = CommandGate(
        write_limit if write_limit is not None else max(1, max_workers // 2),
        write_queue if write_queue is not None else max(1, max_workers // 4),
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        interceptors=[ServiceInterceptor(verifier, public_methods, glance_methods, commands, idempotency, gate)],
        maximum_concurrent_rpcs=max_workers + queue,
        options=[
            ("grpc.so_reuseport", 0),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = list(register(server))
    bound = server.add_insecure_port(f"{host}:{port}")
    if not bound:
        raise RuntimeError(f"cannot bind gRPC port {port}")
    server.start()
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    _HEALTH[server] = health_servicer
    return server, bound


def run_until_stopped(server: grpc.Server, on_stop: Callable[[], None] | None = None) -> None:
    """Block until SIGTERM/SIGINT, then drain: gRPC health answers NOT_SERVING (readiness fails, so
    no new traffic is sent here), the server takes no new calls, and calls in flight get
    FICKAN_SHUTDOWN_GRACE seconds (20) to finish. Kubernetes' grace period must cover the preStop
    pause and this (k8s/README.md)."""
    stopped = threading.Event()

    def _stop(*_args: object) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stopped.wait()
    settings = runtime()
    drain(server, settings.shutdown_grace, settings.shutdown_delay)
    if on_stop:
        on_stop()


def drain(server: grpc.Server, grace: float, delay: float = 0.0) -> None:
    """NOT_SERVING first; then, for `delay` seconds, new calls are still taken: a call a client sent
    just before it learnt that this replica is leaving is on the wire, and stop() would cancel it
    (seen under load: CANCELLED within milliseconds of SIGTERM). Then calls in flight get `grace`."""
    health_servicer = _HEALTH.get(server)
    if health_servicer is not None:
        health_servicer.enter_graceful_shutdown()
    if delay > 0:
        time.sleep(delay)
    log.info("stopping: calls in flight may finish", extra={"fields": {"grace_seconds": grace}})
    server.stop(grace=grace).wait()
    log.info("stopped")
