"""The identity service's own database. The personnummer is stored here only: it is what ties a
BankID identity to a user; every other service knows the user by the opaque user id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fickan_common.events import Outbox, inbox_table, outbox_table
from fickan_common.idempotency import idempotency_table
from identity.settings import NAME


def aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData()


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(60), default="")  # case workers
    answer_group: Mapped[str] = mapped_column(String(60), default="")  # contact-centre agents
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Every UPDATE carries WHERE version = <the version read> (SQLAlchemy bumps it): a change that
    # lost a race raises StaleVersion instead of overwriting the winner's.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class LoginOrder(Base):
    """A BankID order in progress: a login, a signature or a phone identification. The QR secret
    stays here; clients only get QR content. BankID is asked at most every 2 s per order; the last
    answer is kept for the polls in between."""

    __tablename__ = "login_orders"

    order_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10), default="login")  # login | sign | phone
    device: Mapped[str] = mapped_column(String(10))
    qr_start_token: Mapped[str] = mapped_column(String(64))
    qr_start_secret: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # pending | complete | failed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # login: the user who logged in; sign: who must sign; phone: the agent who asked
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # sign: what the signature is for and the SHA-256 of the text shown
    reference: Mapped[str] = mapped_column(String(100), default="")
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    last_collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_hint: Mapped[str] = mapped_column(String(40), default="")
    # phone: the identified caller
    result_user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # login: SHA-256 of the collect secret handed to the client that started the order
    collect_secret_hash: Mapped[str] = mapped_column(String(64), default="")


class Signature(Base):
    """A completed BankID signature, kept as BankID returned it (the proof)."""

    __tablename__ = "signatures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    reference: Mapped[str] = mapped_column(String(100), index=True)
    order_ref: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # base64 XML signature from completionData
    ocsp_response: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WatchPairing(Base):
    """A watch asking to be paired (RFC 8628 style), then the paired watch. Only hashes of the
    device code and the watch token are stored."""

    __tablename__ = "watch_pairings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_code: Mapped[str] = mapped_column(String(8), index=True)
    # pending | confirmed (token not yet fetched) | paired | expired | revoked
    status: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # of the pairing request
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    interval: Mapped[int] = mapped_column(Integer, default=5)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    watch_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Every UPDATE carries WHERE version = <the version read> (SQLAlchemy bumps it): a change that
    # lost a race raises StaleVersion instead of overwriting the winner's.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class AccessLogEntry(Base):
    """One staff read or change of one resident's data (a row per resident concerned)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_subject_at", "subject_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)  # the event id (one record, many subjects)
    subject_id: Mapped[str] = mapped_column(String(36))
    actor_id: Mapped[str] = mapped_column(String(36), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(30))
    actor_unit: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[str] = mapped_column(String(10))
    resource: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Session(Base):
    """A logged-in device. Revoking it ends every refresh token of it."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    device: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the absolute limit
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # Every UPDATE carries WHERE version = <the version read> (SQLAlchemy bumps it): a change that
    # lost a race raises StaleVersion instead of overwriting the winner's.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class RefreshToken(Base):
    """One refresh token (its SHA-256 only). used_at set = spent; a second use revokes the session."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BankIdStatusRow(Base):
    """What BankID last said about itself (one row): disrupted since when, last seen when."""

    __tablename__ = "bankid_status"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    disrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
INBOX = inbox_table(Base.metadata)
IDEMPOTENCY = idempotency_table(Base.metadata)
metadata = Base.metadata
