"""The trigger table, the reminders kept in the database (sent when due, once, cancelled when no
longer needed), the resident's feed with its sequence numbers, and the texts in both languages."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select
from test_handlers_deliver_each_event_once import make_envelope

from fickan.applications.events.v1 import events_pb2 as app_events
from fickan.contact.events.v1 import events_pb2 as contact_events
from fickan_common.db import Database
from notifications import handlers
from notifications.domain import messages
from notifications.store import FeedEntry, Message, Preferences, Reminder
from notifications.worker import NotificationsWorker


def uid() -> str:
    return str(uuid.uuid4())


def inbox(db: Database, resident: str) -> list[Message]:
    with db.read() as session:
        return list(session.scalars(select(Message).where(Message.recipient_id == resident).order_by(Message.seq)))


def reminders(db: Database, resident: str) -> list[Reminder]:
    with db.read() as session:
        return list(session.scalars(select(Reminder).where(Reminder.recipient_id == resident)))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_every_trigger_has_its_own_worker_entrypoint_and_queue() -> None:
    for trigger in handlers.TRIGGERS:
        method = getattr(NotificationsWorker, f"on_{trigger.event_type}")
        [entrypoint] = method.nameko_entrypoints
        assert (entrypoint.source_service, entrypoint.event_type) == (trigger.producer, trigger.event_type)
        assert entrypoint.requeue_on_error is True


def test_every_template_has_swedish_and_english_and_a_short_form_for_the_watch() -> None:
    fields = {
        "period": "2026-12",
        "application_kind": "ekonomiskt_bistand",
        "amount": 123456,
        "date": "2026-12-25",
        "opens": "2026-11-20",
        "closes": "2026-12-05",
        "due_date": "2026-12-10",
        "starts_at": "2026-12-03T10:30",
        "mode": "visit",
    }
    for kind, by_language in messages.TEMPLATES.items():
        assert set(by_language) == {"sv", "en"}, kind
        sv = messages.render(kind, fields, "application:x", "sv")
        en = messages.render(kind, fields, "application:x", "en")
        assert sv.body != en.body, kind
        assert 0 < len(sv.short) <= 60 and 0 < len(en.short) <= 60, kind
        assert "{" not in sv.body + en.body + sv.short + en.short, kind


def test_e_mail_and_push_texts_never_carry_case_contents() -> None:
    import string

    for texts in messages.CHANNEL_TEXTS.values():
        for text in texts.values():
            placeholders = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert placeholders <= {"link", "settings"}
            assert " kr" not in text and "beslut" not in text.lower() and "decision" not in text.lower()


def test_a_decision_reaches_every_resident_of_the_case_in_their_language_with_feed_numbers(db: Database) -> None:
    applicant, partner, case = uid(), uid(), uid()
    with db.transaction() as session:
        session.add(Preferences(recipient_id=partner, language="en", channels={}))
    body = make_envelope(
        "applications",
        "decision_made",
        app_events.DecisionMade(
            application_id=case, resident_ids=[applicant, partner], outcome="approved", amount=4200, period="2026-12"
        ),
    )
    assert handlers.handle_application_event(db, "decision_made", body) is True
    [sv] = inbox(db, applicant)
    [en] = inbox(db, partner)
    assert "beviljad" in sv.body and "4\u00a0200 kr" in sv.body and sv.kind == "decision_approved"
    assert "approved" in en.body and en.subject == "Decision on your application"
    assert sv.seq == 1 and en.seq == 1
    assert sv.short == "Beviljad: 4\u00a0200 kr"


def test_feed_numbers_grow_by_one_per_entry_and_case_changes_are_entries_without_a_message(db: Database) -> None:
    resident, case = uid(), uid()
    events = [
        (
            "case_status_changed",
            app_events.CaseStatusChanged(
                application_id=case, resident_ids=[resident], from_status="submitted", to_status="received"
            ),
        ),
        (
            "decision_made",
            app_events.DecisionMade(application_id=case, resident_ids=[resident], outcome="rejected", period="2026-12"),
        ),
        (
            "case_status_changed",
            app_events.CaseStatusChanged(
                application_id=case, resident_ids=[resident], from_status="received", to_status="decided"
            ),
        ),
    ]
    for event_type, data in events:
        handlers.handle_application_event(db, event_type, make_envelope("applications", event_type, data))
    with db.read() as session:
        entries = session.scalars(select(FeedEntry).where(FeedEntry.recipient_id == resident).order_by(FeedEntry.seq))
        feed = [(e.seq, e.kind, e.status) for e in entries]
    assert feed == [(1, "case_changed", "received"), (2, "message", ""), (3, "case_changed", "decided")]
    [message] = inbox(db, resident)
    assert message.seq == 2


def test_concurrent_events_for_one_resident_never_share_a_feed_number(db: Database) -> None:
    resident = uid()
    bodies = [
        make_envelope(
            "applications",
            "payment_made",
            app_events.PaymentMade(application_id=uid(), resident_ids=[resident], amount=i),
        )
        for i in range(8)
    ]
    threads = [threading.Thread(target=handlers.handle_application_event, args=(db, "payment_made", b)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m.seq for m in inbox(db, resident)) == list(range(1, 9))


def period_opened(resident: str, period: str = "2026-12") -> dict:
    return make_envelope(
        "applications",
        "application_period_opened",
        app_events.ApplicationPeriodOpened(
            resident_id=resident, period=period, opens="2026-11-20", closes="2026-12-05"
        ),
    )


def test_period_closing_reminder_is_kept_in_the_database_and_sent_once_three_days_before(db: Database) -> None:
    resident = uid()
    handlers.handle_application_event(db, "application_period_opened", period_opened(resident))
    [reminder] = reminders(db, resident)
    assert reminder.kind == "period_closing" and reminder.status == "scheduled"
    # 2 December 09:00 in Stockholm is 08:00 UTC
    assert reminder.due_at.replace(tzinfo=UTC) == at("2026-12-02T08:00:00")

    assert handlers.send_due_reminders(db, now=at("2026-12-02T07:59:00")) == 0
    # A second worker (or the restarted one) running at the same time sends it once.
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(handlers.send_due_reminders(db, now=at("2026-12-02T08:00:30"))))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert handlers.send_due_reminders(db, now=at("2026-12-03T08:00:00")) == 0
    closing = [m for m in inbox(db, resident) if m.kind == "period_closing"]
    assert len(closing) == 1
    assert "5 december 2026" in closing[0].body


def test_applying_cancels_the_period_closing_reminder(db: Database) -> None:
    resident = uid()
    handlers.handle_application_event(db, "application_period_opened", period_opened(resident))
    submitted = make_envelope(
        "applications",
        "application_submitted",
        app_events.ApplicationSubmitted(
            application_id=uid(), applicant_id=resident, kind="eb_lopande", period="2026-12"
        ),
    )
    handlers.handle_application_submitted(db, submitted)
    [reminder] = reminders(db, resident)
    assert reminder.status == "cancelled"
    assert handlers.send_due_reminders(db, now=at("2026-12-02T09:00:00")) == 0


def test_completion_due_tomorrow_is_reminded_unless_the_completion_came_in(db: Database) -> None:
    resident, case, other_case = uid(), uid(), uid()
    for application in (case, other_case):
        body = make_envelope(
            "applications",
            "completion_requested",
            app_events.CompletionRequested(application_id=application, resident_ids=[resident], due_date="2026-12-10"),
        )
        handlers.handle_application_event(db, "completion_requested", body)
    answered = make_envelope(
        "applications", "completion_submitted", app_events.CompletionSubmitted(application_id=other_case, unit="u")
    )
    handlers.handle_application_event(db, "completion_submitted", answered)

    assert handlers.send_due_reminders(db, now=at("2026-12-09T08:00:00")) == 1
    [due] = [m for m in inbox(db, resident) if m.kind == "completion_due"]
    assert due.reference == f"application:{case}"
    assert "i morgon" in due.body


def test_payment_day_reminder_and_a_reminder_learnt_too_late_is_not_sent(db: Database) -> None:
    resident = uid()
    body = make_envelope(
        "applications",
        "payment_scheduled",
        app_events.PaymentScheduled(
            application_id=uid(), resident_ids=[resident], amount=5000, payment_date="2026-12-24"
        ),
    )
    handlers.handle_application_event(db, "payment_scheduled", body)
    assert handlers.send_due_reminders(db, now=at("2026-12-24T06:00:00")) == 1
    [day] = [m for m in inbox(db, resident) if m.kind == "payment_day"]
    assert day.subject == "I dag betalas pengarna ut"

    late = uid()
    old = make_envelope(
        "applications",
        "payment_scheduled",
        app_events.PaymentScheduled(application_id=uid(), resident_ids=[late], amount=1, payment_date="2020-01-01"),
    )
    handlers.handle_application_event(db, "payment_scheduled", old)
    assert reminders(db, late) == []


def booking(resident: str, booking_id: str, starts: datetime) -> dict:
    ts = Timestamp()
    ts.FromDatetime(starts)
    return make_envelope(
        "contact",
        "booking_confirmed",
        contact_events.BookingConfirmed(booking_id=booking_id, resident_id=resident, starts_at=ts, mode="phone"),
    )


def test_contacts_reply_and_booking_are_messages_and_the_booking_reminder_comes_a_day_before(db: Database) -> None:
    resident, question, kept, cancelled = uid(), uid(), uid(), uid()
    answered = make_envelope(
        "contact", "reply_sent", contact_events.ReplySent(question_id=question, resident_id=resident, reply_id="r1")
    )
    assert handlers.handle_event(db, "contact", "reply_sent", answered) is True
    starts = datetime.now(UTC) + timedelta(days=3)
    assert handlers.handle_event(db, "contact", "booking_confirmed", booking(resident, kept, starts)) is True
    assert handlers.handle_event(db, "contact", "booking_confirmed", booking(resident, cancelled, starts)) is True
    gone = make_envelope(
        "contact", "booking_cancelled", contact_events.BookingCancelled(booking_id=cancelled, resident_id=resident)
    )
    assert handlers.handle_event(db, "contact", "booking_cancelled", gone) is True

    kinds = [m.kind for m in inbox(db, resident)]
    assert kinds == ["reply_sent", "booking_confirmed", "booking_confirmed"]
    assert handlers.send_due_reminders(db, now=starts - timedelta(days=1) + timedelta(minutes=1)) == 1
    [reminder] = [m for m in inbox(db, resident) if m.kind == "booking_reminder"]
    assert reminder.reference == f"booking:{kept}"
    assert "telefon" in reminder.body


@pytest.mark.parametrize(
    "event_type,data",
    [
        ("decision_made", app_events.DecisionMade(application_id="a", resident_ids=["r"], outcome="maybe")),
        ("payment_scheduled", app_events.PaymentScheduled(application_id="a", resident_ids=["r"], payment_date="soon")),
        ("case_status_changed", app_events.CaseStatusChanged(application_id="a", resident_ids=["r"])),
        ("application_period_opened", app_events.ApplicationPeriodOpened(resident_id="r", period="2026-12")),
    ],
)
def test_events_that_cannot_be_understood_change_nothing(db: Database, event_type: str, data) -> None:  # type: ignore[no-untyped-def]
    assert handlers.handle_application_event(db, event_type, make_envelope("applications", event_type, data)) is False
    assert inbox(db, "r") == [] and reminders(db, "r") == []


def test_retention_tells_the_resident_before_a_draft_is_deleted_and_when_it_was(db: Database) -> None:
    resident, draft = uid(), uid()
    warning = make_envelope(
        "applications",
        "draft_deletion_warning",
        app_events.DraftDeletionWarning(
            application_id=draft, resident_id=resident, deletes_on="2026-12-09", kind="eb_grundansokan"
        ),
    )
    assert handlers.handle_application_event(db, "draft_deletion_warning", warning) is True
    assert handlers.handle_application_event(db, "draft_deletion_warning", warning) is False  # once
    deleted = make_envelope(
        "applications", "draft_deleted", app_events.DraftDeleted(application_id=draft, resident_id=resident)
    )
    assert handlers.handle_application_event(db, "draft_deleted", deleted) is True
    first, second = inbox(db, resident)
    assert first.kind == "draft_deletion_warning" and "9 december 2026" in first.body
    assert first.reference == f"application:{draft}"
    assert second.kind == "draft_deleted" and "borttagen" in second.subject
    bad = make_envelope(
        "applications",
        "draft_deletion_warning",
        app_events.DraftDeletionWarning(application_id=uid(), resident_id=resident, deletes_on="snart"),
    )
    assert handlers.handle_application_event(db, "draft_deletion_warning", bad) is False
    assert len(inbox(db, resident)) == 2
