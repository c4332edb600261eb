"""Feedback: after a contact is closed, a booking is held or an e-service is sent, the resident may
rate it 1-5 with a comment, once per thing, and change it for a day. Staff read the comments
without the resident's identity; each rating is a feedback_given event (no text, no resident)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contact import texts
from contact.domain import bookings as booking_rules
from contact.domain import questions
from contact.store import OUTBOX, Booking, FeedbackRow, Question, ResidentCase, Slot
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2
from fickan_common import limits, metrics
from fickan_common.db import Database
from fickan_common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

KINDS = ("contact", "booking", "e_service")
EDITABLE = timedelta(days=1)
COMMENT_MAX = 1000
E_SERVICE_GROUP = "e-tjänst"
LIST_DEFAULT, LIST_MAX = 50, 200
FIX = texts.FIX
NOT_FOUND = texts.NOTHING_TO_RATE


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# 1–5, declared once in the contract (the interceptor refuses the rest before this runs).
RATING = limits.of(contact_pb2.GiveFeedbackRequest, "rating")


def clean(kind: str, rating: int, comment: str) -> tuple[str, int, str]:
    errors: dict[str, str] = {}
    kind, comment = (kind or "").strip(), (comment or "").strip()
    if kind not in KINDS:
        errors["kind"] = texts.FEEDBACK_KIND
    if not (RATING.min or 1) <= rating <= (RATING.max or 5):
        errors["rating"] = RATING.hint_text("rating") or texts.FIX
    if len(comment) > COMMENT_MAX:
        errors["comment"] = texts.COMMENT_AT_MOST.format(max=COMMENT_MAX)
    if errors:
        raise ValidationFailed(FIX, errors)
    return kind, rating, comment


class Feedbacks:
    def __init__(self, db: Database, on_events: Callable[[Iterable[str]], None] = lambda ids: None) -> None:
        self.db = db
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit

    def _subject_group(self, session: Session, principal: Principal, kind: str, subject_id: str) -> str:
        """The group the thing belongs to, when it is the resident's and may be rated now."""
        try:
            uuid.UUID(subject_id or "")
        except ValueError:
            raise NotFound(NOT_FOUND) from None
        if kind == "contact":
            q = session.get(Question, subject_id)
            if q is None or q.asker_id != principal.user_id:
                raise NotFound(NOT_FOUND)
            if q.status != questions.CLOSED:
                raise Conflict(texts.RATE_WHEN_CLOSED)
            return q.group_code
        if kind == "booking":
            b = session.get(Booking, subject_id)
            if b is None or b.resident_id != principal.user_id:
                raise NotFound(NOT_FOUND)
            slot = session.get(Slot, b.slot_id)
            if b.status != booking_rules.BOOKED or slot is None or _aware(slot.starts_at) > datetime.now(UTC):
                raise Conflict(texts.RATE_WHEN_HELD)
            return slot.group_code
        case = session.get(ResidentCase, (principal.user_id, subject_id))
        if case is None:
            raise NotFound(NOT_FOUND)
        if not case.sent:
            raise Conflict(texts.RATE_WHEN_SENT)
        return E_SERVICE_GROUP

    def give(self, principal: Principal, kind: str, subject_id: str, rating: int, comment: str) -> FeedbackRow:
        questions.require_resident(principal)
        kind, rating, comment = clean(kind, rating, comment)
        at = datetime.now(UTC)
        try:
            with self.work() as session:
                group = self._subject_group(session, principal, kind, subject_id)
                row = session.scalars(
                    select(FeedbackRow)
                    .where(
                        FeedbackRow.resident_id == principal.user_id,
                        FeedbackRow.subject_kind == kind,
                        FeedbackRow.subject_id == subject_id,
                    )
                    .with_for_update()
                ).first()
                if row is None:
                    row = FeedbackRow(
                        id=str(uuid.uuid4()),
                        resident_id=principal.user_id,
                        subject_kind=kind,
                        subject_id=subject_id,
                        group_code=group,
                        rating=rating,
                        comment=comment,
                        given_at=at,
                        changed_at=at,
                    )
                    session.add(row)
                else:
                    if _aware(row.given_at) + EDITABLE < at:
                        raise Conflict(texts.FEEDBACK_DAY)
                    row.rating, row.comment, row.changed_at = rating, comment, at
                session.flush()
                OUTBOX.add(
                    session,
                    "feedback_given",
                    events_pb2.FeedbackGiven(
                        feedback_id=row.id, kind=kind, rating=rating, group=group, at=to_timestamp(at)
                    ),
                )
        except IntegrityError:  # the same resident's first rating twice at once: the other one won
            raise Conflict(texts.FEEDBACK_JUST_SAVED) from None
        metrics.BUSINESS.labels("feedback_given").inc()
        return row

    def mine(self, principal: Principal, kind: str, subject_id: str) -> FeedbackRow | None:
        questions.require_resident(principal)
        with self.db.read() as session:
            return session.scalars(
                select(FeedbackRow).where(
                    FeedbackRow.resident_id == principal.user_id,
                    FeedbackRow.subject_kind == kind,
                    FeedbackRow.subject_id == subject_id,
                )
            ).first()

    def list(self, principal: Principal, group: str, limit: int) -> list[FeedbackRow]:
        questions.require_agent(principal)
        group = (group or "").strip()
        if not principal.has_role("admin"):
            if group and group != principal.group:
                raise PermissionDenied(texts.OWN_GROUP_FEEDBACK)
            group = principal.group
        query = select(FeedbackRow)
        if group:
            query = query.where(FeedbackRow.group_code == group)
        limit = min(limit or LIST_DEFAULT, LIST_MAX)
        with self.db.read() as session:
            return list(session.scalars(query.order_by(FeedbackRow.changed_at.desc()).limit(limit)))
