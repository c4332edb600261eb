"""The office's wall screen: what the contact centre looks like right now, for every group and
without anyone's identity — the latest feedback, open contacts per group and the oldest one's age,
today's share of unnecessary contacts against last month's, and the open fault reports."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select

from contact import texts
from contact.demand import LOCAL
from contact.domain import questions
from contact.domain.centre import Centre
from contact.store import FaultReport, FeedbackRow, Question, ResidentCase, WallScreenRow
from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal

SCREEN_REFUSED = texts.SCREEN_REFUSED


def token_hash(token: str) -> str:
    return hashlib.sha256(("fickan-wall-screen:" + token).encode()).hexdigest()


FEEDBACK_SHOWN = 6
FAULTS_SHOWN = 5
CASES_SHOWN = 5


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def per_mille(part: int, whole: int) -> int:
    return round(1000 * part / whole) if whole else 0


@dataclass(frozen=True)
class Board:
    feedback: list[FeedbackRow]
    groups: list[tuple[str, int, int]]  # code, open, oldest age in seconds
    closed_today: tuple[int, int]  # closed, unnecessary
    closed_last_month: tuple[int, int]
    open_faults: int
    latest_faults: list[tuple[FaultReport, Question]]
    at: datetime
    closest_cases: list[tuple[str, int]]  # application id, seconds left


class WallBoard:
    def __init__(self, db: Database, centre: Centre) -> None:
        self.db = db
        self.centre = centre

    def _closed(self, session, start: datetime, end: datetime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        row = session.execute(
            select(func.count(), func.count().filter(Question.unnecessary.is_(True))).where(
                Question.status == questions.CLOSED, Question.closed_at >= start, Question.closed_at < end
            )
        ).one()
        return int(row[0]), int(row[1])

    # -- screens: a revocable token instead of a login -------------------------------------------
    def create_screen(self, principal: Principal, name: str) -> tuple[WallScreenRow, str]:
        questions.require_agent(principal)
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise ValidationFailed(texts.SCREEN_NAME, {"name": texts.SCREEN_WHERE})
        token = secrets.token_urlsafe(32)
        row = WallScreenRow(
            id=str(uuid.uuid4()),
            name=name,
            token_hash=token_hash(token),
            created_by=principal.name or principal.user_id,
            created_at=datetime.now(UTC),
        )
        with self.db.transaction() as session:
            session.add(row)
        return row, token

    def screens(self, principal: Principal) -> list[WallScreenRow]:
        questions.require_agent(principal)
        with self.db.read() as session:
            return list(session.scalars(select(WallScreenRow).order_by(WallScreenRow.created_at.desc())))

    def revoke_screen(self, principal: Principal, screen_id: str) -> WallScreenRow:
        questions.require_agent(principal)
        with self.db.transaction() as session:
            row = session.get(WallScreenRow, screen_id) if len(screen_id or "") <= 36 else None
            if row is None:
                raise NotFound(texts.SCREEN_NOT_FOUND)
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
        return row

    def board_for_screen(self, token: str) -> Board:
        with self.db.read() as session:
            row = session.scalars(
                select(WallScreenRow).where(WallScreenRow.token_hash == token_hash(token or ""))
            ).first()
        if row is None or row.revoked_at is not None:
            raise PermissionDenied(SCREEN_REFUSED)
        return self._board()

    def board(self, principal: Principal) -> Board:
        questions.require_agent(principal)
        return self._board()

    def _board(self) -> Board:
        now = datetime.now(UTC)
        local_today = now.astimezone(LOCAL).date()
        today = datetime.combine(local_today, time.min, LOCAL).astimezone(UTC)
        first = local_today.replace(day=1)
        previous = (
            first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)
        )
        month_start = datetime.combine(first, time.min, LOCAL).astimezone(UTC)
        last_month_start = datetime.combine(previous, time.min, LOCAL).astimezone(UTC)
        with self.db.read() as session:
            feedback = list(
                session.scalars(select(FeedbackRow).order_by(FeedbackRow.changed_at.desc()).limit(FEEDBACK_SHOWN))
            )
            open_rows = session.execute(
                select(Question.group_code, func.count(), func.min(Question.received_at))
                .where(Question.status != questions.CLOSED)
                .group_by(Question.group_code)
            ).all()
            closed_today = self._closed(session, today, now)
            closed_last_month = self._closed(session, last_month_start, month_start)
            open_faults = session.scalar(
                select(func.count())
                .select_from(FaultReport)
                .join(Question, Question.id == FaultReport.question_id)
                .where(Question.status != questions.CLOSED)
            )
            latest = session.execute(
                select(FaultReport, Question)
                .join(Question, Question.id == FaultReport.question_id)
                .where(Question.status != questions.CLOSED)
                .order_by(FaultReport.requested_at.desc())
                .limit(FAULTS_SHOWN)
            ).all()
            cases = session.execute(
                # One row a resident: a case with a co-applicant is counted once.
                select(ResidentCase.application_id, func.min(ResidentCase.decision_due))
                .where(ResidentCase.decision_due.is_not(None))
                .group_by(ResidentCase.application_id)
                .order_by(func.min(ResidentCase.decision_due))
                .limit(CASES_SHOWN)
            ).all()
        counted = {code: (n, int((now - _aware(oldest)).total_seconds())) for code, n, oldest in open_rows}
        groups = [(code, *counted.get(code, (0, 0))) for code in self.centre.groups]
        return Board(
            feedback,
            groups,
            closed_today,
            closed_last_month,
            int(open_faults or 0),
            [(f, q) for f, q in latest],
            now,
            [(app_id, int((_aware(due) - now).total_seconds())) for app_id, due in cases],
        )
