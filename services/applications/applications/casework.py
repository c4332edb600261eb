"""The case workers' use cases (within their own unit; every read and change of a case is recorded
for the access log) and the service's own steps: receiving a sent case (calculation, random check,
decision proposal, and the automatic decision where the municipality allows it), paying on the
payment day, and opening the monthly application period."""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from applications import steps, texts
from applications.domain import calculation as calc
from applications.domain import cases, forms, periods, proposals
from applications.domain.cases import Text
from applications.settings import CaseworkSettings
from applications.store import INBOX, OUTBOX, Application, CompletionRequest, Payment
from fickan.applications.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.access import record_staff_access
from fickan_common.db import Database
from fickan_common.errors import Conflict, ValidationFailed
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

APPROVED = ("approved", "partly_approved")
PAID_ALREADY = texts.PAID_ALREADY
RANDOM_CHECK_ITEMS = [
    "Kontoutdrag för de två senaste månaderna",
    "Underlag för alla inkomster du har angett",
    "Kvitton för alla utgifter du har angett",
]


class Casework:
    def __init__(
        self,
        db: Database,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        settings: CaseworkSettings | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        chance: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit
        self.settings = settings or CaseworkSettings()
        self.today = today
        self.chance = chance

    # -- reading ----------------------------------------------------------------------------------
    def queue(self, principal: Principal, limit: int = 100) -> list[Application]:
        """The unit's open cases, the nearest to the decision target first, with whom each is about
        (names, masked personnummer, the household): that is a read of each resident's data, so
        one access-log record names every resident listed, in the same transaction."""
        cases.require_case_worker(principal)
        limit = min(max(limit or 100, 1), 500)
        with self.work() as session:
            rows = list(
                session.scalars(
                    select(Application)
                    .where(
                        Application.unit == principal.unit,
                        Application.status.in_(cases.OPEN_FOR_STAFF | {cases.SUBMITTED}),
                    )
                    .order_by(Application.due_at, Application.submitted_at)
                    .limit(limit)
                )
            )
            listed = [resident for app in rows for resident in steps.residents(app)]
            if listed:
                record_staff_access(
                    session,
                    OUTBOX,
                    principal,
                    listed,
                    "read",
                    f"queue:{principal.unit}"[:100],
                    "Namn och personnummer i enhetens ärendelista",
                )
        return rows

    def open_case(self, principal: Principal, application_id: str, reason: str = "") -> Application:
        """A case worker opens a case of their unit; the read is logged for the resident(s)."""
        with self.work() as session:
            app = steps.find(session, application_id)
            cases.require_case_worker_of(principal, app.unit, app.status)
            what = f"{steps.title(app)}: namn, personnummer och svar"
            steps.record_staff_read(session, principal, app, "read", what, reason)
        return app

    # -- acting on a case -------------------------------------------------------------------------
    def _staff_case(
        self, session: Session, principal: Principal, application_id: str, expected_version: int
    ) -> Application:
        app = steps.find(session, application_id, lock=True)
        cases.require_case_worker_of(principal, app.unit, app.status)
        cases.require_version(app.version, expected_version)
        if not app.assigned_to:
            # The first case worker who acts on the case is the one the resident is told of.
            app.assigned_to, app.assigned_name = principal.user_id, principal.name[:200]
        return app

    def start_work(self, principal: Principal, application_id: str, expected_version: int = 0) -> Application:
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            app.assigned_to, app.assigned_name = principal.user_id, principal.name[:200]
            steps.move(session, app, cases.IN_PROGRESS, "staff")
            steps.record_staff_read(session, principal, app, "change", "Handläggning påbörjad")
        return app

    def request_completion(
        self,
        principal: Principal,
        application_id: str,
        items: list[str],
        message: str,
        due_date: str,
        random_check: bool = False,
        expected_version: int = 0,
    ) -> Application:
        items = [i.strip()[:300] for i in items if i and i.strip()]
        errors: dict[str, texts.Text] = {}
        if not items:
            errors["items"] = texts.WRITE_MISSING
        try:
            due = date.fromisoformat(due_date)
            if not self.today() <= due <= self.today() + timedelta(days=60):
                errors["due_date"] = texts.DUE_DATE_RANGE
        except ValueError:
            errors["due_date"] = texts.DATE_FORM
        if errors:
            raise ValidationFailed(texts.COMPLETION_NOT_SENT, errors)
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            self._ask(session, app, items, message.strip(), due, random_check, principal.user_id)
            steps.record_staff_read(session, principal, app, "change", "Komplettering begärd")
        return app

    def _ask(
        self,
        session: Session,
        app: Application,
        items: list[str],
        message: str,
        due: date,
        random_check: bool,
        by: str,
    ) -> None:
        session.add(
            CompletionRequest(
                id=str(uuid.uuid4()),
                application_id=app.id,
                random_check=random_check,
                items=items,
                message=message,
                due_date=due,
                requested_by=by,
                requested_at=steps.now(),
            )
        )
        target = cases.RANDOM_CHECK if random_check else cases.COMPLETION_REQUESTED
        steps.move(session, app, target, "staff" if by != "system" else "system")
        OUTBOX.add(
            session,
            "completion_requested",
            events_pb2.CompletionRequested(
                application_id=app.id,
                resident_ids=steps.residents(app),
                due_date=due.isoformat(),
                random_check=random_check,
            ),
        )

    def adjust(
        self, principal: Principal, application_id: str, adjustments: list[calc.Adjustment], expected_version: int = 0
    ) -> Application:
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            if app.status not in cases.OPEN_FOR_STAFF:
                raise Conflict(texts.ONLY_BEFORE_DECISION)
            merged = {a["code"]: a for a in app.adjustments}
            merged.update({a.code: {"code": a.code, "amount": a.amount, "reason": a.reason} for a in adjustments})
            result = calc.calculate(self._input(app), [calc.Adjustment(**a) for a in merged.values()])
            app.adjustments, app.calculation = list(merged.values()), result.as_dict()
            app.version += 1
            app.updated_at = steps.now()
            steps.note(
                session,
                app,
                Text("Handläggaren har ändrat beräkningen.", "The case worker changed the calculation."),
                "staff",
            )
            steps.record_staff_read(session, principal, app, "change", "Beräkningen ändrad")
        return app

    def decide(
        self,
        principal: Principal,
        application_id: str,
        outcome: str,
        amount: int,
        reasons: str,
        expected_version: int = 0,
    ) -> Application:
        reasons = reasons.strip()
        errors: dict[str, texts.Text] = {}
        if outcome not in cases.OUTCOMES:
            errors["outcome"] = texts.OUTCOME
        if outcome in ("partly_approved", "rejected") and not reasons:
            errors["reasons"] = texts.REASONS
        if errors:
            raise ValidationFailed(texts.DECISION_NOT_SAVED, errors)
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            if app.status in cases.WAITING_FOR_RESIDENT:
                self._require_overdue(session, app)
            granted = self._granted(app, outcome, amount)
            self._decide(session, app, outcome, granted, reasons, principal.user_id, False)
            steps.record_staff_read(session, principal, app, "change", "Beslut fattat")
        return app

    def _require_overdue(self, session: Session, app: Application) -> None:
        """A case waiting for the resident is decided only once the completion's due date has passed
        without an answer: until then the resident has the time they were given."""
        request = session.scalars(
            select(CompletionRequest)
            .where(CompletionRequest.application_id == app.id)
            .order_by(CompletionRequest.requested_at.desc())
        ).first()
        if request is not None and request.due_date >= self.today():
            raise Conflict(texts.COMPLETION_TIME_LEFT.format(day=texts.day(request.due_date)))

    @staticmethod
    def _granted(app: Application, outcome: str, amount: int) -> int:
        if outcome == "rejected":
            return 0
        result = int(app.calculation.get("result", 0)) if app.calculation else 0
        granted = amount or result
        if granted <= 0:
            raise ValidationFailed(texts.GRANTED_AMOUNT, {"amount": texts.GRANTED_AMOUNT})
        return granted

    def _decide(
        self,
        session: Session,
        app: Application,
        outcome: str,
        amount: int,
        reasons: str,
        by: str,
        automatic: bool,
    ) -> None:
        at = steps.now()
        app.decision = {
            "outcome": outcome,
            "amount": amount,
            "reasons": reasons,
            "by": by,
            "at": at.isoformat(),
            "automatic": automatic,
        }
        app.decided_at = at
        text = cases.OUTCOME_TEXT[outcome]
        steps.move(
            session,
            app,
            cases.DECIDED,
            "system" if automatic else "staff",
            text=Text(f"Beslut: {text.sv}.", f"Decision: {text.en}."),
            at=at,
        )
        OUTBOX.add(
            session,
            "decision_made",
            events_pb2.DecisionMade(
                application_id=app.id,
                resident_ids=steps.residents(app),
                outcome=outcome,
                amount=amount,
                automatic=automatic,
                period=app.period,
            ),
        )
        submitted = steps.aware(app.submitted_at)
        if submitted and (at - submitted) <= timedelta(hours=24):
            metrics.BUSINESS.labels("decided_within_24h").inc()
        metrics.BUSINESS.labels(f"decision_{outcome}").inc()

    def schedule_payment(
        self, principal: Principal, application_id: str, payment_date: str = "", expected_version: int = 0
    ) -> Application:
        try:
            when = date.fromisoformat(payment_date) if payment_date else periods.next_payment_day(self.today())
        except ValueError:
            raise ValidationFailed(texts.DATE_FORM, {"payment_date": texts.DATE_FORM}) from None
        if not self.today() <= when <= self.today() + timedelta(days=60):
            message = texts.PAYMENT_DAY_RANGE
            raise ValidationFailed(message, {"payment_date": message})
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            self._schedule(session, app, when)
            steps.record_staff_read(session, principal, app, "change", "Utbetalning planerad")
        return app

    def _schedule(self, session: Session, app: Application, when: date) -> None:
        if app.status != cases.DECIDED or app.decision.get("outcome") == "rejected":
            raise Conflict(texts.ONLY_APPROVED_PAID)
        app.payment_amount, app.payment_date = int(app.decision.get("amount", 0)), when
        session.add(
            Payment(
                id=str(uuid.uuid4()),
                application_id=app.id,
                applicant_id=app.applicant_id,
                e_service=forms.e_service_of(app.kind),
                period=steps.period_of(app) or None,
                amount=app.payment_amount,
                payment_date=when,
                status="scheduled",
                scheduled_at=steps.now(),
            )
        )
        try:
            session.flush()
        except IntegrityError:
            # The database's own rule: one payment per case, and per resident and month.
            raise Conflict(PAID_ALREADY) from None
        steps.move(
            session,
            app,
            cases.PAYMENT_SCHEDULED,
            "staff",
            text=Text(
                f"{app.payment_amount} kr betalas ut {steps.swedish_date(when)}.",
                f"{app.payment_amount} kr is paid on {when.isoformat()}.",
            ),
        )
        OUTBOX.add(
            session,
            "payment_scheduled",
            events_pb2.PaymentScheduled(
                application_id=app.id,
                resident_ids=steps.residents(app),
                amount=app.payment_amount,
                payment_date=when.isoformat(),
            ),
        )

    def close(self, principal: Principal, application_id: str, expected_version: int = 0) -> Application:
        with self.work() as session:
            app = self._staff_case(session, principal, application_id, expected_version)
            self._close(session, app, "staff")
            steps.record_staff_read(session, principal, app, "change", "Ärendet avslutat")
        return app

    def _close(self, session: Session, app: Application, actor: str) -> None:
        app.closed_at = steps.now()
        steps.move(session, app, cases.CLOSED, actor)
        OUTBOX.add(
            session, "case_closed", events_pb2.CaseClosed(application_id=app.id, resident_ids=steps.residents(app))
        )

    # -- the service's own steps (the worker) -----------------------------------------------------
    def _input(self, app: Application) -> calc.CalculationInput:
        return steps.calculation_input(app, self.today(), app.months_on_support, self.settings.housing_cap)

    def receive(self, application_id: str, session: Session | None = None) -> dict[str, Any] | None:
        """A sent case is received: it gets its calculation, may be picked for a random check, and
        gets a decision proposal with its rule trace (decided at once when the municipality allows
        automatic decisions and every rule passed). Idempotent: a case already received is left.
        In a unit of work of its own (the worker), or in the caller's `session` (the api's Submit:
        the same transaction that sent the case)."""
        started = time.perf_counter()
        if session is None:
            with self.work() as own:
                proposal = self._receive(own, application_id)
        else:
            proposal = self._receive(session, application_id)
        if proposal is not None:
            log.info(
                "case received",
                extra={
                    "fields": {
                        "application_id": application_id,
                        "recommendation": proposal["recommendation"],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
        return proposal

    def _receive(self, session: Session, application_id: str) -> dict[str, Any] | None:
        app = steps.find(session, application_id, lock=True)
        if app.status != cases.SUBMITTED:
            # The api's immediate receive and the worker's fallback race; the loser lands here.
            log.debug("case already received", extra={"fields": {"application_id": application_id}})
            return None
        previous = session.get(Application, app.previous_id) if app.previous_id else None
        approved_periods = [
            period
            for period, decision in session.execute(
                select(Application.period, Application.decision).where(
                    Application.applicant_id == app.applicant_id,
                    Application.decided_at.is_not(None),
                    Application.id != app.id,
                )
            )
            if period and (decision or {}).get("outcome") in APPROVED
        ]
        app.months_on_support = steps.consecutive_months(approved_periods, app.period) if app.period else 0
        form = forms.form_for(app.kind, app.form_version)
        if previous is not None:
            app.changes = forms.changes(form, previous.answers, app.answers)
        result = calc.calculate(self._input(app))
        app.calculation = result.as_dict()
        steps.move(session, app, cases.RECEIVED, "system")
        picked = self.chance() < self.settings.random_check_rate
        submitted = steps.aware(app.submitted_at)
        in_period = bool((app.proposal or {}).get("submitted_in_period", True))
        previous_approved = previous is not None and previous.decision.get("outcome") in APPROVED
        found = proposals.checks(
            form,
            app.answers,
            self._input(app),
            steps.calculation_input(previous, self.today()) if previous is not None else None,
            previous_approved,
            result,
            in_period,
            picked,
        )
        proposal = proposals.propose(found, result)
        made = steps.now()
        proposal["made_at"] = made.isoformat()
        proposal["latency_ms"] = int((made - submitted).total_seconds() * 1000) if submitted else 0
        app.proposal = proposal
        if picked:
            due = self.today() + timedelta(days=7)
            self._ask(session, app, RANDOM_CHECK_ITEMS, "", due, True, "system")
        elif self.settings.auto_decide and proposal["recommendation"] == proposals.APPROVE:
            self._decide(session, app, "approved", result.result, "", "system", True)
            self._schedule(session, app, periods.next_payment_day(self.today()))
        return proposal

    def pay_due(self) -> int:
        """Pays the payments due today or earlier and closes their cases, each payment in a
        transaction of its own: a run that crashes halfway leaves the rest for the next run, and two
        runs at once pay each payment once (the conditional UPDATE below claims it)."""
        with self.db.read() as session:
            due = list(
                session.scalars(
                    select(Payment.id)
                    .where(Payment.status == "scheduled", Payment.payment_date <= self.today())
                    .order_by(Payment.payment_date)
                    .limit(500)
                )
            )
        paid = 0
        for payment_id in due:
            try:
                paid += self._pay(payment_id)
            except Conflict as exc:
                log.error("payment left unpaid", extra={"fields": {"payment_id": payment_id, "reason": exc.message}})
        return paid

    def _pay(self, payment_id: str) -> int:
        now = steps.now()
        with self.work() as session:
            claimed = session.execute(
                update(Payment)
                .where(Payment.id == payment_id, Payment.status == "scheduled")
                .values(status="paid", paid_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                return 0  # another run paid it
            payment = session.get(Payment, payment_id)
            app = steps.find(session, payment.application_id, lock=True)
            if app.status != cases.PAYMENT_SCHEDULED:
                raise Conflict(texts.NOT_SCHEDULED.format(status=app.status))
            app.paid_at = now
            steps.move(
                session,
                app,
                cases.PAID,
                "system",
                text=Text(
                    f"{payment.amount} kr är utbetalt till ditt konto.",
                    f"{payment.amount} kr has been paid to your account.",
                ),
            )
            OUTBOX.add(
                session,
                "payment_made",
                events_pb2.PaymentMade(
                    application_id=app.id,
                    resident_ids=steps.residents(app),
                    amount=payment.amount,
                    payment_date=payment.payment_date.isoformat(),
                ),
            )
            self._close(session, app, "system")
        return 1

    def open_period(self) -> int:
        """On the day a monthly period opens, tell every resident who had approved support in the
        period before (application_period_opened, once per resident and period)."""
        window = periods.current_or_next(self.today())
        if window.opens != self.today():
            return 0
        year, month = (int(p) for p in window.period.split("-"))
        before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        with self.work() as session:
            marker = {"event_id": f"period:{window.period}", "handler": "application_period_opened"}
            seen = session.execute(
                select(INBOX.c.event_id).where(
                    INBOX.c.event_id == marker["event_id"], INBOX.c.handler == marker["handler"]
                )
            ).first()
            if seen:
                return 0  # told already today (the timer runs more often than daily)
            session.execute(insert(INBOX).values(**marker, handled_at=steps.now()))
            rows = session.execute(
                select(Application.applicant_id, Application.co_applicant_id, Application.decision).where(
                    Application.period == before, Application.decided_at.is_not(None)
                )
            ).all()
            residents = sorted(
                {r for *people, decision in rows if (decision or {}).get("outcome") in APPROVED for r in people if r}
            )
            for resident in residents:
                OUTBOX.add(
                    session,
                    "application_period_opened",
                    events_pb2.ApplicationPeriodOpened(
                        resident_id=resident,
                        period=window.period,
                        opens=window.opens.isoformat(),
                        closes=window.closes.isoformat(),
                    ),
                )
        return len(residents)
