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
from notifications.domain.messages import MalformedEvent, MessageText
from notifications.store import INBOX, OUTBOX, Message

log = logging.getLogger(__name__)

OnEvents = Callable[[Iterable[str]], None]
E = TypeVar("E", bound=ProtoMessage)

APPLICATION_SUBMITTED = "application_submitted"
QUESTION_RECEIVED = "question_received"


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
    compose: Callable[[Any], tuple[str, MessageText]],
    message_type: type[ProtoMessage],
    on_events: OnEvents = lambda ids: None,
) -> bool:
    """Put the message compose() makes of the event in its recipient's inbox, once per event_id.

    Returns True when a message was delivered; False for a repeat or a dropped malformed event.
    """
    with event_correlation(body):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        try:
            recipient_id, text = compose(_parse(body, message_type))
        except MalformedEvent as exc:
            metrics.EVENTS_HANDLED.labels(handler, "malformed").inc()
            log.error(
                "malformed event dropped",
                extra={"fields": {"handler": handler, "event_id": event_id, "reason": str(exc)}},
            )
            return False

        committed: list[str] = []

        def apply(session: Session) -> None:
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
    recipient_id = messages.require_id("asker_id", event.asker_id)
    return recipient_id, messages.question_received(question_id)


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
