"""The contract of archiving, preferences, push subscriptions and dead letters, through the real
grpcio server and the shared interceptor: the caller's own data only, clear refusals with the
field named, the contract's limits before any use case, nothing changed by a refusal."""

from __future__ import annotations

import json
import uuid

import grpc
import pytest
from test_notifications_grpc_contract import auth, deliver_receipt

from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_common.db import Database
from fickan_common.grpc_server import FIELD_ERRORS_KEY
from fickan_common.testing import TokenFactory


def fields_of(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def test_archiving_another_residents_message_is_refused_and_changes_nothing(
    stub, db: Database, tokens: TokenFactory
) -> None:  # type: ignore[no-untyped-def]
    owner, stranger = str(uuid.uuid4()), str(uuid.uuid4())
    deliver_receipt(db, owner)
    [message] = stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(tokens.token(owner))).messages
    with pytest.raises(grpc.RpcError) as refused:
        stub.Archive(pb.ArchiveRequest(message_id=message.message_id), metadata=auth(tokens.token(stranger)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    [still] = stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(tokens.token(owner))).messages
    assert not still.archived and not still.read
    archived = stub.Archive(pb.ArchiveRequest(message_id=message.message_id), metadata=auth(tokens.token(owner)))
    assert archived.archived and archived.read
    assert stub.ListMessages(pb.ListMessagesRequest(), metadata=auth(tokens.token(owner))).messages == []
    listed = stub.ListMessages(pb.ListMessagesRequest(archived=True), metadata=auth(tokens.token(owner)))
    assert [m.message_id for m in listed.messages] == [message.message_id]


def test_bad_preferences_are_invalid_argument_naming_the_field(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    token = tokens.token()
    with pytest.raises(grpc.RpcError) as refused:
        stub.UpdatePreferences(
            pb.UpdatePreferencesRequest(email="nope", quiet_start="22:00", quiet_end="07:00"), metadata=auth(token)
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "email" in fields_of(refused.value)
    assert stub.GetPreferences(pb.GetPreferencesRequest(), metadata=auth(token)).email == ""


def test_the_contracts_limits_refuse_an_oversized_endpoint_before_any_use_case(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    request = pb.RegisterPushSubscriptionRequest(endpoint="https://push.example/" + "x" * 1200, device="web")
    with pytest.raises(grpc.RpcError) as refused:
        stub.RegisterPushSubscription(request, metadata=auth(tokens.token()))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "endpoint" in fields_of(refused.value)


def test_a_watch_token_may_not_change_preferences(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as refused:
        stub.UpdatePreferences(
            pb.UpdatePreferencesRequest(language="en"), metadata=auth(tokens.token(scope="glance", device="watch"))
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_watch_reads_the_unread_count_with_the_three_newest_short_forms(
    stub, db: Database, tokens: TokenFactory
) -> None:  # type: ignore[no-untyped-def]
    resident = str(uuid.uuid4())
    for period in ("2026-09", "2026-10", "2026-11", "2026-12"):
        deliver_receipt(db, resident, period)
    answer = stub.GetUnreadCount(
        pb.GetUnreadCountRequest(), metadata=auth(tokens.token(resident, scope="glance", device="watch"))
    )
    assert answer.unread == 4 and len(answer.newest) == 3
    assert all(0 < len(m.short) <= 60 and not m.body for m in answer.newest)


def test_only_admins_list_and_replay_dead_letters(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    for roles in (("resident",), ("case_worker",)):
        with pytest.raises(grpc.RpcError) as refused:
            stub.ListDeadLetters(pb.ListDeadLettersRequest(), metadata=auth(tokens.token(roles=roles)))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    admin = auth(tokens.token(roles=("admin",)))
    assert list(stub.ListDeadLetters(pb.ListDeadLettersRequest(), metadata=admin).deliveries) == []
    with pytest.raises(grpc.RpcError) as missing:
        stub.ReplayDeadLetter(pb.ReplayDeadLetterRequest(delivery_id=str(uuid.uuid4())), metadata=admin)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
