"""The applications service's own database: the cases, their timelines, completion requests and
attachments. Personnummer are never stored here: people are known by identity's opaque user ids."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
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

from applications.settings import NAME
from fickan_common.events import Outbox, inbox_table, outbox_table
from fickan_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = MetaData()


class Application(Base):
    """One application and the case it becomes."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_unit_status_due", "unit", "status", "due_at"),
        # One application per resident, form and month, also when two drafts are started at once.
        Index(
            "uq_applications_one_per_period",
            "applicant_id",
            "kind",
            "period",
            unique=True,
            sqlite_where=text("period != '' AND status != 'withdrawn'"),
            postgresql_where=text("period != '' AND status != 'withdrawn'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    form_version: Mapped[int] = mapped_column(Integer)
    applicant_id: Mapped[str] = mapped_column(String(36), index=True)
    co_applicant_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    unit: Mapped[str] = mapped_column(String(60), default="", index=True)  # set on submission
    status: Mapped[str] = mapped_column(String(30), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The month the money is for (YYYY-MM), for monthly applications and their periods.
    period: Mapped[str] = mapped_column(String(7), default="", index=True)
    # The resident's previous case of the same e-service (prefill, and what changed since).
    previous_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    applicant_signature_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    applicant_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    co_applicant_signature_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    co_applicant_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The decision target (24 h for a monthly application); the case workers' queue is ordered by it.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The case worker's name as their login gave it (BankID), shown to the resident.
    assigned_name: Mapped[str] = mapped_column(String(200), default="")
    # Who signed, by the name their BankID login gave (the token's name claim at signing).
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    co_applicant_name: Mapped[str] = mapped_column(String(200), default="")
    # Their personnummer as identity gives it to themselves at signing: masked (birth date and ****).
    # Shown to the unit's case workers only, each read in the access log.
    applicant_masked: Mapped[str] = mapped_column(String(13), default="")
    co_applicant_masked: Mapped[str] = mapped_column(String(13), default="")
    # Exactly what was sent, as it stood when the case was submitted: the answers, the form's
    # version, the attachments and the signatures (the copy the resident downloads is made of it).
    submitted: Mapped[dict] = mapped_column(JSON, default=dict)
    months_on_support: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[list] = mapped_column(JSON, default=list)  # what changed since the previous case
    calculation: Mapped[dict] = mapped_column(JSON, default=dict)
    adjustments: Mapped[list] = mapped_column(JSON, default=list)  # case workers' changed lines, with reasons
    proposal: Mapped[dict] = mapped_column(JSON, default=dict)  # the decision proposal and its rule trace
    decision: Mapped[dict] = mapped_column(JSON, default=dict)  # outcome, amount, reasons, by, at, automatic
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    payment_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payment_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Retention (applications/retention.py): when the resident was told an untouched draft will be
    # deleted (a save after it starts the clock again), and when a closed case was thinned.
    deletion_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    thinned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # Every UPDATE of a case carries WHERE version = <the version read>: a change that lost a race
    # raises StaleVersion instead of writing (the use cases still bump the version themselves).
    __mapper_args__: ClassVar[dict] = {"version_id_col": version, "version_id_generator": False}


class CaseEvent(Base):
    """One step on a case's timeline: a move between statuses or a note the resident should see."""

    __tablename__ = "case_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))  # status | note
    status: Mapped[str] = mapped_column(String(30), default="")
    actor: Mapped[str] = mapped_column(String(20))  # resident | co_applicant | staff | system
    text_sv: Mapped[str] = mapped_column(String(1000))
    text_en: Mapped[str] = mapped_column(String(1000))


class CompletionRequest(Base):
    """What a case worker asked for (a completion, or the proof of a random check) and the answer."""

    __tablename__ = "completion_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    random_check: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list] = mapped_column(JSON, default=list)  # what is missing, each a short text
    message: Mapped[str] = mapped_column(String(2000), default="")
    due_date: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(36))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer_text: Mapped[str] = mapped_column(String(4000), default="")
    answer_attachments: Mapped[list] = mapped_column(JSON, default=list)


class Attachment(Base):
    """A receipt or statement, its type checked by content, stored here with its SHA-256. Kept in the
    service's own database so a municipality running only this service needs no file store."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class SigningOrder(Base):
    """A BankID sign order this service started for a case (applications/signing.py): whose, for
    which version of the answers, and how it ended, so a repeated collect changes the case once."""

    __tablename__ = "signing_orders"

    order_ref: Mapped[str] = mapped_column(String(36), primary_key=True)  # identity's (BankID's) order
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(20))  # applicant | co_applicant
    version: Mapped[int] = mapped_column(Integer)  # the version of the answers the text was for
    # pending | signed (the signature exists, not yet applied to the case) | complete | failed | refused
    status: Mapped[str] = mapped_column(String(20))
    signature_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Payment(Base):
    """Money paid on a decision. The database itself refuses a second payment of one case, and of one
    resident's e-service for one month, whatever the code above it does."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("application_id", name="uq_payments_application"),
        UniqueConstraint("applicant_id", "e_service", "period", name="uq_payments_applicant_month"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    applicant_id: Mapped[str] = mapped_column(String(36))
    e_service: Mapped[str] = mapped_column(String(60))
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)  # NULL: not a monthly case
    amount: Mapped[int] = mapped_column(Integer)
    payment_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # scheduled | paid
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RetentionLog(Base):
    """What retention removed, from which case, when and under which rule (admins read it)."""

    __tablename__ = "retention_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    subject: Mapped[str] = mapped_column(String(30))  # draft | case
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    removed: Mapped[str] = mapped_column(String(500))  # what was removed, in plain words
    rule: Mapped[str] = mapped_column(String(200))  # the setting and its value


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
IDEMPOTENCY = idempotency_table(Base.metadata)
INBOX = inbox_table(Base.metadata)
metadata = Base.metadata
