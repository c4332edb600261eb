"""Retention (data minimisation): drafts nobody saved for a while are deleted after the resident
was told, and closed or withdrawn cases are thinned after the municipality's retention time. Every
removal is written to the retention log (what, which case, when, under which rule).

The worker runs `sweep()` on a timer. Each step takes at most `batch` cases per run and handles
each in its own short transaction, re-reading it under a row lock, so a run can stop anywhere and
the next one goes on; a case already warned, deleted or thinned is never handled twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from applications import steps, texts
from applications.domain import cases
from applications.domain.cases import Text
from applications.settings import RetentionSettings
from applications.store import OUTBOX, Application, Attachment, CaseEvent, CompletionRequest, RetentionLog, SigningOrder
from fickan.applications.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.errors import PermissionDenied
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# What thinning removes and what it keeps (the privacy page and the README say the same).
REMOVED = Text(
    "Innehållet i bifogade filer (kvitton, kontoutdrag), dina svar i ansökan och dina fritextsvar på kompletteringar.",
    "The contents of attached files (receipts, statements), your answers in the application and your "
    "free-text answers to completion requests.",
)
KEPT = Text(
    "Beslutet med skäl, beräkningen och beloppen, utbetalningarna och ärendets händelser (vem som gjorde vad "
    "och när), eftersom kommunen måste kunna visa hur ärendet avgjordes. Filernas namn finns kvar, inte deras "
    "innehåll.",
    "The decision and its reasons, the calculation and amounts, the payments and the case's timeline (who did "
    "what and when), because the municipality must be able to show how the case was decided. File names "
    "remain, not their contents.",
)
THINNED_NOTE = Text(
    "Uppgifter i ärendet gallrades enligt kommunens regler: filernas innehåll och svaren togs bort. "
    "Beslutet och beloppen finns kvar.",
    "Data in the case was removed by the municipality's retention rules: file contents and answers. "
    "The decision and amounts remain.",
)
ADMINS_ONLY = texts.ADMINS_ONLY
ENDED = (cases.CLOSED, cases.WITHDRAWN)
# Never sent: a draft, or one still waiting for the co-applicant's signature (never seen by staff).
UNSENT = (cases.DRAFT, cases.SIGNATURE_PENDING)


@dataclass(frozen=True)
class Swept:
    warned: int = 0
    deleted: int = 0
    thinned: int = 0


def months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` earlier (the month's last day when that day does not exist)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=moment.tzinfo) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


class Retention:
    def __init__(
        self,
        db: Database,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        settings: RetentionSettings | None = None,
        clock: Callable[[], datetime] = steps.now,
    ) -> None:
        self.db = db
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit
        self.settings = settings or RetentionSettings()
        self.clock = clock

    def sweep(self) -> Swept:
        now = self.clock()
        return Swept(self.warn_drafts(now), self.delete_drafts(now), self.thin_cases(now))

    # -- drafts -----------------------------------------------------------------------------------
    def _warn_due(self, now: datetime):
        s = self.settings
        return and_(
            Application.status.in_(UNSENT),
            Application.updated_at <= now - timedelta(days=s.draft_days - s.warning_days),
            # Not yet warned since the last save (a save after a warning starts the clock again).
            or_(Application.deletion_warned_at.is_(None), Application.deletion_warned_at < Application.updated_at),
        )

    def _delete_due(self, now: datetime):
        s = self.settings
        return and_(
            Application.status.in_(UNSENT),
            Application.updated_at <= now - timedelta(days=s.draft_days),
            # Warned after the last save, and the warning has had its full time.
            Application.deletion_warned_at.is_not(None),
            Application.deletion_warned_at >= Application.updated_at,
            Application.deletion_warned_at <= now - timedelta(days=s.warning_days),
        )

    def _ids(self, condition) -> list[str]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(Application.id).where(condition).order_by(Application.updated_at).limit(self.settings.batch)
                )
            )

    def _locked(self, session: Session, application_id: str, condition) -> Application | None:
        """The case, locked, if it still meets the condition (a save may have come in between)."""
        return session.scalars(
            select(Application).where(Application.id == application_id, condition).with_for_update()
        ).first()

    def warn_drafts(self, now: datetime) -> int:
        warned = 0
        for application_id in self._ids(self._warn_due(now)):
            with self.work() as session:
                app = self._locked(session, application_id, self._warn_due(now))
                if app is None:
                    continue
                deletes = max(
                    steps.aware(app.updated_at) + timedelta(days=self.settings.draft_days),
                    now + timedelta(days=self.settings.warning_days),
                )
                app.deletion_warned_at = now
                OUTBOX.add(
                    session,
                    "draft_deletion_warning",
                    events_pb2.DraftDeletionWarning(
                        application_id=app.id,
                        resident_id=app.applicant_id,
                        deletes_on=deletes.astimezone(UTC).date().isoformat(),
                        kind=app.kind,
                    ),
                )
            warned += 1
        return warned

    def delete_drafts(self, now: datetime) -> int:
        deleted = 0
        rule = f"FICKAN_DRAFT_RETENTION_DAYS={self.settings.draft_days}"
        for application_id in self._ids(self._delete_due(now)):
            with self.work() as session:
                app = self._locked(session, application_id, self._delete_due(now))
                if app is None:
                    continue
                files = session.scalar(
                    select(func.count()).select_from(Attachment).where(Attachment.application_id == app.id)
                )
                resident, kind = app.applicant_id, app.kind
                for table in (Attachment, CompletionRequest, CaseEvent, SigningOrder):
                    session.execute(delete(table).where(table.application_id == app.id))
                session.delete(app)
                session.add(
                    RetentionLog(
                        id=str(uuid.uuid4()),
                        at=now,
                        subject="draft",
                        application_id=application_id,
                        removed=f"the draft, its answers and {files} attachment(s)",
                        rule=rule,
                    )
                )
                OUTBOX.add(
                    session,
                    "draft_deleted",
                    events_pb2.DraftDeleted(application_id=application_id, resident_id=resident, kind=kind),
                )
            deleted += 1
        return deleted

    # -- closed cases -----------------------------------------------------------------------------
    def _thin_due(self, now: datetime):
        cutoff = months_before(now, self.settings.case_months)
        return and_(
            Application.thinned_at.is_(None),
            or_(
                and_(
                    Application.status == cases.CLOSED,
                    func.coalesce(Application.closed_at, Application.updated_at) <= cutoff,
                ),
                # Nothing moves a withdrawn case, so its last change is when it was withdrawn.
                and_(Application.status == cases.WITHDRAWN, Application.updated_at <= cutoff),
            ),
        )

    def thin_cases(self, now: datetime) -> int:
        thinned = 0
        rule = f"FICKAN_CASE_RETENTION_MONTHS={self.settings.case_months}"
        for application_id in self._ids(self._thin_due(now)):
            with self.db.transaction() as session:
                app = self._locked(session, application_id, self._thin_due(now))
                if app is None:
                    continue
                removed = self._thin(session, app, now)
                session.add(
                    RetentionLog(
                        id=str(uuid.uuid4()),
                        at=now,
                        subject="case",
                        application_id=app.id,
                        removed=removed[:500],
                        rule=rule,
                    )
                )
            thinned += 1
        return thinned

    def _thin(self, session: Session, app: Application, now: datetime) -> str:
        files = list(session.scalars(select(Attachment).where(Attachment.application_id == app.id)))
        for stored in files:
            # The name, size and checksum stay: the timeline and the copy still say what was sent.
            stored.content = b""
        answered = list(
            session.scalars(
                select(CompletionRequest).where(
                    CompletionRequest.application_id == app.id, CompletionRequest.answer_text != ""
                )
            )
        )
        for request in answered:
            request.answer_text = ""
        app.answers = {}
        app.changes = []
        if app.submitted:
            app.submitted = {**app.submitted, "answers": {}}
        app.thinned_at = now
        app.version += 1
        steps.note(session, app, THINNED_NOTE, "system", at=now)
        return (
            f"contents of {len(files)} attachment(s), the answers, "
            f"{len(answered)} completion answer(s), the changes since the previous case"
        )

    # -- reading ----------------------------------------------------------------------------------
    def entries(self, principal: Principal, limit: int = 100) -> list[RetentionLog]:
        if not principal.has_role("admin"):
            raise PermissionDenied(ADMINS_ONLY)
        limit = min(max(limit or 100, 1), 500)
        with self.db.read() as session:
            return list(session.scalars(select(RetentionLog).order_by(RetentionLog.at.desc()).limit(limit)))
