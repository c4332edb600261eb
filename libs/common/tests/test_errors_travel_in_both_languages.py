"""A domain error's text crosses gRPC in both languages: the Swedish as the status details and the
Swedish field messages in their old metadata (clients that know nothing else keep working), the
English and the keys beside them; a message passed on without English arrives without English."""

from __future__ import annotations

from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2

from fickan_common.errors import Conflict, ValidationFailed
from fickan_common.grpc_client import ServiceError
from fickan_common.grpc_server import build_server
from fickan_common.texts import Text, day, kr

FIX = Text("drill.fix", "Några uppgifter behöver rättas.", "Some details need to be corrected.")
AMOUNT = Text("drill.amount", "Högst {max} den {day}.", "At most {max} on {day}.")


@pytest.fixture
def channel():  # type: ignore[no-untyped-def]
    def refuse(request, context):  # type: ignore[no-untyped-def]
        raise ValidationFailed(FIX, {"amount": AMOUNT.format(max=kr(1200), day=day(date(2026, 12, 3)))})

    def passed_on(request, context):  # type: ignore[no-untyped-def]
        raise Conflict("Ett meddelande från någon annan.")

    def register(server: grpc.Server) -> list[str]:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                fn,
                request_deserializer=health_pb2.HealthCheckRequest.FromString,
                response_serializer=health_pb2.HealthCheckResponse.SerializeToString,
            )
            for name, fn in (("Refuse", refuse), ("PassedOn", passed_on))
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("drill.Texts", handlers),))
        return []

    public = {"/drill.Texts/Refuse", "/drill.Texts/PassedOn"}
    server, port = build_server(register, 0, None, public_methods=public, host="127.0.0.1")
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    channel.close()
    server.stop(0)


def refusal(channel: grpc.Channel, method: str) -> ServiceError:
    stub = channel.unary_unary(
        f"/drill.Texts/{method}",
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    with pytest.raises(grpc.RpcError) as raised:
        stub(health_pb2.HealthCheckRequest(), timeout=10)
    return ServiceError.from_rpc(raised.value)


def test_the_message_and_the_fields_arrive_in_both_languages_with_their_keys(channel):
    error = refusal(channel, "Refuse")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert (error.message, error.message_en, error.key) == (FIX.sv, FIX.en, "drill.fix")
    assert error.field_errors == {"amount": "Högst 1\u00a0200 kr den 3 december 2026."}
    assert error.field_errors_en == {"amount": "At most SEK 1,200 on 3 December 2026."}
    assert error.field_keys == {"amount": "drill.amount"}
    assert error.said("en") == FIX.en and error.said("sv") == FIX.sv
    assert error.fields_said("en") == error.field_errors_en


def test_words_without_english_fall_back_to_what_the_caller_has(channel):
    error = refusal(channel, "PassedOn")

    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert (error.message, error.message_en, error.key) == ("Ett meddelande från någon annan.", "", "")
    assert error.said("en", "The case has changed.") == "The case has changed."
    assert error.said("sv", "The case has changed.") == "Ett meddelande från någon annan."
