"""What every use case on a thread shares: finding it, adding an entry, and the events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contact import texts
from contact.domain import questions
from contact.store import OUTBOX, Attachment, Entry, Question
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common import files, limits
from fickan_common.errors import Conflict, NotFound
from fickan_common.timestamps import to_timestamp

NOT_FOUND = texts.QUESTION_NOT_FOUND
ATTACHMENT_NOT_FOUND = texts.ATTACHMENT_NOT_FOUND
MAX_ATTACHMENTS = 10  # files in one thread
# The contract's limits of a file (AddAttachmentRequest.content): declared once, in the proto.
_FILE = limits.of(pb.AddAttachmentRequest, "content")


def attach(
    session: Session, question: Question, filename: str, content: bytes, author_id: str, author_name: str
) -> Entry:
    """Keeps a checked file in the thread and shows it on the timeline; the thread must be open."""
    checked = files.check(filename, content, _FILE.max_length or 0, _FILE.content_types)
    if question.status == questions.CLOSED:
        raise Conflict(texts.QUESTION_CLOSED_SEND)
    count = session.execute(
        select(func.count()).select_from(Attachment).where(Attachment.question_id == question.id)
    ).scalar_one()
    if count >= MAX_ATTACHMENTS:
        raise Conflict(texts.MAX_FILES.format(max=MAX_ATTACHMENTS))
    at = now()
    stored = Attachment(
        id=str(uuid.uuid4()),
        question_id=question.id,
        uploaded_by=author_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=content,
        uploaded_at=at,
    )
    session.add(stored)
    return add_entry(
        session,
        question,
        questions.ATTACHMENT,
        at,
        body=checked.filename,
        attachment_id=stored.id,
        author_id=author_id,
        author_name=author_name,
    )


def attachment(session: Session, question: Question, attachment_id: str) -> Attachment:
    stored = session.get(Attachment, attachment_id) if len(attachment_id) <= 36 else None
    if stored is None or stored.question_id != question.id:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return stored


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
