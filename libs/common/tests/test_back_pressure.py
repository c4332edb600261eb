"""Back-pressure instead of timeouts: a saturated service refuses a command at once, before it
runs, marked busy; reads go on beside it; a client waits its turn out by sending it again."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1.health_pb2 import HealthCheckRequest, HealthCheckResponse

from fickan_common.errors import BUSY_MESSAGE
from fickan_common.grpc_client import ServiceClient, ServiceError
from fickan_common.grpc_server import build_server

SERVICE = "fickan.test.Busy"
DO, READ = f"/{SERVICE}/Do", f"/{SERVICE}/Read"


class Stub:
    def __init__(self, channel: grpc.Channel) -> None:
        for name in ("Do", "Read"):
            setattr(
                self,
                name,
                channel.unary_unary(
                    f"/{SERVICE}/{name}",
                    request_serializer=HealthCheckRequest.SerializeToString,
                    response_deserializer=HealthCheckResponse.FromString,
                ),
            )


class Slow:
    """A command that holds its place until released, and a read."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self.ran: list[str] = []
        self.lock = threading.Lock()

    def do(self, request: HealthCheckRequest, context: grpc.ServicerContext) -> HealthCheckResponse:
        with self.lock:
            self.ran.append(request.service)
        self.started.release()
        self.release.wait(10)
        return HealthCheckResponse(status=HealthCheckResponse.SERVING)

    def read(self, request: HealthCheckRequest, context: grpc.ServicerContext) -> HealthCheckResponse:
        return HealthCheckResponse(status=HealthCheckResponse.SERVING)


def _serve(slow: Slow, **limits: int) -> tuple[grpc.Server, str]:
    def register(server: grpc.Server) -> list[str]:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                fn,
                request_deserializer=HealthCheckRequest.FromString,
                response_serializer=HealthCheckResponse.SerializeToString,
            )
            for name, fn in (("Do", slow.do), ("Read", slow.read))
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
        return []

    server, port = build_server(register, 0, None, public_methods={DO, READ}, commands={DO}, host="127.0.0.1", **limits)
    return server, f"127.0.0.1:{port}"


@pytest.fixture
def slow() -> Iterator[Slow]:
    found = Slow()
    yield found
    found.release.set()


def _in_background(call) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def test_a_command_beyond_the_gate_is_refused_at_once_marked_busy_and_never_runs(slow):
    server, target = _serve(slow, max_workers=4, write_limit=1, write_queue=0)
    impatient = ServiceClient(target, Stub, timeout=3, busy_wait=0)
    try:
        first = _in_background(lambda: impatient.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        started = time.monotonic()
        with pytest.raises(ServiceError) as refused:
            impatient.call("Do", HealthCheckRequest(service="second"))
        assert time.monotonic() - started < 1.0  # not a wait for the deadline
        assert refused.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert refused.value.busy and refused.value.message == BUSY_MESSAGE
        # Reads are not behind the gate: answered while the command holds it.
        assert impatient.call("Read", HealthCheckRequest()).status == HealthCheckResponse.SERVING
        slow.release.set()
        first.join(5)
        assert slow.ran == ["first"]
    finally:
        server.stop(0)


def test_a_client_waits_a_busy_moment_out_and_the_command_then_runs_once(slow):
    server, target = _serve(slow, max_workers=4, write_limit=1, write_queue=0)
    patient = ServiceClient(target, Stub, timeout=3, busy_wait=5)
    try:
        first = _in_background(lambda: patient.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        threading.Timer(0.4, slow.release.set).start()
        answer = patient.call("Do", HealthCheckRequest(service="second"))
        assert answer.status == HealthCheckResponse.SERVING
        first.join(5)
        assert sorted(slow.ran) == ["first", "second"]
    finally:
        server.stop(0)


def test_a_command_in_the_queue_waits_its_turn_within_its_deadline(slow):
    server, target = _serve(slow, max_workers=4, write_limit=1, write_queue=1)
    impatient = ServiceClient(target, Stub, timeout=3, busy_wait=0)
    try:
        first = _in_background(lambda: impatient.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        threading.Timer(0.3, slow.release.set).start()
        assert impatient.call("Do", HealthCheckRequest(service="queued")).status == HealthCheckResponse.SERVING
        first.join(5)
        assert slow.ran == ["first", "queued"]
    finally:
        server.stop(0)


def test_the_servers_own_limit_is_busy_too_with_words_for_people(slow):
    server, target = _serve(slow, max_workers=1, queue=0, write_limit=1, write_queue=1)
    impatient = ServiceClient(target, Stub, timeout=3, busy_wait=0)
    try:
        first = _in_background(lambda: impatient.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        with pytest.raises(ServiceError) as refused:
            impatient.call("Read", HealthCheckRequest())
        assert refused.value.busy and refused.value.message == BUSY_MESSAGE
        slow.release.set()
        first.join(5)
    finally:
        server.stop(0)


def test_a_client_sends_at_most_its_share_at_once_and_the_rest_wait_their_turn(slow):
    server, target = _serve(slow, max_workers=8, write_limit=8, write_queue=8)
    client = ServiceClient(target, Stub, timeout=3, busy_wait=5, max_in_flight=1)
    try:
        first = _in_background(lambda: client.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        later = [
            _in_background(lambda n=n: client.call("Do", HealthCheckRequest(service=f"later-{n}"))) for n in (1, 2)
        ]
        time.sleep(0.3)
        assert slow.ran == ["first"]  # the others wait in the client, the service never saw them
        slow.release.set()
        for thread in [first, *later]:
            thread.join(5)
        assert sorted(slow.ran) == ["first", "later-1", "later-2"]
    finally:
        server.stop(0)


def test_a_turn_that_does_not_come_in_time_is_busy_without_the_service_seeing_the_call(slow):
    server, target = _serve(slow, max_workers=8, write_limit=8, write_queue=8)
    client = ServiceClient(target, Stub, timeout=3, busy_wait=0.3, max_in_flight=1)
    try:
        first = _in_background(lambda: client.call("Do", HealthCheckRequest(service="first")))
        assert slow.started.acquire(timeout=5)
        with pytest.raises(ServiceError) as refused:
            client.call("Do", HealthCheckRequest(service="second"))
        assert refused.value.busy and refused.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        slow.release.set()
        first.join(5)
        assert slow.ran == ["first"]
    finally:
        server.stop(0)
