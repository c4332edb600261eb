"""The notifications service's own database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fickan_common.events import Outbox, inbox_table, outbox_table
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


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
INBOX = inbox_table(Base.metadata)
metadata = Base.metadata
