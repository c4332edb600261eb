"""Subscribe, the live feed, through the real grpcio server and the shared interceptor: it streams
new messages and case changes, resumes after a sequence number, heartbeats, ends with the token,
and refuses what it must."""

from __future__ import annotations

import queue
import threading
import time
import uuid

import grpc
import pytest
from test_handlers_deliver_each_event_once import make_envelope

from fickan.applications.events.v1 import events_pb2 as app_events
from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_common.db import Database
from fickan_common.events import Publisher, flush_outbox
from fickan_common.testing import TokenFactory, fresh_rabbitmq_vhost
from notifications import handlers
from notifications.live import FeedListener, Hub
from notifications.store import OUTBOX


def auth(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def decision(resident: str, amount: int = 1000) -> dict:
    return make_envelope(
        "applications",
        "decision_made",
        app_events.DecisionMade(
            application_id=str(uuid.uuid4()),
            resident_ids=[resident],
            outcome="approved",
            amount=amount,
            period="2026-12",
        ),
    )


def status_changed(resident: str, to: str) -> dict:
    return make_envelope(
        "applications",
        "case_status_changed",
        app_events.CaseStatusChanged(application_id=str(uuid.uuid4()), resident_ids=[resident], to_status=to),
    )


class Reader:
    """Reads a stream in a thread so the test can wait for what it expects."""

    def __init__(self, call) -> None:  # type: ignore[no-untyped-def]
        self.call = call
        self.items: queue.Queue = queue.Queue()
        self.error: grpc.RpcError | None = None
        self.ended = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            for item in self.call:
                self.items.put(item)
        except grpc.RpcError as exc:
            self.error = exc
        self.ended.set()

    def next(self, kind: str | None = None, timeout: float = 10) -> pb.FeedEvent:
        deadline = time.monotonic() + timeout
        while True:
            item = self.items.get(timeout=max(deadline - time.monotonic(), 0.01))
            if kind is None or item.kind == kind:
                return item


def test_a_new_message_and_a_case_change_reach_the_open_stream_in_feed_order(
    stub, db: Database, tokens: TokenFactory
) -> None:  # type: ignore[no-untyped-def]
    resident = str(uuid.uuid4())
    reader = Reader(stub.Subscribe(pb.SubscribeRequest(), metadata=auth(tokens.token(resident)), timeout=30))
    hello = reader.next()
    assert hello.kind == "heartbeat" and hello.unread == 0

    handlers.handle_application_event(db, "decision_made", decision(resident, 4200))
    handlers.handle_application_event(db, "case_status_changed", status_changed(resident, "decided"))

    message = reader.next("message")
    assert message.seq == 1 and message.unread == 1
    assert message.message.kind == "decision_approved" and "4\u00a0200 kr" in message.message.body
    change = reader.next("case_changed")
    assert (change.seq, change.status) == (2, "decided")
    reader.call.cancel()


def test_another_residents_entries_never_reach_the_stream(stub, db: Database, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    resident, other = str(uuid.uuid4()), str(uuid.uuid4())
    reader = Reader(stub.Subscribe(pb.SubscribeRequest(), metadata=auth(tokens.token(resident)), timeout=30))
    reader.next("heartbeat")
    handlers.handle_application_event(db, "decision_made", decision(other))
    handlers.handle_application_event(db, "decision_made", decision(resident, 7))
    got = reader.next("message")
    assert "7 kr" in got.message.body
    reader.call.cancel()


def test_resuming_after_a_sequence_number_gives_what_happened_while_away(
    stub, db: Database, tokens: TokenFactory
) -> None:  # type: ignore[no-untyped-def]
    resident = str(uuid.uuid4())
    for amount in (1, 2, 3):
        handlers.handle_application_event(db, "decision_made", decision(resident, amount))
    reader = Reader(stub.Subscribe(pb.SubscribeRequest(after_seq=1), metadata=auth(tokens.token(resident)), timeout=30))
    reader.next("heartbeat")
    assert [reader.next("message").seq for _ in range(2)] == [2, 3]
    reader.call.cancel()


def test_heartbeats_keep_a_quiet_stream_alive_and_it_ends_when_the_token_expires(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stub.Subscribe(pb.SubscribeRequest(), metadata=auth(tokens.token(expires_in=3)), timeout=30))
    kinds = [reader.next().kind for _ in range(3)]
    assert kinds == ["heartbeat"] * 3
    assert reader.ended.wait(10), "the stream outlived its token"
    assert reader.error is None  # ended cleanly: the client comes back with a new token and its seq


def test_a_paired_watch_may_follow_the_stream(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    token = tokens.token(scope="glance", device="watch")
    reader = Reader(stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token), timeout=30))
    assert reader.next().kind == "heartbeat"
    reader.call.cancel()


@pytest.mark.parametrize(
    "make_metadata,code",
    [
        (lambda t: [], grpc.StatusCode.UNAUTHENTICATED),
        (lambda t: auth(t.token(expires_in=-60)), grpc.StatusCode.UNAUTHENTICATED),
        (lambda t: auth("not-a-token"), grpc.StatusCode.UNAUTHENTICATED),
    ],
    ids=["no token", "expired token", "garbage"],
)
def test_a_stream_without_a_valid_token_is_refused_before_anything_is_sent(
    stub, tokens: TokenFactory, make_metadata, code
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as raised:
        next(iter(stub.Subscribe(pb.SubscribeRequest(), metadata=make_metadata(tokens), timeout=5)))
    assert raised.value.code() == code
    assert "logga in" in raised.value.details().lower()


def test_a_negative_position_is_refused_clearly(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as raised:
        next(iter(stub.Subscribe(pb.SubscribeRequest(after_seq=-5), metadata=auth(tokens.token()), timeout=5)))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_the_feed_listener_wakes_streams_from_the_events_the_worker_publishes(db: Database) -> None:
    """The real path between the worker and the api: feed_appended over RabbitMQ."""
    resident = str(uuid.uuid4())
    hub = Hub()
    with fresh_rabbitmq_vhost() as amqp_uri:
        listener = FeedListener(amqp_uri, hub).start()
        publisher = Publisher(amqp_uri)
        try:
            assert listener.ready.wait(10)
            woken = hub.register(resident)
            handlers.handle_application_event(
                db,
                "decision_made",
                decision(resident),
                on_events=lambda ids: flush_outbox(db, OUTBOX, publisher, event_ids=ids),
            )
            assert woken.wait(10), "the stream was not woken"
        finally:
            listener.stop()
            publisher.close()
