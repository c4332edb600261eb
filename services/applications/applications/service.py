"""Use cases: each is one transaction over the service's database (state change + outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as DbSession

from applications.domain import cases, forms
from applications.store import OUTBOX, Application
from fickan.applications.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.access import record_staff_access
from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal


class Applications:
    def __init__(
        self,
        db: Database,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        unit: str = "ekonomiskt-bistand",
    ) -> None:
        self.db = db
        self.on_events = on_events  # told the ids of events just committed (to publish at once)
        self.unit = unit  # the unit that handles submitted cases

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

    @staticmethod
    def _find(session: DbSession, application_id: str, lock: bool = False) -> Application:
        try:
            uuid.UUID(application_id)
        except ValueError:
            raise ValidationFailed("Ogiltigt ansökans-id.", {"application_id": "Ogiltigt id."}) from None
        app = session.get(Application, application_id, with_for_update=lock)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        return app

    def _owned(self, session: DbSession, principal: Principal, application_id: str) -> Application:
        app = self._find(session, application_id, lock=True)
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
            app.unit = self.unit
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

    def get(self, principal: Principal, application_id: str) -> tuple[Application, str]:
        """A resident's own case (as applicant or co-applicant) and their part in it."""
        with self.db.transaction() as session:
            app = self._find(session, application_id)
            return app, cases.resident_role(principal, app.applicant_id, app.co_applicant_id)

    def list_mine(self, principal: Principal) -> list[Application]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(Application)
                .where(
                    or_(Application.applicant_id == principal.user_id, Application.co_applicant_id == principal.user_id)
                )
                .order_by(Application.created_at.desc())
                .limit(100)
            )
            return list(rows)

    # -- staff ------------------------------------------------------------------------------------
    def list_unit_cases(self, principal: Principal, limit: int = 100) -> list[Application]:
        """The submitted cases of the case worker's unit, oldest first. The list carries no answers,
        so it is not an access to any one resident's data; opening a case is (get_case)."""
        if not principal.has_role("case_worker") or not principal.unit:
            raise PermissionDenied("Det här får bara handläggare göra.")
        limit = min(max(limit or 100, 1), 500)
        with self.db.transaction() as session:
            rows = session.scalars(
                select(Application)
                .where(Application.unit == principal.unit, Application.status != cases.DRAFT)
                .order_by(Application.submitted_at)
                .limit(limit)
            )
            return list(rows)

    def get_case(self, principal: Principal, application_id: str, reason: str = "") -> Application:
        """A case worker opens a case of their unit; the read is logged for the resident(s)."""
        with self.db.transaction() as session:
            app = self._find(session, application_id)
            cases.require_case_worker_of(principal, app.unit, app.status)
            env = record_staff_access(
                session,
                OUTBOX,
                principal,
                [app.applicant_id, app.co_applicant_id or ""],
                "read",
                f"application:{app.id}",
                forms.form_for(app.kind).title,
                reason,
            )
        self.on_events([env["event_id"]])
        return app
