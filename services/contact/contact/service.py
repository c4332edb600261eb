"""Residents' and guests' use cases: each is one transaction over the service's database (state
change + outbox). The agents' use cases are in desk.py, the statistics in demand.py."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from contact import texts, threads
from contact.domain import questions
from contact.domain.centre import Centre
from contact.domain.routing import Routed
from contact.settings import ContactSettings
from contact.store import Attachment, Entry, Question, ResidentCase
from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

LIST_LIMIT = 100
GUEST_LIMIT = texts.GUEST_LIMIT


@dataclass(frozen=True)
class ThreadView:
    question: Question
    entries: list[Entry]


def address_hash(value: str) -> str:
    return hashlib.sha256(("fickan-contact-guest:" + value.strip().lower()).encode()).hexdigest()


class Contact:
    def __init__(
        self,
        db: Database,
        centre: Centre,
        settings: ContactSettings,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    ) -> None:
        self.db = db
        self.centre = centre
        self.settings = settings
        self.on_events = on_events  # told the ids of events just committed (to publish at once)
        self.work = UnitOfWork(db, on_events)  # a write transaction whose events are published after it

    # -- asking -------------------------------------------------------------------------------------
    def _route(self, new: questions.NewQuestion) -> Routed:
        topic = self.centre.topics.get(new.topic)
        return self.centre.router.route(topic.group if topic else "", f"{new.subject}\n{new.body}")

    def open_thread(
        self,
        session: Session,
        new: questions.NewQuestion,
        asker_id: str | None,
        routed: Routed | None = None,
        linked_case: str = "",
        **extra: str,
    ) -> Question:
        """The new thread in its group (routed here unless `routed` says where), with its first
        entry and its events (in `session`)."""
        routed = routed or self._route(new)
        at = threads.now()
        question = Question(
            id=str(uuid.uuid4()),
            asker_id=asker_id,
            subject=new.subject,
            body=new.body,
            channel=new.channel,
            status=questions.RECEIVED,
            received_at=at,
            last_activity_at=at,
            topic=new.topic,
            group_code=routed.group,
            contact_name=new.name,
            contact_email=new.email,
            contact_phone=new.phone,
            application_id=(linked_case or self._open_case(session, asker_id)) if asker_id else "",
            **extra,
        )
        session.add(question)
        session.flush()
        threads.add_entry(session, question, questions.QUESTION, at, body=new.body, author_id=asker_id or "")
        threads.add_entry(
            session,
            question,
            questions.MOVED,
            at,
            to_group=routed.group,
            body=", ".join(routed.matched),
            reason=routed.routed_by,
        )
        if question.application_id:
            threads.add_entry(session, question, questions.LINKED, at, body=question.application_id)
        threads.received_event(session, question)
        threads.routed_event(session, question, "", routed.routed_by, at)
        return question

    @staticmethod
    def _own_case(session: Session, resident_id: str, application_id: str) -> str:
        """The case a question is asked from, if it is the resident's own (else refused: an agent
        would see that case's status beside this resident's question)."""
        try:
            application_id = str(uuid.UUID(application_id))
        except ValueError:
            raise ValidationFailed(texts.INVALID_CASE, {"application_id": texts.INVALID_CASE}) from None
        if session.get(ResidentCase, (resident_id, application_id)) is None:
            raise PermissionDenied(texts.CASE_NOT_LINKABLE)
        return application_id

    @staticmethod
    def _open_case(session: Session, resident_id: str) -> str:
        row = session.scalars(
            select(ResidentCase)
            .where(ResidentCase.resident_id == resident_id, ResidentCase.open.is_(True))
            .order_by(ResidentCase.changed_at.desc())
            .limit(1)
        ).first()
        return row.application_id if row else ""

    def ask(
        self,
        principal: Principal,
        subject: str,
        body: str,
        channel: str,
        topic: str = "",
        phone: str = "",
        application_id: str = "",
    ) -> Question:
        """A resident's question, linked to their open case (or to the case they asked from: one of
        their own, as contact knows them from applications' events)."""
        questions.require_resident(principal)
        if "glance" in principal.scope and (channel or "").strip() != "watch":
            raise PermissionDenied(texts.WATCH_CALLBACK_ONLY)
        new = questions.clean_question(subject, body, channel, topic, self.centre.topics, phone)
        with self.work() as session:
            linked = self._own_case(session, principal.user_id, application_id) if application_id else ""
            question = self.open_thread(session, new, principal.user_id, linked_case=linked)
        metrics.BUSINESS.labels("question_received").inc()
        return question

    def ask_as_guest(
        self, subject: str, body: str, topic: str, name: str, email: str, phone: str, client_address: str
    ) -> Question:
        new = questions.clean_guest_question(subject, body, topic, name, email, phone, self.centre.topics)
        address = address_hash(client_address or "unknown")
        with self.work() as session:
            self._check_guest_limits(session, address, new)
            question = self.open_thread(session, new, None, guest_address_hash=address)
        metrics.BUSINESS.labels("question_received").inc()
        return question

    def _check_guest_limits(self, session: Session, address: str, new: questions.NewQuestion) -> None:
        since = threads.now() - timedelta(hours=1)
        recent = select(func.count()).select_from(Question).where(Question.received_at > since)
        if session.execute(recent.where(Question.guest_address_hash == address)).scalar_one() >= (
            self.settings.guest_per_address_per_hour
        ):
            raise RateLimited(GUEST_LIMIT)
        same_reply = or_(
            *(
                column == value
                for column, value in ((Question.contact_email, new.email), (Question.contact_phone, new.phone))
                if value
            )
        )
        if session.execute(recent.where(Question.asker_id.is_(None), same_reply)).scalar_one() >= (
            self.settings.guest_per_reply_address_per_hour
        ):
            raise RateLimited(GUEST_LIMIT)

    # -- the resident's threads ---------------------------------------------------------------------
    def list_mine(self, principal: Principal) -> list[tuple[Question, int]]:
        """The resident's contacts, latest activity first, each with its replies not seen yet."""
        questions.require_resident(principal)
        with self.db.read() as session:
            rows = list(
                session.scalars(
                    select(Question)
                    .where(Question.asker_id == principal.user_id)
                    .order_by(Question.last_activity_at.desc(), Question.id)
                    .limit(LIST_LIMIT)
                )
            )
            return [(q, self._unread(session, q)) for q in rows]

    @staticmethod
    def _unread(session: Session, question: Question) -> int:
        query = (
            select(func.count())
            .select_from(Entry)
            .where(Entry.question_id == question.id, Entry.kind == questions.REPLY)
        )
        if question.resident_seen_at is not None:
            query = query.where(Entry.at > question.resident_seen_at)
        return session.execute(query).scalar_one()

    def _own(self, session: Session, principal: Principal, question_id: str, lock: bool = False) -> Question:
        questions.require_resident(principal)
        question = threads.find(session, question_id, lock=lock)
        if question.asker_id != principal.user_id:
            # Another resident's thread does not exist, as far as this resident can tell.
            raise NotFound(threads.NOT_FOUND)
        return question

    def my_thread(self, principal: Principal, question_id: str) -> ThreadView:
        """The thread as the resident sees it (no internal notes); marks its replies as seen."""
        with self.db.transaction() as session:
            question = self._own(session, principal, question_id)
            question.resident_seen_at = threads.now()
            return ThreadView(question, threads.entries(session, question.id, questions.RESIDENT_VISIBLE))

    def write(self, principal: Principal, question_id: str, body: str) -> ThreadView:
        """The resident adds to their thread; an answered thread goes back to the agents."""
        body = (body or "").strip()
        errors = questions.body_errors(body, what="ditt meddelande")
        if errors:
            raise ValidationFailed(texts.FIX, errors)
        with self.db.transaction() as session:
            question = self._own(session, principal, question_id, lock=True)
            if question.status == questions.CLOSED:
                raise Conflict(texts.QUESTION_CLOSED_ASK_NEW)
            at = threads.now()
            threads.add_entry(session, question, questions.MESSAGE, at, body=body, author_id=principal.user_id)
            if question.status == questions.ANSWERED:
                question.status = questions.WITH_AGENT if question.agent_id else questions.RECEIVED
            question.resident_seen_at = at
            return ThreadView(question, threads.entries(session, question.id, questions.RESIDENT_VISIBLE))

    def add_attachment(self, principal: Principal, question_id: str, filename: str, content: bytes) -> ThreadView:
        with self.db.transaction() as session:
            question = self._own(session, principal, question_id, lock=True)
            threads.attach(session, question, filename, content, principal.user_id, "")
            if question.status == questions.ANSWERED:
                question.status = questions.WITH_AGENT if question.agent_id else questions.RECEIVED
            return ThreadView(question, threads.entries(session, question.id, questions.RESIDENT_VISIBLE))

    def attachment(self, principal: Principal, question_id: str, attachment_id: str) -> Attachment:
        with self.db.read() as session:
            question = self._own(session, principal, question_id)
            return threads.attachment(session, question, attachment_id)


@dataclass(frozen=True)
class CaseMove:
    """One case_status_changed event as contact uses it. `open`, `sent` and `decision_due` are
    applications' own word on what the status means; `open` and `sent` are None in an event written
    before applications said so, and then what contact knew stays."""

    application_id: str
    resident_ids: tuple[str, ...]
    status: str
    at: datetime
    open: bool | None = None
    sent: bool | None = None
    decision_due: datetime | None = None


def record_case_status(session: Session, move: CaseMove) -> None:
    """What contact knows of a resident's cases, from applications' case_status_changed events."""
    for resident_id in set(move.resident_ids):
        row = session.get(ResidentCase, (resident_id, move.application_id))
        if row is None:
            row = ResidentCase(
                resident_id=resident_id,
                application_id=move.application_id,
                status=move.status,
                changed_at=move.at,
                open=False,
                sent=False,
            )
            session.add(row)
        elif _aware(row.changed_at) > move.at:  # events may arrive out of order: the latest move wins
            if move.sent:  # ... but once sent, always sent
                row.sent = True
            continue
        row.status, row.changed_at = move.status, move.at
        if move.open is not None:
            row.open, row.sent = move.open, bool(move.sent) or row.sent
            row.decision_due = move.decision_due


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
