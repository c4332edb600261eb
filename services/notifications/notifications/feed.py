"""Writing to a resident's feed, inside the caller's transaction: the inbox message, its feed entry
with the resident's next sequence number, the deliveries its channels need (e-mail, push) and the
events that wake the open streams. One transaction, so a message exists with all of these or not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fickan.notifications.events.v1 import events_pb2 as notifications_events
from fickan_common.timestamps import to_timestamp
from notifications.domain import messages
from notifications.domain.preferences import Choices
from notifications.store import OUTBOX, DeliveryRow, FeedEntry, FeedHead, Message, Preferences, PushSubscriptionRow

FEED_APPENDED = "feed_appended"


def _publish(session: Session, event_type: str, data: object) -> None:
    """Into the outbox; the caller's unit of work publishes it after the commit."""
    OUTBOX.add(session, event_type, data)  # type: ignore[arg-type]


def choices_of(session: Session, recipient_id: str) -> Choices:
    row = session.get(Preferences, recipient_id)
    if row is None:
        return Choices()
    return Choices(
        language=row.language,
        email=row.email,
        email_confirmed=row.email_confirmed,
        channels=dict(row.channels or {}),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        ignore_quiet_hours=row.ignore_quiet_hours,
    )


def next_seq(session: Session, recipient_id: str) -> int:
    """The resident's next feed number. Writers hold the write lock (SQLite BEGIN IMMEDIATE) or
    the head's row lock (PostgreSQL), so two writers never take the same number."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # The first entry makes the head; a concurrent first writer finds it made and waits on its lock.
    session.execute(insert(FeedHead).values(recipient_id=recipient_id, seq=0).on_conflict_do_nothing())
    head = session.execute(select(FeedHead).where(FeedHead.recipient_id == recipient_id).with_for_update()).scalar_one()
    head.seq += 1
    session.flush()
    return head.seq


def _entry(session: Session, recipient_id: str, kind: str, now: datetime, **values: str | None) -> FeedEntry:
    seq = next_seq(session, recipient_id)
    entry = FeedEntry(recipient_id=recipient_id, seq=seq, kind=kind, created_at=now, **values)
    session.add(entry)
    _publish(session, FEED_APPENDED, notifications_events.FeedAppended(recipient_id=recipient_id, seq=seq, kind=kind))
    return entry


def put_message(
    session: Session,
    recipient_id: str,
    kind: str,
    fields: dict,
    reference: str,
    source_event_id: str | None,
    now: datetime | None = None,
    event_at: datetime | None = None,
) -> Message:
    """Render the trigger's text in the resident's language and put it in the inbox, the feed and
    the delivery queue."""
    now = now or datetime.now(UTC)
    choices = choices_of(session, recipient_id)
    text = messages.render(kind, fields, reference, choices.language)
    entry = _entry(session, recipient_id, "message", now, reference=reference)
    message = Message(
        id=str(uuid.uuid4()),
        recipient_id=recipient_id,
        subject=text.subject,
        body=text.body,
        reference=text.reference,
        kind=kind,
        short=text.short,
        read=False,
        archived=False,
        created_at=now,
        source_event_id=source_event_id,
        seq=entry.seq,
    )
    session.add(message)
    entry.message_id = message.id
    _publish(
        session,
        "message_delivered",
        notifications_events.MessageDelivered(
            message_id=message.id, recipient_id=recipient_id, delivered_at=to_timestamp(now)
        ),
    )
    plan_deliveries(session, message, choices, now, event_at or now)
    return message


def put_case_change(session: Session, recipient_id: str, reference: str, status: str, now: datetime) -> FeedEntry:
    """A case moved: open pages refresh what they show of it; no inbox message."""
    return _entry(session, recipient_id, "case_changed", now, reference=reference, status=status)


def plan_deliveries(session: Session, message: Message, choices: Choices, now: datetime, event_at: datetime) -> None:
    """One delivery per channel target the resident wants for this kind of message."""

    def add(channel: str, target: str, payload: dict) -> None:
        session.add(
            DeliveryRow(
                id=str(uuid.uuid4()),
                message_id=message.id,
                recipient_id=message.recipient_id,
                channel=channel,
                target=target,
                kind=message.kind,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                event_at=event_at,
            )
        )

    lang = choices.language
    if choices.sends_email(message.kind):
        add("email", choices.email, {"language": lang, "reference": message.reference})
    if choices.wants(message.kind, "push"):
        subscriptions = session.scalars(
            select(PushSubscriptionRow.id).where(PushSubscriptionRow.recipient_id == message.recipient_id)
        ).all()
        for subscription_id in subscriptions:
            add("push", subscription_id, {"language": lang, "reference": message.reference})


def confirmation_mail(session: Session, recipient_id: str, address: str, link: str, lang: str, now: datetime) -> None:
    """The mail with the confirmation link: the one mail sent to an unconfirmed address, at once."""
    session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.recipient_id == recipient_id,
            DeliveryRow.kind == "email_confirmation",
            DeliveryRow.status == "pending",
        )
        .values(status="skipped", last_error="replaced by a newer address")
    )
    session.add(
        DeliveryRow(
            id=str(uuid.uuid4()),
            message_id=str(uuid.uuid4()),
            recipient_id=recipient_id,
            channel="email",
            target=address,
            kind="email_confirmation",
            payload={"language": lang, "link": link},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            event_at=now,
        )
    )
