"""A request that meets a dependency that is away (the service's database restarting, identity down
when the service needs its keys) is told UNAVAILABLE with the Swedish "try again" (the BFFs' 503
with Retry-After), not INTERNAL's "something went wrong": what it did was rolled back, so trying
again is safe. And identity being down does not stop a service that already knows its keys."""

from __future__ import annotations

import socket
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2

from fickan_common.db import Database
from fickan_common.grpc_client import ServiceError
from fickan_common.grpc_server import TRY_AGAIN_SOON, build_server
from fickan_common.testing import TokenFactory
from fickan_common.tokens import JwksCache, TokenVerifier

METHOD = "/drill.Db/Read"


def a_port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_on_a_database_that_is_away():  # type: ignore[no-untyped-def]
    db = Database(f"postgresql://postgres@127.0.0.1:{a_port_nobody_listens_on()}/gone?connect_timeout=2")

    def read(request, context):  # type: ignore[no-untyped-def]
        with db.read() as session:
            session.connection()
        return health_pb2.HealthCheckResponse()

    def crash(request, context):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    def register(server: grpc.Server) -> list[str]:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                fn,
                request_deserializer=health_pb2.HealthCheckRequest.FromString,
                response_serializer=health_pb2.HealthCheckResponse.SerializeToString,
            )
            for name, fn in (("Read", read), ("Crash", crash))
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("drill.Db", handlers),))
        return []

    server, port = build_server(register, 0, None, public_methods={METHOD, "/drill.Db/Crash"}, host="127.0.0.1")
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    channel.close()
    server.stop(0)
    db.dispose()


def call(channel: grpc.Channel, method: str) -> grpc.RpcError:
    stub = channel.unary_unary(
        method,
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    with pytest.raises(grpc.RpcError) as raised:
        stub(health_pb2.HealthCheckRequest(), timeout=10)
    return raised.value


def test_a_database_that_is_away_is_unavailable_with_a_clear_message(server_on_a_database_that_is_away):
    error = call(server_on_a_database_that_is_away, METHOD)
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details() == TRY_AGAIN_SOON.sv


def test_a_bug_is_still_internal(server_on_a_database_that_is_away):
    error = call(server_on_a_database_that_is_away, "/drill.Db/Crash")
    assert error.code() == grpc.StatusCode.INTERNAL


class Identity:
    """identity's GetJwks as a service sees it: answering, or down (the client's error)."""

    def __init__(self, factory: TokenFactory) -> None:
        self.factory = factory
        self.up = True
        self.fetches = 0

    def jwks(self) -> str:
        self.fetches += 1
        if not self.up:
            raise ServiceError(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
        return self.factory.jwks_json()


def test_identity_down_after_the_keys_expired_still_verifies_with_the_known_keys():
    factory = TokenFactory()
    identity = Identity(factory)
    verifier = TokenVerifier(JwksCache(identity.jwks, ttl=0.3, min_refetch=0.2))
    token = factory.token()
    verifier.verify(token)
    identity.up = False
    time.sleep(0.4)  # past the ttl
    for _ in range(20):
        verifier.verify(token)  # was: the refetch's error for every call, a 500 everywhere
    assert identity.fetches == 2  # one try, not one per call
    time.sleep(0.25)
    verifier.verify(token)
    assert identity.fetches == 3  # tried again after min_refetch
    identity.up = True
    time.sleep(0.25)
    verifier.verify(token)
    verifier.verify(token)
    assert identity.fetches == 4  # back: fresh keys, and no more tries until the ttl passes


def test_a_service_that_cannot_get_the_keys_answers_unavailable():
    factory = TokenFactory()
    identity = Identity(factory)
    identity.up = False
    verifier = TokenVerifier(JwksCache(identity.jwks))

    def register(server: grpc.Server) -> list[str]:
        handler = grpc.unary_unary_rpc_method_handler(
            lambda request, context: health_pb2.HealthCheckResponse(),
            request_deserializer=health_pb2.HealthCheckRequest.FromString,
            response_serializer=health_pb2.HealthCheckResponse.SerializeToString,
        )
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("drill.Mine", {"Read": handler}),))
        return []

    server, port = build_server(register, 0, verifier, host="127.0.0.1")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = channel.unary_unary(
                "/drill.Mine/Read",
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            with pytest.raises(grpc.RpcError) as raised:
                stub(health_pb2.HealthCheckRequest(), metadata=[("authorization", f"Bearer {factory.token()}")])
    finally:
        server.stop(0)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details() == TRY_AGAIN_SOON.sv
