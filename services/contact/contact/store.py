"""The contact service's own database."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from contact.settings import NAME
from fickan_common.events import Outbox, inbox_table, outbox_table
from fickan_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = MetaData()


class Question(Base):
    """One contact with the contact centre, from any channel: the head of its thread."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_queue", "group_code", "status", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The resident's user id; None for someone not logged in or a contact registered by staff.
    asker_id: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    topic: Mapped[str] = mapped_column(String(60), default="")
    group_code: Mapped[str] = mapped_column(String(60))
    # Whom to answer when the asker is not a logged-in resident (and a number to ring back).
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    # A guest's address, hashed: only for the rate limit.
    guest_address_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    application_id: Mapped[str] = mapped_column(String(36), default="")
    agent_id: Mapped[str] = mapped_column(String(36), default="")
    agent_name: Mapped[str] = mapped_column(String(200), default="")
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resident_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    close_reason: Mapped[str] = mapped_column(String(60), default="")
    unnecessary: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Optimistic lock: two agents closing or moving one thread at once change it once.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class Entry(Base):
    """One entry of a thread's timeline: a message either way, an internal note, a move, a closing."""

    __tablename__ = "thread_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(36), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_group: Mapped[str] = mapped_column(String(60), default="")
    to_group: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(String(60), default="")
    attachment_id: Mapped[str] = mapped_column(String(36), default="")


class Attachment(Base):
    """A file in a thread, checked by its bytes when it came."""

    __tablename__ = "thread_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(36), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ResidentCase(Base):
    """What contact knows of a resident's cases, from applications' case_status_changed events: enough
    to link a question to the open case, to let a sent e-service be rated and to count down the wall
    screen's decision targets (the case itself is read from applications when shown). What a status
    means is applications' word in the event (open, sent, decision_due): contact keeps no status sets."""

    __tablename__ = "resident_cases"

    resident_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(30))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    open: Mapped[bool] = mapped_column(Boolean, default=False)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set while the municipality is to decide: the wall screen counts down to it. No case contents
    # are kept.
    decision_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Slot(Base):
    """An advisor's published time. One advisor has one time starting at a given moment (so
    publishing a pattern twice adds nothing)."""

    __tablename__ = "booking_slots"
    __table_args__ = (
        UniqueConstraint("advisor_id", "starts_at", name="uq_booking_slots_advisor_start"),
        Index("ix_booking_slots_free", "group_code", "status", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    advisor_id: Mapped[str] = mapped_column(String(36))
    advisor_name: Mapped[str] = mapped_column(String(200), default="")
    group_code: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(200), default="")
    # free | booked | withdrawn: kept in step with its booking, read by the lists; the unique
    # index on bookings below is what makes a double booking impossible.
    status: Mapped[str] = mapped_column(String(20))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Booking(Base):
    """A resident's booking of a time. At most one booking of a time is `booked`: a partial unique
    index, on SQLite and PostgreSQL alike, so no race and no bug can book a time twice."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_bookings_one_per_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slot_id: Mapped[str] = mapped_column(String(36), index=True)
    resident_id: Mapped[str] = mapped_column(String(36), index=True)
    resident_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(20), default="")


class FaultReport(Base):
    """A fault report (felanmälan): published as an Open311 service request. Its contact is a thread
    in BBMT's queue (question_id); who reported it stays there and is never published."""

    __tablename__ = "fault_reports"
    __table_args__ = (Index("ix_fault_reports_requested", "requested_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(36), unique=True)
    service_code: Mapped[str] = mapped_column(String(60), index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    long: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(250), default="")
    description: Mapped[str] = mapped_column(Text)
    media_url: Mapped[str] = mapped_column(String(500), default="")
    attributes: Mapped[str] = mapped_column(Text, default="{}")  # JSON: code -> [values]
    # open311 (with the client's name) | web | mobile
    source: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedbackRow(Base):
    """A resident's rating of a closed contact, a held booking or a sent e-service: once per thing."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("resident_id", "subject_kind", "subject_id", name="uq_feedback_once_per_thing"),
        Index("ix_feedback_group_given", "group_code", "given_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(36))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(36))
    group_code: Mapped[str] = mapped_column(String(60))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WallScreenRow(Base):
    """A screen in the office allowed to show the wall board; its token is kept as a hash only."""

    __tablename__ = "wall_screens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
INBOX = inbox_table(Base.metadata)
IDEMPOTENCY = idempotency_table(Base.metadata)
metadata = Base.metadata
