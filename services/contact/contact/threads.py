"""What every use case on a thread shares: finding it, adding an entry, and the events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contact.domain import questions
from contact.store import OUTBOX, Entry, Question
from fickan.contact.events.v1 import events_pb2
from fickan_common.errors import NotFound
from fickan_common.timestamps import to_timestamp

NOT_FOUND = "Frågan finns inte."


def now() -> datetime:
    return datetime.now(UTC)


def find(session: Session, question_id: str, lock: bool = False) -> Question:
    try:
        uuid.UUID(question_id)
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    query = select(Question).where(Question.id == question_id)
    if lock:
        query = query.with_for_update()
    question = session.scalars(query).first()
    if question is None:
        raise NotFound(NOT_FOUND)
    return question


def add_entry(session: Session, question: Question, kind: str, at: datetime, **fields: str) -> Entry:
    # Entries of one change share its time; a microsecond apart they keep the order they were made in.
    last = session.info.get("last_entry_at")
    if last is not None and at <= last:
        at = last + timedelta(microseconds=1)
    session.info["last_entry_at"] = at
    entry = Entry(id=str(uuid.uuid4()), question_id=question.id, kind=kind, at=at, **fields)
    session.add(entry)
    if kind in questions.RESIDENT_VISIBLE:
        question.last_activity_at = at
    return entry


def entries(session: Session, question_id: str, kinds: tuple[str, ...] | None = None) -> list[Entry]:
    query = select(Entry).where(Entry.question_id == question_id)
    if kinds is not None:
        query = query.where(Entry.kind.in_(kinds))
    return list(session.scalars(query.order_by(Entry.at, Entry.id)))


def routed_event(
    session: Session, question: Question, from_group: str, routed_by: str, at: datetime, agent_id: str = ""
) -> dict:
    return OUTBOX.add(
        session,
        "question_routed",
        events_pb2.QuestionRouted(
            question_id=question.id,
            from_group=from_group,
            to_group=question.group_code,
            routed_by=routed_by,
            agent_id=agent_id,
            at=to_timestamp(at),
        ),
    )


def received_event(session: Session, question: Question) -> dict:
    # The event carries no question text: least data on the wire.
    return OUTBOX.add(
        session,
        "question_received",
        events_pb2.QuestionReceived(
            question_id=question.id,
            asker_id=question.asker_id or "",
            channel=question.channel,
            received_at=to_timestamp(question.received_at),
            group=question.group_code,
            application_id=question.application_id,
        ),
    )
