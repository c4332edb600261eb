"""The contact-centre agents' use cases: the group's queue, a thread, claim, reply, note, move,
close with a contact reason, and registering a contact that came by telephone, e-mail or a visit.
An agent handles their own group's threads; every read of a resident's thread is in the resident's
access log."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from contact import texts, threads
from contact.domain import questions
from contact.domain.centre import Centre
from contact.domain.routing import BY_AGENT
from contact.service import Contact, ThreadView
from contact.store import OUTBOX, Attachment, Question
from fickan.contact.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.access import record_staff_access
from fickan_common.db import Database
from fickan_common.errors import Conflict, PermissionDenied, ValidationFailed
from fickan_common.texts import Text
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

QUEUE_LIMIT = 200
OTHER_GROUP = texts.OTHER_GROUP
CLOSED_ALREADY = texts.CLOSED_ALREADY


def _invalid(field: str, message: Text) -> ValidationFailed:
    return ValidationFailed(texts.FIX, {field: message})


class Desk:
    def __init__(
        self,
        db: Database,
        centre: Centre,
        contact: Contact,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    ) -> None:
        self.db = db
        self.centre = centre
        self.contact = contact
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit

    # -- reading -----------------------------------------------------------------------------------
    def queue(
        self, principal: Principal, group: str = "", status: str = "", channel: str = "", linked_only: bool = False
    ) -> tuple[str, list[Question]]:
        questions.require_agent(principal)
        group = group or principal.group
        if group not in self.centre.groups:
            raise _invalid("group", "Välj en av svarsgrupperna.")
        if not questions.may_handle(principal, group):
            raise PermissionDenied(OTHER_GROUP)
        if status and status not in questions.STATUSES:
            raise _invalid("status", "Okänd status.")
        if channel and channel not in questions.CHANNELS:
            raise _invalid("channel", "Okänd kanal.")
        query = select(Question).where(Question.group_code == group)
        query = (
            query.where(Question.status == status)
            if status
            else query.where(Question.status.in_(questions.OPEN_STATUSES))
        )
        if channel:
            query = query.where(Question.channel == channel)
        if linked_only:
            query = query.where(Question.application_id != "")
        with self.db.read() as session:
            # Oldest first: the contact that has waited longest is answered first.
            rows = session.scalars(query.order_by(Question.received_at, Question.id).limit(QUEUE_LIMIT))
            return group, list(rows)

    def _handled(self, session: Session, principal: Principal, question_id: str, lock: bool = False) -> Question:
        questions.require_agent(principal)
        question = threads.find(session, question_id, lock=lock)
        if not questions.may_handle(principal, question.group_code):
            raise PermissionDenied(OTHER_GROUP)
        return question

    def _log_read(self, session: Session, principal: Principal, question: Question) -> None:
        if question.asker_id:
            record_staff_access(
                session,
                OUTBOX,
                principal,
                [question.asker_id],
                "read",
                "contact_thread",
                f"Fråga till kontaktcenter: {question.subject}"[:200],
            )

    def _view(self, session: Session, question: Question) -> ThreadView:
        return ThreadView(question, threads.entries(session, question.id))

    def thread(self, principal: Principal, question_id: str) -> ThreadView:
        with self.work() as session:
            question = self._handled(session, principal, question_id)
            self._log_read(session, principal, question)
            view = self._view(session, question)
        return view

    def case_link(self, principal: Principal, question_id: str) -> str:
        """The case a question of the agent's group is linked to ("" when none)."""
        with self.db.read() as session:
            return self._handled(session, principal, question_id).application_id or ""

    # -- changing ----------------------------------------------------------------------------------
    def _change(
        self, principal: Principal, question_id: str, change: Callable[[Session, Question], None]
    ) -> ThreadView:
        """Runs `change` on the locked, open thread in one transaction and publishes its events."""
        with self.work() as session:
            question = self._handled(session, principal, question_id, lock=True)
            if question.status == questions.CLOSED:
                raise Conflict(CLOSED_ALREADY)
            change(session, question)
            self._log_read(session, principal, question)
            session.flush()
            view = self._view(session, question)
        return view

    @staticmethod
    def _take(question: Question, principal: Principal) -> None:
        question.agent_id, question.agent_name = principal.user_id, principal.name

    def claim(self, principal: Principal, question_id: str) -> ThreadView:
        def change(session: Session, question: Question) -> None:
            if question.agent_id == principal.user_id and question.status == questions.WITH_AGENT:
                return  # already hers: a second click changes nothing
            self._take(question, principal)
            if question.status == questions.RECEIVED:
                question.status = questions.WITH_AGENT
            threads.add_entry(
                session,
                question,
                questions.CLAIMED,
                threads.now(),
                author_id=principal.user_id,
                author_name=principal.name,
            )

        return self._change(principal, question_id, change)

    def reply(self, principal: Principal, question_id: str, body: str) -> ThreadView:
        body = (body or "").strip()
        errors = questions.body_errors(body, what=texts.WHAT_REPLY)
        if errors:
            raise ValidationFailed(texts.FIX, errors)

        def change(session: Session, question: Question) -> None:
            self._reply(session, question, principal, body)

        view = self._change(principal, question_id, change)
        metrics.BUSINESS.labels("reply_sent").inc()
        return view

    def _reply(self, session: Session, question: Question, principal: Principal, body: str) -> None:
        at = threads.now()
        entry = threads.add_entry(
            session, question, questions.REPLY, at, body=body, author_id=principal.user_id, author_name=principal.name
        )
        if not question.agent_id:
            self._take(question, principal)
        question.status = questions.ANSWERED
        if question.first_answer_at is None:
            question.first_answer_at = at
        OUTBOX.add(
            session,
            "reply_sent",
            events_pb2.ReplySent(
                question_id=question.id,
                resident_id=question.asker_id or "",
                reply_id=entry.id,
                group=question.group_code,
                sent_at=to_timestamp(at),
            ),
        )

    def note(self, principal: Principal, question_id: str, body: str) -> ThreadView:
        body = (body or "").strip()
        errors = questions.body_errors(body, what=texts.WHAT_NOTE)
        if errors:
            raise ValidationFailed(texts.FIX, errors)

        def change(session: Session, question: Question) -> None:
            threads.add_entry(
                session,
                question,
                questions.NOTE,
                threads.now(),
                body=body,
                author_id=principal.user_id,
                author_name=principal.name,
            )

        return self._change(principal, question_id, change)

    def move(self, principal: Principal, question_id: str, to_group: str, note: str = "") -> ThreadView:
        to_group, note = (to_group or "").strip(), (note or "").strip()
        if to_group not in self.centre.groups:
            raise _invalid("to_group", "Välj en av svarsgrupperna.")
        if len(note) > 1000:
            raise _invalid("note", "Anteckningen får vara högst 1000 tecken.")

        def change(session: Session, question: Question) -> None:
            if question.group_code == to_group:
                raise _invalid("to_group", "Frågan ligger redan i den gruppen.")
            at = threads.now()
            from_group = question.group_code
            question.group_code = to_group
            # The new group takes it from the start of its queue.
            question.agent_id = question.agent_name = ""
            if question.status == questions.WITH_AGENT:
                question.status = questions.RECEIVED
            threads.add_entry(
                session,
                question,
                questions.MOVED,
                at,
                from_group=from_group,
                to_group=to_group,
                body=note,
                reason=BY_AGENT,
                author_id=principal.user_id,
                author_name=principal.name,
            )
            threads.routed_event(session, question, from_group, BY_AGENT, at, agent_id=principal.user_id)

        return self._change(principal, question_id, change)

    def close(self, principal: Principal, question_id: str, reason: str) -> ThreadView:
        reason = (reason or "").strip()
        if reason not in self.centre.reasons:
            raise _invalid("reason", "Välj en kontaktorsak i listan.")

        def change(session: Session, question: Question) -> None:
            self._close(session, question, principal, reason)

        view = self._change(principal, question_id, change)
        metrics.BUSINESS.labels("contact_closed").inc()
        return view

    def _close(self, session: Session, question: Question, principal: Principal, reason: str) -> None:
        at = threads.now()
        unnecessary = self.centre.reasons[reason].unnecessary
        question.status, question.closed_at = questions.CLOSED, at
        question.close_reason, question.unnecessary = reason, unnecessary
        if not question.agent_id:
            self._take(question, principal)
        threads.add_entry(
            session,
            question,
            questions.CLOSING,
            at,
            reason=reason,
            author_id=principal.user_id,
            author_name=principal.name,
        )
        OUTBOX.add(
            session,
            "contact_closed",
            events_pb2.ContactClosed(
                question_id=question.id,
                resident_id=question.asker_id or "",
                group=question.group_code,
                channel=question.channel,
                reason=reason,
                unnecessary=unnecessary,
                closed_at=to_timestamp(at),
            ),
        )

    def add_attachment(self, principal: Principal, question_id: str, filename: str, content: bytes) -> ThreadView:
        def change(session: Session, question: Question) -> None:
            threads.attach(session, question, filename, content, principal.user_id, principal.name)

        return self._change(principal, question_id, change)

    def attachment(self, principal: Principal, question_id: str, attachment_id: str) -> Attachment:
        with self.work() as session:
            question = self._handled(session, principal, question_id)
            stored = threads.attachment(session, question, attachment_id)
            if question.asker_id:
                record_staff_access(
                    session,
                    OUTBOX,
                    principal,
                    [question.asker_id],
                    "read",
                    "contact_thread",
                    f"Fil i en fråga till kontaktcenter: {stored.filename}"[:200],
                )
        return stored

    def register(
        self,
        principal: Principal,
        channel: str,
        topic: str,
        subject: str,
        body: str,
        name: str = "",
        email: str = "",
        phone: str = "",
        answer: str = "",
        close_reason: str = "",
    ) -> ThreadView:
        """A contact that came by telephone, e-mail or a visit enters the same queue; most calls are
        answered at once, so an answer and a reason close it in the same step."""
        questions.require_agent(principal)
        new = questions.clean_registered_contact(channel, subject, body, topic, name, email, phone, self.centre.topics)
        answer, close_reason = (answer or "").strip(), (close_reason or "").strip()
        errors = questions.body_errors(answer, "answer") if answer else {}
        if close_reason and close_reason not in self.centre.reasons:
            errors["close_reason"] = texts.CLOSE_REASON
        if errors:
            raise ValidationFailed(texts.FIX, errors)
        with self.work() as session:
            question = self.contact.open_thread(session, new, None)
            self._take(question, principal)
            question.status = questions.WITH_AGENT
            if answer:
                self._reply(session, question, principal, answer)
            if close_reason:
                self._close(session, question, principal, close_reason)
            session.flush()
            view = self._view(session, question)
        metrics.BUSINESS.labels("question_received").inc()
        return view
