"""A request that meets a database that is away (restarting, failing over) is told UNAVAILABLE with
the Swedish "try again" (the BFFs' 503 with Retry-After), not INTERNAL's "something went wrong":
its transaction was rolled back, so trying again is safe."""

from __future__ import annotations

import socket

import grpc
import pytest
from grpc_health.v1 import health_pb2

from fickan_common.db import Database
from fickan_common.grpc_server import DATABASE_AWAY, build_server

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
    assert error.details() == DATABASE_AWAY


def test_a_bug_is_still_internal(server_on_a_database_that_is_away):
    error = call(server_on_a_database_that_is_away, "/drill.Db/Crash")
    assert error.code() == grpc.StatusCode.INTERNAL
