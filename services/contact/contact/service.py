"""Use cases: each is one transaction over the service's database (state change + outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from contact.domain import questions
from contact.store import OUTBOX, Question
from fickan.contact.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal

LIST_LIMIT = 100


class Contact:
    def __init__(self, db: Database, on_events: Callable[[Iterable[str]], None] = lambda ids: None) -> None:
        self.db = db
        self.on_events = on_events  # told the ids of events just committed (to publish at once)

    def ask(self, principal: Principal, subject: str, body: str, channel: str) -> Question:
        questions.require_resident(principal)
        new = questions.clean_question(subject, body, channel)
        now = datetime.now(UTC)
        question = Question(
            id=str(uuid.uuid4()),
            asker_id=principal.user_id,
            subject=new.subject,
            body=new.body,
            channel=new.channel,
            status=questions.RECEIVED,
            received_at=now,
        )
        with self.db.transaction() as session:
            session.add(question)
            # The event carries no question text: least data on the wire.
            env = OUTBOX.add(
                session,
                "question_received",
                events_pb2.QuestionReceived(
                    question_id=question.id,
                    asker_id=question.asker_id,
                    channel=question.channel,
                    received_at=to_timestamp(now),
                ),
            )
        metrics.BUSINESS.labels("question_received").inc()
        self.on_events([env["event_id"]])
        return question

    def list_mine(self, principal: Principal) -> list[Question]:
        with self.db.read() as session:
            rows = session.scalars(
                select(Question)
                .where(Question.asker_id == principal.user_id)
                .order_by(Question.received_at.desc(), Question.id)
                .limit(LIST_LIMIT)
            )
            return list(rows)
