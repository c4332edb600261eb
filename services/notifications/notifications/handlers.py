"""What the worker does with other services' events, without nameko: one table, TRIGGERS, says
for each event what it means for residents — messages now, reminders later, reminders no longer
needed, case changes for the open pages. A new trigger is one entry (and its templates in
domain/messages.py); the worker makes one @event_handler per entry.

Every event runs under its correlation id, is handled once per event_id (inbox) and commits its
messages, feed entries, deliveries, reminders and outbox events in one transaction. An event that
lacks what it needs is logged and dropped: redelivering it would never help. Anything else
(database away, a bug) raises, so the broker redelivers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from google.protobuf.json_format import ParseError
from google.protobuf.message import Message as ProtoMessage
from prometheus_client import Histogram
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan.contact.events.v1 import events_pb2 as contact_events
from fickan_common import metrics
from fickan_common.context import correlation_id, new_correlation_id, valid_correlation_id
from fickan_common.db import Database
from fickan_common.events import handle_once, parse_data
from fickan_common.unit_of_work import UnitOfWork
from notifications import feed
from notifications.domain import messages
from notifications.domain.messages import MalformedEvent, NobodyToTell
from notifications.domain.preferences import LOCAL
from notifications.store import INBOX, Reminder

log = logging.getLogger(__name__)

OnEvents = Callable[[Iterable[str]], None]

APPLICATION_SUBMITTED = "application_submitted"
QUESTION_RECEIVED = "question_received"
REPLY_SENT = "reply_sent"


# What a trigger asks for. ---------------------------------------------------------------------


@dataclass(frozen=True)
class Notify:
    """A message in the resident's inbox now (template `kind`)."""

    recipient_id: str
    kind: str
    reference: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Remind:
    """A message at `due_at` unless cancelled first; none once `expires_at` has passed."""

    recipient_id: str
    kind: str
    reference: str
    due_at: datetime
    expires_at: datetime
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Cancel:
    """Reminders of `kind` about `reference` are no longer needed (for one resident, or all)."""

    kind: str
    reference: str
    recipient_id: str | None = None


@dataclass(frozen=True)
class CaseChanged:
    recipient_id: str
    reference: str
    status: str


Action = Notify | Remind | Cancel | CaseChanged


@dataclass(frozen=True)
class Trigger:
    producer: str
    event_type: str
    message_type: type[ProtoMessage]
    react: Callable[[Any], list[Action]]


# Dates and times of reminders: local (Stockholm) wall clock. -----------------------------------


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise MalformedEvent(f"{name} {value!r} is not YYYY-MM-DD") from None


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL)


def _recipients(ids: Iterable[str]) -> list[str]:
    found = sorted({messages.require_id("resident_ids", r) for r in ids})
    if not found:
        raise MalformedEvent("resident_ids is empty")
    return found


def _application(event: Any) -> str:
    return "application:" + messages.require_id("application_id", event.application_id)


# The triggers. --------------------------------------------------------------------------------


def _application_submitted(event: applications_events.ApplicationSubmitted) -> list[Action]:
    ref = _application(event)
    applicant = messages.require_id("applicant_id", event.applicant_id)
    actions: list[Action] = [
        Notify(applicant, "application_received", ref, {"period": event.period, "application_kind": event.kind})
    ]
    # Whoever applied for the month needs no reminder that its period closes.
    for resident in filter(None, [applicant, event.co_applicant_id]):
        actions.append(Cancel("period_closing", f"period:{event.period}", resident))
    return actions


def _period_opened(event: applications_events.ApplicationPeriodOpened) -> list[Action]:
    resident = messages.require_id("resident_id", event.resident_id)
    if not messages.month_name(event.period):
        raise MalformedEvent(f"period {event.period!r} is not YYYY-MM")
    closes = _day(event.closes, "closes")
    fields = {"period": event.period, "opens": event.opens, "closes": event.closes}
    ref = f"period:{event.period}"
    return [
        Notify(resident, "period_opened", ref, fields),
        Remind(
            resident,
            "period_closing",
            ref,
            _local(closes - timedelta(days=3), 9),
            _local(closes, 23),
            {"period": event.period, "closes": event.closes},
        ),
    ]


def _signature_requested(event: applications_events.SignatureRequested) -> list[Action]:
    return [
        Notify(
            messages.require_id("co_applicant_id", event.co_applicant_id), "signature_requested", _application(event)
        )
    ]


def _completion_requested(event: applications_events.CompletionRequested) -> list[Action]:
    ref = _application(event)
    kind = "random_check" if event.random_check else "completion_requested"
    actions: list[Action] = []
    for resident in _recipients(event.resident_ids):
        actions.append(Notify(resident, kind, ref, {"due_date": event.due_date}))
        if event.due_date:
            due = _day(event.due_date, "due_date")
            actions.append(
                Remind(
                    resident,
                    "completion_due",
                    ref,
                    _local(due - timedelta(days=1), 9),
                    _local(due, 23),
                    {"date": event.due_date},
                )
            )
    return actions


def _completion_submitted(event: applications_events.CompletionSubmitted) -> list[Action]:
    return [Cancel("completion_due", _application(event))]


def _decision_made(event: applications_events.DecisionMade) -> list[Action]:
    if event.outcome not in ("approved", "partly_approved", "rejected"):
        raise MalformedEvent(f"unknown outcome {event.outcome!r}")
    ref = _application(event)
    fields = {"period": event.period, "amount": event.amount}
    return [Notify(r, f"decision_{event.outcome}", ref, fields) for r in _recipients(event.resident_ids)]


def _payment_scheduled(event: applications_events.PaymentScheduled) -> list[Action]:
    ref = _application(event)
    day = _day(event.payment_date, "payment_date")
    actions: list[Action] = []
    for resident in _recipients(event.resident_ids):
        actions.append(Notify(resident, "payment_scheduled", ref, {"amount": event.amount, "date": event.payment_date}))
        actions.append(Remind(resident, "payment_day", ref, _local(day, 7), _local(day, 23), {"amount": event.amount}))
    return actions


def _payment_made(event: applications_events.PaymentMade) -> list[Action]:
    ref = _application(event)
    # Paid: the payment-day reminder would say what the resident has just been told.
    return [Notify(r, "payment_made", ref, {"amount": event.amount}) for r in _recipients(event.resident_ids)] + [
        Cancel("payment_day", ref)
    ]


def _draft_deletion_warning(event: applications_events.DraftDeletionWarning) -> list[Action]:
    resident = messages.require_id("resident_id", event.resident_id)
    _day(event.deletes_on, "deletes_on")
    return [Notify(resident, "draft_deletion_warning", _application(event), {"date": event.deletes_on})]


def _draft_deleted(event: applications_events.DraftDeleted) -> list[Action]:
    return [Notify(messages.require_id("resident_id", event.resident_id), "draft_deleted", _application(event))]


def _case_status_changed(event: applications_events.CaseStatusChanged) -> list[Action]:
    ref = _application(event)
    status = (event.to_status or "").strip()
    if not status:
        raise MalformedEvent("to_status is missing")
    return [CaseChanged(r, ref, status[:40]) for r in _recipients(event.resident_ids)]


def _question_received(event: contact_events.QuestionReceived) -> list[Action]:
    question = messages.require_id("question_id", event.question_id)
    if not event.asker_id:
        raise NobodyToTell("a contact from someone not logged in, or registered by staff")
    return [Notify(messages.require_id("asker_id", event.asker_id), "question_received", f"question:{question}")]


def _reply_sent(event: contact_events.ReplySent) -> list[Action]:
    question = messages.require_id("question_id", event.question_id)
    if not event.resident_id:
        raise NobodyToTell("the contact centre answers a guest at the address they gave")
    return [Notify(messages.require_id("resident_id", event.resident_id), "reply_sent", f"question:{question}")]


def _booking_confirmed(event: contact_events.BookingConfirmed) -> list[Action]:
    booking = messages.require_id("booking_id", event.booking_id)
    resident = messages.require_id("resident_id", event.resident_id)
    if not event.HasField("starts_at"):
        raise MalformedEvent("starts_at is missing")
    starts = event.starts_at.ToDatetime(tzinfo=UTC).astimezone(LOCAL)
    fields = {"starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "mode": event.mode}
    ref = f"booking:{booking}"
    return [
        Notify(resident, "booking_confirmed", ref, fields),
        Remind(resident, "booking_reminder", ref, starts - timedelta(days=1), starts, fields),
    ]


def _booking_cancelled(event: contact_events.BookingCancelled) -> list[Action]:
    booking = messages.require_id("booking_id", event.booking_id)
    return [Cancel("booking_reminder", f"booking:{booking}", event.resident_id or None)]


TRIGGERS: list[Trigger] = [
    Trigger("applications", APPLICATION_SUBMITTED, applications_events.ApplicationSubmitted, _application_submitted),
    Trigger("applications", "application_period_opened", applications_events.ApplicationPeriodOpened, _period_opened),
    Trigger("applications", "signature_requested", applications_events.SignatureRequested, _signature_requested),
    Trigger("applications", "completion_requested", applications_events.CompletionRequested, _completion_requested),
    Trigger("applications", "completion_submitted", applications_events.CompletionSubmitted, _completion_submitted),
    Trigger("applications", "decision_made", applications_events.DecisionMade, _decision_made),
    Trigger("applications", "payment_scheduled", applications_events.PaymentScheduled, _payment_scheduled),
    Trigger("applications", "payment_made", applications_events.PaymentMade, _payment_made),
    Trigger(
        "applications", "draft_deletion_warning", applications_events.DraftDeletionWarning, _draft_deletion_warning
    ),
    Trigger("applications", "draft_deleted", applications_events.DraftDeleted, _draft_deleted),
    Trigger("applications", "case_status_changed", applications_events.CaseStatusChanged, _case_status_changed),
    Trigger("contact", QUESTION_RECEIVED, contact_events.QuestionReceived, _question_received),
    Trigger("contact", REPLY_SENT, contact_events.ReplySent, _reply_sent),
    Trigger("contact", "booking_confirmed", contact_events.BookingConfirmed, _booking_confirmed),
    Trigger("contact", "booking_cancelled", contact_events.BookingCancelled, _booking_cancelled),
]
BY_EVENT = {(t.producer, t.event_type): t for t in TRIGGERS}


# Running a trigger. ---------------------------------------------------------------------------


@contextmanager
def event_correlation(body: Any) -> Iterator[str]:
    """Run under the correlation id the event carries (a new one if it carries none usable)."""
    incoming = body.get("correlation_id") if isinstance(body, dict) else None
    value = incoming if isinstance(incoming, str) and valid_correlation_id(incoming) else new_correlation_id()
    token = correlation_id.set(value)
    try:
        yield value
    finally:
        correlation_id.reset(token)


def _parse(body: Any, message_type: type[ProtoMessage]) -> ProtoMessage:
    if not isinstance(body, dict):
        raise MalformedEvent("the body is not a JSON object")
    if not isinstance(body.get("event_id"), str) or not body["event_id"]:
        raise MalformedEvent("event_id is missing")
    if not isinstance(body.get("data"), dict):
        raise MalformedEvent("data is missing or not an object")
    try:
        return parse_data(body, message_type)
    except ParseError as exc:
        raise MalformedEvent(f"data does not parse: {exc}") from None


def _occurred_at(body: dict) -> datetime:
    try:
        value = datetime.fromisoformat(body.get("occurred_at") or "")
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def apply_actions(
    session: Session, actions: list[Action], source_event_id: str | None, now: datetime, event_at: datetime
) -> None:
    for action in actions:
        if isinstance(action, Notify):
            feed.put_message(
                session,
                action.recipient_id,
                action.kind,
                action.fields,
                action.reference,
                source_event_id,
                now,
                event_at,
            )
        elif isinstance(action, CaseChanged):
            feed.put_case_change(session, action.recipient_id, action.reference, action.status, now)
        elif isinstance(action, Remind):
            if action.expires_at <= now:
                continue  # learnt too late to help
            exists = session.execute(
                select(Reminder.id).where(
                    Reminder.kind == action.kind,
                    Reminder.reference == action.reference,
                    Reminder.recipient_id == action.recipient_id,
                )
            ).first()
            if exists:
                continue  # one reminder per resident, kind and subject, however often it is asked for
            session.add(
                Reminder(
                    id=str(uuid.uuid4()),
                    recipient_id=action.recipient_id,
                    kind=action.kind,
                    reference=action.reference,
                    due_at=action.due_at.astimezone(UTC),
                    fields={**action.fields, "expires_at": action.expires_at.astimezone(UTC).isoformat()},
                    status="scheduled",
                    created_at=now,
                )
            )
        elif isinstance(action, Cancel):
            query = update(Reminder).where(
                Reminder.kind == action.kind, Reminder.reference == action.reference, Reminder.status == "scheduled"
            )
            if action.recipient_id:
                query = query.where(Reminder.recipient_id == action.recipient_id)
            session.execute(query.values(status="cancelled"))


# From the moment the producing service committed the fact to the resident's inbox holding it
# (the month-start dashboard and bench/ watch this).
EVENT_TO_INBOX = Histogram(
    "fickan_notifications_event_to_inbox_seconds",
    "from an event's occurred_at to its inbox message being committed",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)


def handle(
    db: Database, trigger: Trigger, body: Any, on_events: OnEvents = lambda ids: None, now: datetime | None = None
) -> bool:
    """Apply the trigger to the event once per event_id. True when it was applied; False for a
    repeat or a dropped malformed event."""
    handler = trigger.event_type
    with event_correlation(body):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        try:
            actions = trigger.react(_parse(body, trigger.message_type))
            if not actions:
                raise MalformedEvent("nothing to do")
        except NobodyToTell as exc:
            metrics.EVENTS_HANDLED.labels(handler, "nobody").inc()
            log.info("nobody to tell", extra={"fields": {"handler": handler, "event_id": event_id, "why": str(exc)}})
            return False
        except MalformedEvent as exc:
            metrics.EVENTS_HANDLED.labels(handler, "malformed").inc()
            log.error(
                "malformed event dropped",
                extra={"fields": {"handler": handler, "event_id": event_id, "reason": str(exc)}},
            )
            return False

        def apply(session: Session) -> None:
            apply_actions(session, actions, event_id, now or datetime.now(UTC), _occurred_at(body))

        try:
            applied = handle_once(db, INBOX, handler, body, apply, on_events)
        except MalformedEvent as exc:  # a template lacks a value the event should have carried
            metrics.EVENTS_HANDLED.labels(handler, "malformed").inc()
            log.error("malformed event dropped", extra={"fields": {"handler": handler, "reason": str(exc)}})
            return False
        if not applied:
            log.info("event already handled", extra={"fields": {"handler": handler, "event_id": event_id}})
            return False
        log.info("event handled", extra={"fields": {"handler": handler, "event_id": event_id}})
        if now is None:  # a real clock, not a test's
            EVENT_TO_INBOX.observe(max(0.0, (datetime.now(UTC) - _occurred_at(body)).total_seconds()))
        return True


def handle_event(
    db: Database, producer: str, event_type: str, body: Any, on_events: OnEvents = lambda ids: None
) -> bool:
    return handle(db, BY_EVENT[(producer, event_type)], body, on_events)


# The earlier entry points, kept for callers and tests.
def handle_application_submitted(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    return handle_event(db, "applications", APPLICATION_SUBMITTED, body, on_events)


def handle_question_received(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    return handle_event(db, "contact", QUESTION_RECEIVED, body, on_events)


def handle_reply_sent(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    return handle_event(db, "contact", REPLY_SENT, body, on_events)


def handle_application_event(db: Database, event_type: str, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    return handle_event(db, "applications", event_type, body, on_events)


# Reminders: sent by the worker's timer when due; they live in the database, so a restart loses none.


def send_due_reminders(db: Database, now: datetime | None = None, on_events: OnEvents = lambda ids: None) -> int:
    """Turn each due reminder into its message, each in its own transaction: a conditional UPDATE
    claims it, so two workers (or a crash and a retry) send it once."""
    now = now or datetime.now(UTC)
    with db.read() as session:
        due = (
            session.execute(
                select(Reminder.id)
                .where(Reminder.status == "scheduled", Reminder.due_at <= now)
                .order_by(Reminder.due_at)
                .limit(500)
            )
            .scalars()
            .all()
        )
    sent = 0
    for reminder_id in due:
        with UnitOfWork(db, on_events)() as session:
            claimed = session.execute(
                update(Reminder).where(Reminder.id == reminder_id, Reminder.status == "scheduled").values(status="sent")
            ).rowcount
            if not claimed:
                continue
            reminder = session.get(Reminder, reminder_id)
            assert reminder is not None
            fields = dict(reminder.fields or {})
            expires = fields.pop("expires_at", None)
            if expires and datetime.fromisoformat(expires) <= now:
                reminder.status = "expired"
                continue
            try:
                feed.put_message(session, reminder.recipient_id, reminder.kind, fields, reminder.reference, None, now)
            except MalformedEvent as exc:  # raised before anything is written: keep it out of the loop
                log.error("reminder cannot be sent", extra={"fields": {"kind": reminder.kind, "reason": str(exc)}})
                reminder.status = "failed"
                continue
            sent += 1
    if sent:
        log.info("reminders sent", extra={"fields": {"count": sent}})
    return sent
