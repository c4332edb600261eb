"""The worker's event handlers against a real, migrated database: one receipt per event however
often the broker delivers it, malformed events dropped, the correlation id carried through."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message as ProtoMessage
from nameko.testing.services import worker_factory
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan.contact.events.v1 import events_pb2 as contact_events
from fickan.notifications.events.v1 import events_pb2 as notifications_events
from fickan_common.context import correlation_id
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, envelope, parse_data
from fickan_common.migrations import upgrade
from notifications import handlers
from notifications.migrate import MIGRATIONS
from notifications.store import INBOX, OUTBOX, Message
from notifications.worker import NotificationsWorker


def make_envelope(producer: str, event_type: str, data: ProtoMessage, cid: str = "cid-from-bff-1") -> dict[str, Any]:
    """An envelope exactly as the producing service's outbox writes it (built in a throwaway
    context so the test's own correlation id stays untouched)."""
    env = contextvars.copy_context().run(envelope, producer, event_type, data)
    env["correlation_id"] = cid
    return env


def submitted(applicant_id: str = "", application_id: str = "", period: str = "2026-12") -> dict[str, Any]:
    return make_envelope(
        "applications",
        "application_submitted",
        applications_events.ApplicationSubmitted(
            application_id=application_id or str(uuid.uuid4()),
            applicant_id=applicant_id or str(uuid.uuid4()),
            kind="ekonomiskt_bistand",
            period=period,
        ),
    )


def all_messages(db: Database) -> list[Message]:
    with db.transaction() as session:
        return list(session.scalars(select(Message)))


def count(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def outbox_envelopes(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return [row[0] for row in session.execute(select(OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id))]


def test_application_submitted_puts_a_swedish_receipt_in_the_applicants_inbox(db: Database) -> None:
    applicant, application = str(uuid.uuid4()), str(uuid.uuid4())
    body = submitted(applicant, application, "2026-12")

    assert handlers.handle_application_submitted(db, body) is True

    [message] = all_messages(db)
    assert message.recipient_id == applicant
    assert message.subject == "Vi har tagit emot din ansökan"
    assert "ekonomiskt bistånd" in message.body and "december 2026" in message.body
    assert message.reference == f"application:{application}"
    assert message.read is False
    assert message.source_event_id == body["event_id"]


def test_the_same_event_delivered_twice_creates_one_message_and_one_event(db: Database) -> None:
    body = submitted()

    first = handlers.handle_application_submitted(db, body)
    second = handlers.handle_application_submitted(db, dict(body))

    assert (first, second) == (True, False)
    assert len(all_messages(db)) == 1
    assert [e["event_type"] for e in outbox_envelopes(db)] == ["feed_appended", "message_delivered"]
    assert count(db, INBOX) == 1


def test_two_different_events_give_two_messages(db: Database) -> None:
    applicant = str(uuid.uuid4())
    handlers.handle_application_submitted(db, submitted(applicant))
    handlers.handle_application_submitted(db, submitted(applicant))
    assert len(all_messages(db)) == 2


def test_message_delivered_is_committed_with_the_message_and_parses_into_the_proto(db: Database) -> None:
    body = submitted()
    handlers.handle_application_submitted(db, body)

    [message] = all_messages(db)
    [env] = [e for e in outbox_envelopes(db) if e["event_type"] == "message_delivered"]
    assert env["producer"] == "notifications"
    event = parse_data(env, notifications_events.MessageDelivered)
    assert event.message_id == message.id
    assert event.recipient_id == message.recipient_id
    assert event.delivered_at.seconds > 0


def test_handler_runs_under_the_envelopes_correlation_id_and_restores_the_callers(db: Database) -> None:
    seen: list[str] = []
    before = correlation_id.set("callers-own")
    try:
        handlers.handle_application_submitted(
            db, submitted() | {"correlation_id": "cid-abc-42"}, on_events=lambda ids: seen.append(correlation_id.get())
        )
        assert correlation_id.get() == "callers-own"
    finally:
        correlation_id.reset(before)
    assert seen == ["cid-abc-42"]
    assert {env["correlation_id"] for env in outbox_envelopes(db)} == {"cid-abc-42"}


def test_on_events_is_told_the_committed_event_ids_only_for_a_new_delivery(db: Database) -> None:
    told: list[list[str]] = []
    body = submitted()
    handlers.handle_application_submitted(db, body, on_events=lambda ids: told.append(list(ids)))
    handlers.handle_application_submitted(db, body, on_events=lambda ids: told.append(list(ids)))
    assert told == [[env["event_id"] for env in outbox_envelopes(db)]]


def _without(data_field: str) -> dict[str, Any]:
    body = submitted()
    del body["data"][data_field]
    return body


MALFORMED = {
    "no applicant_id": lambda: _without("applicant_id"),
    "no application_id": lambda: _without("application_id"),
    "no data": lambda: {k: v for k, v in submitted().items() if k != "data"},
    "data not an object": lambda: submitted() | {"data": "application 1"},
    "field of wrong type": lambda: submitted() | {"data": {"application_id": {"x": 1}, "applicant_id": "u"}},
    "no event_id": lambda: {k: v for k, v in submitted().items() if k != "event_id"},
    "applicant_id too long": lambda: submitted(applicant_id="u" * 80),
    "body not an object": lambda: ["not", "an", "envelope"],
}


@pytest.mark.parametrize("make_body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_event_is_logged_and_dropped_without_raising(
    db: Database, make_body, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="notifications.handlers"):
        assert handlers.handle_application_submitted(db, make_body()) is False

    assert all_messages(db) == []
    assert count(db, OUTBOX.table) == 0
    assert count(db, INBOX) == 0
    assert any("malformed event dropped" in r.getMessage() for r in caplog.records)


def test_unknown_fields_in_the_event_are_ignored(db: Database) -> None:
    body = submitted()
    body["data"]["co_applicant_id"] = "someone-new"
    assert handlers.handle_application_submitted(db, body) is True


def test_unreadable_period_still_delivers_a_receipt(db: Database) -> None:
    handlers.handle_application_submitted(db, submitted(period="sometime"))
    [message] = all_messages(db)
    assert message.body.startswith("Vi har tagit emot din ansökan om ekonomiskt bistånd.")


def test_unexpected_error_raises_so_the_broker_redelivers_and_a_later_delivery_succeeds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'not-yet-migrated.db'}"
    db = Database(url)
    body = submitted()
    try:
        with pytest.raises(SQLAlchemyError):
            handlers.handle_application_submitted(db, body)
        upgrade(MIGRATIONS, url)
        assert handlers.handle_application_submitted(db, body) is True
        assert len(all_messages(db)) == 1
    finally:
        db.dispose()


def test_question_received_puts_a_receipt_in_the_askers_inbox_once(db: Database) -> None:
    asker, question = str(uuid.uuid4()), str(uuid.uuid4())
    body = make_envelope(
        "contact",
        "question_received",
        contact_events.QuestionReceived(question_id=question, asker_id=asker, channel="web"),
    )

    assert handlers.handle_question_received(db, body) is True
    assert handlers.handle_question_received(db, body) is False

    [message] = all_messages(db)
    assert message.recipient_id == asker
    assert message.subject == "Vi har tagit emot din fråga"
    assert message.reference == f"question:{question}"


def test_a_guests_question_tells_no_inbox(db: Database) -> None:
    body = make_envelope("contact", "question_received", contact_events.QuestionReceived(question_id="q1"))
    assert handlers.handle_question_received(db, body) is False
    assert all_messages(db) == []


def test_a_reply_from_the_contact_centre_reaches_the_residents_inbox_once(db: Database) -> None:
    resident, question = str(uuid.uuid4()), str(uuid.uuid4())
    body = make_envelope(
        "contact", "reply_sent", contact_events.ReplySent(question_id=question, resident_id=resident, reply_id="r1")
    )
    assert handlers.handle_reply_sent(db, body) is True
    assert handlers.handle_reply_sent(db, body) is False
    [message] = all_messages(db)
    assert (message.recipient_id, message.subject) == (resident, "Svar från kontaktcenter")
    assert message.reference == f"question:{question}"
    guest = make_envelope("contact", "reply_sent", contact_events.ReplySent(question_id=question))
    assert handlers.handle_reply_sent(db, guest) is False


def test_the_same_event_id_is_handled_separately_by_each_handler(db: Database) -> None:
    """The inbox keys on (event_id, handler): one handler's record does not swallow another's."""
    app_body = submitted()
    question_body = make_envelope(
        "contact", "question_received", contact_events.QuestionReceived(question_id="q1", asker_id="u1")
    )
    question_body["event_id"] = app_body["event_id"]
    assert handlers.handle_application_submitted(db, app_body) is True
    assert handlers.handle_question_received(db, question_body) is True


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, env: dict[str, Any]) -> None:
        self.published.append(env)


class FakeRuntime:
    """Stands in for WorkerRuntime: the real database, its real background flusher, a publisher
    that records."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.publisher = RecordingPublisher()
        self.flusher = BackgroundFlusher(db, OUTBOX, self.publisher)

    def publish_soon(self, event_ids) -> None:  # type: ignore[no-untyped-def]
        self.flusher.kick(event_ids)


def test_worker_entrypoint_delivers_and_publishes_message_delivered_right_after(db: Database) -> None:
    runtime = FakeRuntime(db)
    worker = worker_factory(NotificationsWorker, runtime=runtime)

    worker.on_application_submitted(submitted())

    assert len(all_messages(db)) == 1

    def unsent() -> int:
        with db.read() as session:
            return OUTBOX.backlog(session)

    deadline = time.monotonic() + 5  # published and marked by the flusher's thread, a moment later
    while unsent() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [p["event_type"] for p in runtime.publisher.published] == ["feed_appended", "message_delivered"]
    assert unsent() == 0


def test_worker_entrypoint_acknowledges_a_malformed_event_instead_of_raising(db: Database) -> None:
    runtime = FakeRuntime(db)
    worker = worker_factory(NotificationsWorker, runtime=runtime)

    worker.on_question_received({"event_id": str(uuid.uuid4()), "data": {}})  # must not raise

    assert all_messages(db) == []
    assert runtime.publisher.published == []


def test_worker_listens_to_the_right_events_and_requeues_on_unexpected_errors() -> None:
    wiring = {
        (entrypoint.source_service, entrypoint.event_type, entrypoint.requeue_on_error)
        for method in (NotificationsWorker.on_application_submitted, NotificationsWorker.on_question_received)
        for entrypoint in method.nameko_entrypoints
    }
    assert wiring == {("applications", "application_submitted", True), ("contact", "question_received", True)}


def test_the_time_from_event_to_inbox_is_measured_once_per_message(db: Database) -> None:
    from prometheus_client import REGISTRY

    def observed() -> float:
        return REGISTRY.get_sample_value("fickan_notifications_event_to_inbox_seconds_count") or 0.0

    body = submitted()
    before = observed()
    assert handlers.handle_application_submitted(db, body) is True
    assert handlers.handle_application_submitted(db, body) is False  # a redelivery: no second message
    assert observed() == before + 1
    # the event occurred just now: it lands in the lowest buckets, not at 0 or in the far tail
    assert (REGISTRY.get_sample_value("fickan_notifications_event_to_inbox_seconds_bucket", {"le": "5.0"}) or 0) >= 1
