"""The insights service's own database: Kolada's figures as imported (with the date fetched), the
municipalities and KPIs they name, the municipality's comments, and guide sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fickan_common.events import Outbox, inbox_table, outbox_table
from fickan_common.idempotency import idempotency_table
from insights.settings import NAME


class Base(DeclarativeBase):
    metadata = MetaData()


class KpiRow(Base):
    """A KPI's title and description as Kolada gave them (or the demo's)."""

    __tablename__ = "kpis"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MunicipalityRow(Base):
    __tablename__ = "municipalities"

    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(2), default="K")  # K kommun, L region


class SetMember(Base):
    """A comparison set's members as last resolved (a Kolada group's members, or the file's list)."""

    __tablename__ = "set_members"

    set_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Value(Base):
    """One figure: a KPI for a municipality, year and gender (T total, K women, M men).
    `value` is None where Kolada has the row but no value."""

    __tablename__ = "kpi_values"

    kpi_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gender: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(40), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportRun(Base):
    __tablename__ = "imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))  # running | ok | failed
    values: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class CommentRow(Base):
    """The municipality's comment on a KPI and year, written by staff."""

    __tablename__ = "comments"

    kpi_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GuideSession(Base):
    """One walk through a guide. Holds no person: a random id, the answers and where it ended."""

    __tablename__ = "guide_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    guide_id: Mapped[str] = mapped_column(String(60), index=True)
    guide_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[str] = mapped_column(Text, default="")  # "question=option;..." in order
    result_id: Mapped[str] = mapped_column(String(60), default="")
    followed: Mapped[str] = mapped_column(String(20), default="")  # e_service | contact | information
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


OUTBOX = Outbox(NAME, outbox_table(Base.metadata))
INBOX = inbox_table(Base.metadata)
IDEMPOTENCY = idempotency_table(Base.metadata)
metadata = Base.metadata
