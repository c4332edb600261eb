"""The applications service's own database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from applications.settings import NAME
from fickan_common.events import Outbox, inbox_table, outbox_table


class Base(DeclarativeBase):
    metadata = MetaData()


class Application(Base):
    __tablename__ = "applications"

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


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
INBOX = inbox_table(Base.metadata)
metadata = Base.metadata
