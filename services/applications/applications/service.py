"""Use cases: each is one transaction over the service's database (state change + outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from applications.domain import cases, forms
from applications.store import OUTBOX, Application
from fickan.applications.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.errors import NotFound, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal


class Applications:
    def __init__(self, db: Database, on_events: Callable[[Iterable[str]], None] = lambda ids: None) -> None:
        self.db = db
        self.on_events = on_events  # told the ids of events just committed (to publish at once)

    def create_draft(self, principal: Principal, kind: str) -> Application:
        cases.require_resident(principal)
        form = forms.form_for(kind)
        now = datetime.now(UTC)
        app = Application(
            id=str(uuid.uuid4()),
            kind=form.kind,
            form_version=form.version,
            applicant_id=principal.user_id,
            status=cases.DRAFT,
            answers={},
            version=1,
            created_at=now,
            updated_at=now,
        )
        with self.db.transaction() as session:
            session.add(app)
        return app

    def _owned(self, session, principal: Principal, application_id: str) -> Application:  # type: ignore[no-untyped-def]
        try:
            uuid.UUID(application_id)
        except ValueError:
            raise ValidationFailed("Ogiltigt ansökans-id.", {"application_id": "Ogiltigt id."}) from None
        app = session.get(Application, application_id, with_for_update=True)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        cases.require_owner(principal, app.applicant_id)
        return app

    def save_answers(
        self, principal: Principal, application_id: str, answers: dict[str, str], expected_version: int
    ) -> Application:
        with self.db.transaction() as session:
            app = self._owned(session, principal, application_id)
            if app.status != cases.DRAFT:
                raise cases.Conflict("Ansökan är redan skickad och kan inte ändras.")
            cases.require_version(app.version, expected_version)
            cleaned = forms.clean_answers(forms.form_for(app.kind), answers)
            app.answers = {**app.answers, **cleaned}
            app.version += 1
            app.updated_at = datetime.now(UTC)
        return app

    def submit(self, principal: Principal, application_id: str, expected_version: int) -> Application:
        with self.db.transaction() as session:
            app = self._owned(session, principal, application_id)
            cases.require_version(app.version, expected_version)
            app.status = cases.transition(app.status, cases.SUBMITTED)
            forms.check_complete(forms.form_for(app.kind), app.answers)
            now = datetime.now(UTC)
            app.submitted_at = now
            app.updated_at = now
            app.version += 1
            env = OUTBOX.add(
                session,
                "application_submitted",
                events_pb2.ApplicationSubmitted(
                    application_id=app.id,
                    applicant_id=app.applicant_id,
                    kind=app.kind,
                    period=app.answers.get("period", ""),
                    submitted_at=to_timestamp(now),
                ),
            )
        metrics.BUSINESS.labels("application_submitted").inc()
        self.on_events([env["event_id"]])
        return app

    def get(self, principal: Principal, application_id: str) -> Application:
        with self.db.transaction() as session:
            return self._owned(session, principal, application_id)

    def list_mine(self, principal: Principal) -> list[Application]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(Application)
                .where(Application.applicant_id == principal.user_id)
                .order_by(Application.created_at.desc())
                .limit(100)
            )
            return list(rows)
