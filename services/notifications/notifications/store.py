"""The notifications service's own database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fickan_common.events import Outbox, inbox_table, outbox_table
from fickan_common.idempotency import idempotency_table
from notifications.settings import NAME


class Base(DeclarativeBase):
    metadata = MetaData()


class Message(Base):
    """One message in a resident's inbox."""

    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(36), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The event that caused the message, when one did (the inbox table is what deduplicates).
    source_event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(40), default="")
    short: Mapped[str] = mapped_column(String(60), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class FeedHead(Base):
    """The last sequence number of one resident's feed (taken under the write lock)."""

    __tablename__ = "feed_heads"

    recipient_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class FeedEntry(Base):
    """What a live client is told, in order: a new message or a change of a case."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("recipient_id", "seq", name="uq_feed_recipient_seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    recipient_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # message | case_changed
    message_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """A message to send later (survives restarts: the worker's timer sends what is due)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("kind", "reference", "recipient_id", name="uq_reminder"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    # scheduled | sent | cancelled
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Preferences(Base):
    """A resident's choices; a resident without a row has the defaults (domain.preferences)."""

    __tablename__ = "preferences"

    recipient_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # sha256 of the confirmation link's token while the address waits to be confirmed
    email_token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    channels: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> {"email": bool, "push": bool}
    quiet_start: Mapped[str] = mapped_column(String(5), default="22:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="07:00")
    ignore_quiet_hours: Mapped[bool] = mapped_column(Boolean, default=False)


class PushSubscriptionRow(Base):
    __tablename__ = "push_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(36), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    device: Mapped[str] = mapped_column(String(20))
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200), default="")
    auth: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One e-mail or push to send, made in the same transaction as its message: sent once
    (a lease, then marked sent), retried with backoff, dead after the last try."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel", "target", name="uq_delivery"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36))
    recipient_id: Mapped[str] = mapped_column(String(36), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | push
    # an e-mail address, or a push subscription id
    target: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # pending | sent | dead | skipped
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ServiceMessageRow(Base):
    """A notice of planned maintenance or a disruption, shown to everyone between its start and end
    (a planned one from a week before). An admin may end it early (ended_at)."""

    __tablename__ = "service_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # maintenance | disruption
    text_sv: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_by: Mapped[str] = mapped_column(String(36), default="")


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
IDEMPOTENCY = idempotency_table(Base.metadata)
INBOX = inbox_table(Base.metadata)
metadata = Base.metadata
