"""What the worker does with other services' events, without nameko: each handler takes the
database and the event envelope, so tests call it directly.

Every handler runs under the envelope's correlation id, handles an event_id once (inbox), and
commits the inbox message together with its message_delivered event (outbox). An event that lacks
what the message needs is logged and dropped: redelivering it would never help. Anything else
(database away, a bug) raises, so the broker redelivers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf.json_format import ParseError
from google.protobuf.message import Message as ProtoMessage
from sqlalchemy.orm import Session

from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan.contact.events.v1 import events_pb2 as contact_events
from fickan.notifications.events.v1 import events_pb2 as notifications_events
from fickan_common import metrics
from fickan_common.context import correlation_id, new_correlation_id, valid_correlation_id
from fickan_common.db import Database
from fickan_common.events import handle_once, parse_data
from fickan_common.timestamps import to_timestamp
from notifications.domain import messages
from notifications.domain.messages import MalformedEvent, MessageText, NobodyToTell
from notifications.store import INBOX, OUTBOX, Message

log = logging.getLogger(__name__)

OnEvents = Callable[[Iterable[str]], None]
E = TypeVar("E", bound=ProtoMessage)

APPLICATION_SUBMITTED = "application_submitted"
QUESTION_RECEIVED = "question_received"
REPLY_SENT = "reply_sent"


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


def _parse(body: Any, message_type: type[E]) -> E:
    if not isinstance(body, dict):
        raise MalformedEvent("the body is not a JSON object")
    if not isinstance(body.get("event_id"), str) or not body["event_id"]:
        raise MalformedEvent("event_id is missing")
    if not isinstance(body.get("data"), dict):
        raise MalformedEvent("data is missing or not an object")
    try:
        return parse_data(body, message_type)  # type: ignore[return-value]
    except ParseError as exc:
        raise MalformedEvent(f"data does not parse: {exc}") from None


def deliver(
    db: Database,
    handler: str,
    body: Any,
    compose: Callable[[Any], tuple[str, MessageText] | list[tuple[str, MessageText]]],
    message_type: type[ProtoMessage],
    on_events: OnEvents = lambda ids: None,
) -> bool:
    """Put the message(s) compose() makes of the event in the recipients' inboxes, once per event_id.

    Returns True when a message was delivered; False for a repeat or a dropped malformed event.
    """
    with event_correlation(body):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        try:
            composed = compose(_parse(body, message_type))
            deliveries = composed if isinstance(composed, list) else [composed]
            if not deliveries:
                raise MalformedEvent("no recipient")
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

        committed: list[str] = []

        def apply(session: Session) -> None:
            for recipient_id, text in deliveries:
                _put(session, recipient_id, text)

        def _put(session: Session, recipient_id: str, text: MessageText) -> None:
            now = datetime.now(UTC)
            message = Message(
                id=str(uuid.uuid4()),
                recipient_id=recipient_id,
                subject=text.subject,
                body=text.body,
                reference=text.reference,
                read=False,
                created_at=now,
                source_event_id=event_id,
            )
            session.add(message)
            env = OUTBOX.add(
                session,
                "message_delivered",
                notifications_events.MessageDelivered(
                    message_id=message.id, recipient_id=recipient_id, delivered_at=to_timestamp(now)
                ),
            )
            committed.append(env["event_id"])

        if not handle_once(db, INBOX, handler, body, apply):
            log.info("event already handled", extra={"fields": {"handler": handler, "event_id": event_id}})
            return False
        log.info("message delivered", extra={"fields": {"handler": handler, "event_id": event_id}})
        on_events(committed)
        return True


def _compose_application_submitted(event: applications_events.ApplicationSubmitted) -> tuple[str, MessageText]:
    application_id = messages.require_id("application_id", event.application_id)
    recipient_id = messages.require_id("applicant_id", event.applicant_id)
    return recipient_id, messages.application_received(application_id, event.kind, event.period)


def _compose_question_received(event: contact_events.QuestionReceived) -> tuple[str, MessageText]:
    question_id = messages.require_id("question_id", event.question_id)
    if not event.asker_id:
        raise NobodyToTell("a contact from someone not logged in, or registered by staff")
    recipient_id = messages.require_id("asker_id", event.asker_id)
    return recipient_id, messages.question_received(question_id)


def _compose_reply_sent(event: contact_events.ReplySent) -> tuple[str, MessageText]:
    question_id = messages.require_id("question_id", event.question_id)
    if not event.resident_id:
        raise NobodyToTell("the contact centre answers a guest at the address they gave")
    return messages.require_id("resident_id", event.resident_id), messages.reply_sent(question_id)


def handle_application_submitted(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    """applications' application_submitted -> a receipt in the applicant's inbox."""
    return deliver(
        db,
        APPLICATION_SUBMITTED,
        body,
        _compose_application_submitted,
        applications_events.ApplicationSubmitted,
        on_events,
    )


def handle_question_received(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    """contact's question_received -> a receipt in the asker's inbox."""
    return deliver(db, QUESTION_RECEIVED, body, _compose_question_received, contact_events.QuestionReceived, on_events)


def handle_reply_sent(db: Database, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    """contact's reply_sent -> "the contact centre has answered" in the resident's inbox."""
    return deliver(db, REPLY_SENT, body, _compose_reply_sent, contact_events.ReplySent, on_events)


def _recipients(ids: Any) -> list[str]:
    found = [messages.require_id("resident_ids", r) for r in ids]
    if not found:
        raise MalformedEvent("resident_ids is empty")
    return sorted(set(found))


def _compose_signature_requested(event: applications_events.SignatureRequested) -> tuple[str, MessageText]:
    application_id = messages.require_id("application_id", event.application_id)
    return messages.require_id("co_applicant_id", event.co_applicant_id), messages.signature_requested(application_id)


def _compose_completion_requested(event: applications_events.CompletionRequested) -> list[tuple[str, MessageText]]:
    application_id = messages.require_id("application_id", event.application_id)
    text = messages.completion_requested(application_id, event.due_date, event.random_check)
    return [(r, text) for r in _recipients(event.resident_ids)]


def _compose_decision_made(event: applications_events.DecisionMade) -> list[tuple[str, MessageText]]:
    application_id = messages.require_id("application_id", event.application_id)
    text = messages.decision_made(application_id, event.outcome, event.amount, event.period)
    return [(r, text) for r in _recipients(event.resident_ids)]


def _compose_payment_scheduled(event: applications_events.PaymentScheduled) -> list[tuple[str, MessageText]]:
    application_id = messages.require_id("application_id", event.application_id)
    text = messages.payment_scheduled(application_id, event.amount, event.payment_date)
    return [(r, text) for r in _recipients(event.resident_ids)]


def _compose_payment_made(event: applications_events.PaymentMade) -> list[tuple[str, MessageText]]:
    application_id = messages.require_id("application_id", event.application_id)
    text = messages.payment_made(application_id, event.amount)
    return [(r, text) for r in _recipients(event.resident_ids)]


def _compose_period_opened(event: applications_events.ApplicationPeriodOpened) -> tuple[str, MessageText]:
    resident = messages.require_id("resident_id", event.resident_id)
    return resident, messages.period_opened(event.period, event.opens, event.closes)


# event type -> (compose, message type); the worker has one @event_handler per entry.
APPLICATION_EVENTS: dict[str, tuple[Callable[[Any], Any], type[ProtoMessage]]] = {
    "signature_requested": (_compose_signature_requested, applications_events.SignatureRequested),
    "completion_requested": (_compose_completion_requested, applications_events.CompletionRequested),
    "decision_made": (_compose_decision_made, applications_events.DecisionMade),
    "payment_scheduled": (_compose_payment_scheduled, applications_events.PaymentScheduled),
    "payment_made": (_compose_payment_made, applications_events.PaymentMade),
    "application_period_opened": (_compose_period_opened, applications_events.ApplicationPeriodOpened),
}


def handle_application_event(db: Database, event_type: str, body: Any, on_events: OnEvents = lambda ids: None) -> bool:
    """One of applications' case events -> the proactive message(s) it means for the resident(s)."""
    compose, message_type = APPLICATION_EVENTS[event_type]
    return deliver(db, event_type, body, compose, message_type, on_events)
