"""The gRPC contract of NotificationsService, called with the official generated stub over loopback
against the real grpcio server (token verification, error mapping and all)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan.notifications.v1 import notifications_pb2 as pb
from fickan.notifications.v1 import notifications_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.events import envelope
from fickan_common.grpc_server import FIELD_ERRORS_KEY, build_server
from fickan_common.testing import TokenFactory
from notifications import handlers
from notifications.api import register
from notifications.service import Notifications
from notifications.store import Message


def auth(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def field_errors(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def deliver_receipt(db: Database, recipient: str, period: str = "2026-12") -> None:
    """A message arrives the way it does in production: from an application_submitted event."""
    body = envelope(
        "applications",
        "application_submitted",
        applications_events.ApplicationSubmitted(
            application_id=str(uuid.uuid4()), applicant_id=recipient, kind="ekonomiskt_bistand", period=period
        ),
    )
    assert handlers.handle_application_submitted(db, body)


def seed(db: Database, recipient: str, n: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction() as session:
        for i in range(n):
            session.add(
                Message(
                    id=str(uuid.uuid4()),
                    recipient_id=recipient,
                    subject=f"Meddelande {i}",
                    body="Text",
                    reference="",
                    read=False,
                    created_at=start + timedelta(minutes=i),
                )
            )


def test_list_messages_returns_only_the_callers_messages_newest_first(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    me, other = str(uuid.uuid4()), str(uuid.uuid4())
    deliver_receipt(db, me, "2026-11")
    deliver_receipt(db, me, "2026-12")
    deliver_receipt(db, other)

    response = stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(tokens.token(me)), timeout=5)

    assert len(response.messages) == 2
    newest, oldest = response.messages
    assert "december 2026" in newest.body and "november 2026" in oldest.body
    assert newest.subject == "Vi har tagit emot din ansökan"
    assert newest.reference.startswith("application:")
    assert newest.read is False
    assert newest.created_at.seconds >= oldest.created_at.seconds > 0
    uuid.UUID(newest.message_id)


@pytest.mark.parametrize(("limit", "expected"), [(0, 50), (1, 1), (7, 7), (100, 55)])
def test_list_messages_honours_the_limit_and_zero_means_fifty(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory, limit: int, expected: int
) -> None:
    me = str(uuid.uuid4())
    seed(db, me, 55)
    response = stub.ListMessages(pb.ListMessagesRequest(limit=limit), metadata=auth(tokens.token(me)), timeout=5)
    assert len(response.messages) == expected
    assert response.messages[0].subject == "Meddelande 54"


@pytest.mark.parametrize("limit", [-1, 101])
def test_list_messages_with_limit_out_of_range_is_invalid_argument_with_field_error(
    stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory, limit: int
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListMessages(pb.ListMessagesRequest(limit=limit), metadata=auth(tokens.token()), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "limit" in field_errors(caught.value)


def test_mark_read_marks_the_callers_message_and_lowers_the_unread_count(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    me = str(uuid.uuid4())
    deliver_receipt(db, me)
    deliver_receipt(db, me)
    token = tokens.token(me)
    first = stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(token), timeout=5).messages[0]
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(token), timeout=5).unread == 2

    marked = stub.MarkRead(pb.MarkReadRequest(message_id=first.message_id), metadata=auth(token), timeout=5)

    assert marked.read is True and marked.message_id == first.message_id and marked.subject == first.subject
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(token), timeout=5).unread == 1
    again = stub.MarkRead(pb.MarkReadRequest(message_id=first.message_id), metadata=auth(token), timeout=5)
    assert again.read is True
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(token), timeout=5).unread == 1


def test_mark_read_of_another_users_message_is_permission_denied_and_changes_nothing(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    owner, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    deliver_receipt(db, owner)
    owner_token = tokens.token(owner)
    message_id = (
        stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(owner_token), timeout=5).messages[0].message_id
    )

    with pytest.raises(grpc.RpcError) as caught:
        stub.MarkRead(pb.MarkReadRequest(message_id=message_id), metadata=auth(tokens.token(intruder)), timeout=5)

    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(owner_token), timeout=5).unread == 1


def test_staff_token_cannot_mark_a_residents_message(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    owner = str(uuid.uuid4())
    deliver_receipt(db, owner)
    message_id = stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(tokens.token(owner)), timeout=5)
    staff = tokens.token(roles=("staff",), unit="ekonomiskt-bistand")
    with pytest.raises(grpc.RpcError) as caught:
        stub.MarkRead(pb.MarkReadRequest(message_id=message_id.messages[0].message_id), metadata=auth(staff), timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_mark_read_of_unknown_message_is_not_found(
    stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.MarkRead(pb.MarkReadRequest(message_id=str(uuid.uuid4())), metadata=auth(tokens.token()), timeout=5)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("message_id", ["", "not-a-uuid", "1 OR 1=1"])
def test_mark_read_with_malformed_id_is_invalid_argument_with_field_error(
    stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory, message_id: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.MarkRead(pb.MarkReadRequest(message_id=message_id), metadata=auth(tokens.token()), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_errors(caught.value) == {"message_id": "Ogiltigt id."}


def test_unread_count_counts_only_the_callers_unread_messages(
    db: Database, stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    me, other = str(uuid.uuid4()), str(uuid.uuid4())
    seed(db, me, 3)
    seed(db, other, 4)
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(tokens.token(me)), timeout=5).unread == 3
    fresh = tokens.token(str(uuid.uuid4()))
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(fresh), timeout=5).unread == 0


CALLS = {
    "ListMessages": lambda stub, md: stub.ListMessages(pb.ListMessagesRequest(), metadata=md, timeout=5),
    "MarkRead": lambda stub, md: stub.MarkRead(
        pb.MarkReadRequest(message_id=str(uuid.uuid4())), metadata=md, timeout=5
    ),
    "GetUnreadCount": lambda stub, md: stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=md, timeout=5),
}
BAD_TOKENS = {
    "missing": lambda tokens: [],
    "not bearer": lambda tokens: [("authorization", tokens.token())],
    "expired": lambda tokens: auth(tokens.token(expires_in=-60)),
    "forged": lambda tokens: auth(TokenFactory().token()),
    "garbage": lambda tokens: auth("abc.def.ghi"),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("metadata", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_every_method_refuses_a_missing_expired_or_forged_token(
    stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory, call, metadata
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        call(stub, metadata(tokens))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_expired_token_is_told_in_swedish_to_log_in_again(
    stub: pb_grpc.NotificationsServiceStub, tokens: TokenFactory
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(tokens.token(expires_in=-60)), timeout=5)
    assert caught.value.details() == "Din inloggning har gått ut. Logga in igen."


def test_health_check_reports_the_service_serving(db: Database, tokens: TokenFactory) -> None:
    server, port = build_server(register(Notifications(db)), 0, tokens.verifier(), host="127.0.0.1")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="fickan.notifications.v1.NotificationsService"), timeout=5
            )
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(grace=None)


def test_a_watch_reads_the_unread_count_and_nothing_else(stub, tokens):
    glance = tokens.token(str(uuid.uuid4()), device="watch", scope="glance")
    assert stub.GetUnreadCount(pb.GetUnreadCountRequest(), metadata=auth(glance), timeout=5).unread == 0
    with pytest.raises(grpc.RpcError) as err:
        stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(glance), timeout=5)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
