"""Service messages through the real grpcio server: only admins publish and end them, the rules
(end after start, not past, text length, kind) are the service's and name each field, everyone —
logged in or not — sees what is on now and what is planned within a week, and a double click
publishes once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_common.db import Database
from fickan_common.grpc_server import FIELD_ERRORS_KEY
from fickan_common.testing import TokenFactory
from notifications.domain import service_messages as notices
from notifications.store import ServiceMessageRow

ADMIN = str(uuid.uuid4())


def admin(tokens: TokenFactory, key: str = "") -> list[tuple[str, str]]:
    metadata = [("authorization", f"Bearer {tokens.token(ADMIN, roles=('resident', 'admin'))}")]
    return [*metadata, ("idempotency-key", key)] if key else metadata


def local(moment: datetime) -> str:
    """As the admin types it in the form: local time, minutes."""
    return moment.astimezone(notices.LOCAL).strftime("%Y-%m-%dT%H:%M")


def fields_of(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def publish(stub, tokens: TokenFactory, **overrides: str) -> pb.ServiceMessage:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    values = {
        "kind": "maintenance",
        "text": "Mina sidor är stängda för underhåll.",
        "text_en": "My pages are closed for maintenance.",
        "starts_at": local(now - timedelta(minutes=5)),
        "ends_at": local(now + timedelta(hours=2)),
    } | overrides
    return stub.PublishServiceMessage(pb.PublishServiceMessageRequest(**values), metadata=admin(tokens))


def test_an_admin_publishes_and_everyone_sees_it_without_logging_in(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    published = publish(stub, tokens)
    assert published.active and published.kind == "maintenance"
    assert published.short.startswith("Planerat underhåll till ") and len(published.short) <= 60
    assert published.short_en.startswith("Planned maintenance until ")

    shown = stub.ListServiceMessages(pb.ListServiceMessagesRequest()).messages  # no token at all
    assert [m.message_id for m in shown] == [published.message_id]
    assert shown[0].text == "Mina sidor är stängda för underhåll." and shown[0].text_en.startswith("My pages")


def test_a_planned_notice_is_shown_a_week_ahead_and_not_before(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    soon = publish(
        stub, tokens, starts_at=local(now + timedelta(days=2)), ends_at=local(now + timedelta(days=2, hours=1))
    )
    later = publish(
        stub, tokens, starts_at=local(now + timedelta(days=20)), ends_at=local(now + timedelta(days=20, hours=1))
    )
    current = publish(stub, tokens, kind="disruption", text="BankID-inloggningen är långsam.")
    shown = stub.ListServiceMessages(pb.ListServiceMessagesRequest()).messages
    assert [m.message_id for m in shown] == [current.message_id, soon.message_id]  # on now first
    assert not shown[1].active and shown[1].short.startswith("Planerat underhåll ")
    assert later.message_id in {
        m.message_id
        for m in stub.ListAllServiceMessages(pb.ListAllServiceMessagesRequest(), metadata=admin(tokens)).messages
    }


def test_an_admin_ends_a_notice_and_it_is_gone_at_once(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    published = publish(stub, tokens)
    ended = stub.EndServiceMessage(pb.EndServiceMessageRequest(message_id=published.message_id), metadata=admin(tokens))
    assert ended.ended and not ended.active
    assert stub.ListServiceMessages(pb.ListServiceMessagesRequest()).messages == []
    again = stub.EndServiceMessage(pb.EndServiceMessageRequest(message_id=published.message_id), metadata=admin(tokens))
    assert again.ended


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"ends_at": "START"}, "ends_at", "Slutet behöver vara efter starten"),
        ({"ends_at": "PAST"}, "ends_at", "Slutet"),
        ({"text": ""}, "text", "Skriv meddelandet på svenska"),
        ({"text": "x" * 301}, "text", "högst 300 tecken"),
        ({"text_en": "x" * 301}, "text_en", "högst 300 tecken"),
        ({"kind": "party"}, "kind", "Välj planerat underhåll eller driftstörning"),
        ({"starts_at": "i morgon"}, "starts_at", "Skriv när det börjar"),
        ({"ends_at": "LONG"}, "ends_at", "högst 31 dagar"),
    ],
)
def test_a_wrong_notice_is_refused_naming_the_field_and_nothing_is_kept(  # type: ignore[no-untyped-def]
    stub, tokens: TokenFactory, db: Database, overrides: dict[str, str], field: str, words: str
) -> None:
    now = datetime.now(UTC)
    start = now + timedelta(hours=1)
    special = {
        "START": local(start),
        "PAST": local(now - timedelta(hours=1)),
        "LONG": local(start + timedelta(days=40)),
    }
    values = {"starts_at": local(start), **{k: special.get(v, v) for k, v in overrides.items()}}
    with pytest.raises(grpc.RpcError) as refused:
        publish(stub, tokens, **values)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert words in fields_of(refused.value)[field]
    with db.read() as session:
        assert session.query(ServiceMessageRow).count() == 0


def test_only_admins_publish_end_or_list_every_notice(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    published = publish(stub, tokens)
    publish_request = pb.PublishServiceMessageRequest(
        kind="disruption", text="x", starts_at="2030-01-01T10:00", ends_at="2030-01-01T11:00"
    )
    for roles in (("resident",), ("resident", "case_worker")):
        metadata = [("authorization", f"Bearer {tokens.token(roles=roles, unit='eb')}")]
        calls = (
            (stub.PublishServiceMessage, publish_request),
            (stub.EndServiceMessage, pb.EndServiceMessageRequest(message_id=published.message_id)),
            (stub.ListAllServiceMessages, pb.ListAllServiceMessagesRequest()),
        )
        for method, request in calls:
            with pytest.raises(grpc.RpcError) as refused:
                method(request, metadata=metadata)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert [m.active for m in stub.ListServiceMessages(pb.ListServiceMessagesRequest()).messages] == [True]


def test_a_double_click_publishes_once(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    request = pb.PublishServiceMessageRequest(
        kind="disruption",
        text="E-tjänsterna svarar långsamt.",
        starts_at=local(now),
        ends_at=local(now + timedelta(hours=1)),
    )
    key = uuid.uuid4().hex
    first = stub.PublishServiceMessage(request, metadata=admin(tokens, key))
    second = stub.PublishServiceMessage(request, metadata=admin(tokens, key))
    assert first.message_id == second.message_id
    assert len(stub.ListServiceMessages(pb.ListServiceMessagesRequest()).messages) == 1


def test_at_most_five_notices_at_once(stub, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    for n in range(notices.MAX_SHOWN):
        publish(stub, tokens, text=f"Meddelande {n}")
    with pytest.raises(grpc.RpcError) as refused:
        publish(stub, tokens, text="Ett för mycket")
    assert (
        refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "Avsluta ett först" in refused.value.details()
    )


def test_the_watch_line_says_when_in_at_most_60_characters() -> None:
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm
    on_now = notices.short("disruption", now - timedelta(hours=1), now + timedelta(hours=5), now, "sv")
    assert on_now == "Driftstörning till 15:00"
    planned = notices.short("maintenance", now + timedelta(days=2), now + timedelta(days=2, hours=2), now, "en")
    assert planned == "Planned maintenance 5 Dec 10:00"
    assert notices.parse_time("2026-12-03T22:00") == datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    assert notices.parse_time("2026-12-03T22:00:00+00:00") == datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    assert notices.parse_time("3 dec") is None
