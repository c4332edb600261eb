"""Start-up shared by every service's api process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import grpc

from fickan_common.grpc_client import ServiceClient
from fickan_common.grpc_server import build_server, run_until_stopped
from fickan_common.idempotency import IdempotencyStore
from fickan_common.logs import setup_logging
from fickan_common.metrics import serve_metrics
from fickan_common.revocations import RevocationFeed
from fickan_common.settings import ServiceSettings
from fickan_common.tokens import JwksCache, TokenVerifier

log = logging.getLogger(__name__)


def revoked_sessions_of(client: ServiceClient) -> Callable[[], list[tuple[str, float]]]:
    """identity's list of recently revoked sessions, for a RevocationFeed's start."""
    from fickan.identity.v1 import identity_pb2

    def load() -> list[tuple[str, float]]:
        answer = client.call("ListRevokedSessions", identity_pb2.ListRevokedSessionsRequest())
        return [(s.session_id, float(s.forget_after.seconds)) for s in answer.sessions]

    return load


def identity_verifier(identity_target: str, amqp_uri: str | None = None, name: str = "") -> TokenVerifier:
    """Verifies tokens with the keys identity publishes (fetched over gRPC, cached) and, given the
    broker, refuses tokens of sessions identity revoked (a RevocationFeed of this process)."""
    from fickan.identity.v1 import identity_pb2, identity_pb2_grpc

    client = ServiceClient(identity_target, identity_pb2_grpc.IdentityServiceStub)
    feed = RevocationFeed(amqp_uri, revoked_sessions_of(client), name).start() if amqp_uri else None
    return TokenVerifier(
        JwksCache(lambda: client.call("GetJwks", identity_pb2.GetJwksRequest()).jwks_json), revoked=feed
    )


def run_api(
    settings: ServiceSettings,
    register: Callable[[grpc.Server], Iterable[str]],
    verifier: TokenVerifier,
    public_methods: Iterable[str] = (),
    on_stop: Callable[[], None] | None = None,
    glance_methods: Iterable[str] = (),
    commands: Iterable[str] = (),
    idempotency: IdempotencyStore | None = None,
    max_workers: int = 16,
) -> None:
    setup_logging(f"{settings.name}-api", settings.log_level)
    serve_metrics(settings.metrics_port)
    server, port = build_server(
        register,
        settings.grpc_port,
        verifier,
        public_methods,
        glance_methods=glance_methods,
        commands=commands,
        idempotency=idempotency,
        max_workers=max_workers,
    )
    log.info("serving gRPC", extra={"fields": {"port": port}})
    run_until_stopped(server, on_stop)
