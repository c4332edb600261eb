"""The resident's use cases, and the public ones. Each is one transaction over the service's own
database: the state change, its timeline entry and its events (outbox) together."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from applications import sent_copy, steps, texts
from applications.domain import attachments as files
from applications.domain import calculation as calc
from applications.domain import cases, forms, periods
from applications.domain.cases import Text
from applications.store import OUTBOX, Application, Attachment, CaseEvent, CompletionRequest
from fickan.applications.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fickan_common.grpc_server import database_away
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork, savepoint

log = logging.getLogger(__name__)

SIGNABLE = cases.EDITABLE
COMPLETABLE = {*cases.WAITING_FOR_RESIDENT, cases.COMPLETION_SUBMITTED}
UPLOADABLE = {cases.DRAFT, cases.SIGNATURE_PENDING, *COMPLETABLE}
ANSWER_TEXT_MAX = 4000  # completion_requests.answer_text
COMPLETION_ADDED = Text("Du lade till i kompletteringen.", "You added to the completion.")
ESTIMATE_CAVEAT = (
    "Det här är en uppskattning, inget beslut. Den bygger på riksnormen och det du har skrivit. Kommunen prövar "
    "hela din situation när du söker, till exempel tillgångar, andra ersättningar och vad som är skäliga kostnader."
)
CASE_CAVEAT = (
    "Beräkningen följer riksnormen och det du har skrivit. Handläggaren kan ändra en rad och skriver då varför."
)


@dataclass(frozen=True)
class SignatureInfo:
    user_id: str
    reference: str
    text_sha256: str


class People(Protocol):
    """What applications asks identity, on the caller's behalf (their token)."""

    def resolve(self, principal: Principal, personal_number: str) -> tuple[str, str]: ...

    def signature(self, principal: Principal, signature_id: str) -> SignatureInfo: ...

    def masked_number(self, principal: Principal) -> str: ...


class CaseLinks(Protocol):
    """What applications asks contact, on an agent's behalf (their token)."""

    def case_of_question(self, principal: Principal, question_id: str) -> str: ...


THINNED_COPY = texts.THINNED_COPY
THINNED_FILE = texts.THINNED_FILE


class Applications:
    def __init__(
        self,
        db: Database,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        unit: str = "ekonomiskt-bistand",
        people: People | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        receive: Callable[[str, Session], object] | None = None,
        links: CaseLinks | None = None,
    ) -> None:
        self.db = db
        self.links = links  # contact: which case a question is about (for the agents' glance)
        # Receives a sent case at once, in the unit of work that sends it (proposal within
        # milliseconds, Casework.receive); the worker's handler of application_submitted does the
        # same if this fails, so a sent case is never left behind.
        self.receive = receive
        self.on_events = on_events  # told the ids of events just committed (to publish at once)
        self.work = UnitOfWork(db, on_events)  # a write transaction whose events are published after it
        self.unit = unit  # the unit that handles submitted cases
        self.people = people
        self.today = today

    # -- public -----------------------------------------------------------------------------------
    @staticmethod
    def e_services() -> list[dict[str, Any]]:
        return forms.catalogue()

    def period(self, period: str = "") -> periods.Window:
        return periods.window(period) if period else periods.current_or_next(self.today())

    def estimate(self, data: calc.CalculationInput) -> calc.Calculation:
        return calc.calculate(data)

    # -- drafts -----------------------------------------------------------------------------------
    def create_draft(self, principal: Principal, kind: str, period: str = "") -> Application:
        cases.require_resident(principal)
        form = forms.form_for(kind)
        now = steps.now()
        answers: dict[str, Any] = {}
        window = None
        if form.period_bound:
            window = self.period(period)
            if not window.is_open(self.today()):
                message = texts.WINDOW_CLOSED.format(
                    month=texts.month_of(window.period), window=texts.window_text(window)
                )
                raise Conflict(message)
        try:
            with self.db.transaction() as session:
                previous = self._previous_case(session, principal.user_id, form)
                if window is not None:
                    taken = session.scalars(
                        select(Application.id).where(
                            Application.applicant_id == principal.user_id,
                            Application.kind == form.kind,
                            Application.period == window.period,
                            Application.status != cases.WITHDRAWN,
                        )
                    ).first()
                    if taken:
                        raise Conflict(texts.ALREADY_APPLIED.format(month=texts.month_of(window.period)))
                co_applicant = None
                if previous is not None:
                    answers = forms.prefilled(form, previous.answers)
                    if previous.applicant_id == principal.user_id:
                        co_applicant = previous.co_applicant_id
                    else:
                        # Last month this person was the co-applicant: the partner is last month's
                        # applicant, and the partner's number (kept masked only) is theirs to give again.
                        co_applicant = previous.applicant_id
                        question = forms.co_applicant_question(form)
                        if question is not None:
                            answers.pop(question.id, None)
                if window is not None:
                    answers["period"] = window.period
                app = Application(
                    id=str(uuid.uuid4()),
                    kind=form.kind,
                    form_version=form.version,
                    applicant_id=principal.user_id,
                    co_applicant_id=co_applicant,
                    status=cases.DRAFT,
                    answers=answers,
                    version=1,
                    created_at=now,
                    updated_at=now,
                    period=window.period if window else "",
                    previous_id=previous.id if previous is not None else None,
                )
                session.add(app)
        except IntegrityError:
            # Two drafts for one month started at once: the database's unique rule let one in.
            month = texts.month_of(window.period) if window else ""
            raise Conflict(texts.ALREADY_APPLIED.format(month=month)) from None
        return app

    @staticmethod
    def _previous_case(session: Session, user_id: str, form: forms.Form) -> Application | None:
        """The resident's newest sent case of a form this one pre-fills from."""
        if not form.prefill_from:
            return None
        return session.scalars(
            select(Application)
            .where(
                or_(Application.applicant_id == user_id, Application.co_applicant_id == user_id),
                Application.kind.in_(form.prefill_from),
                Application.status.notin_((cases.DRAFT, cases.SIGNATURE_PENDING, cases.WITHDRAWN)),
            )
            .order_by(Application.submitted_at.desc())
            .limit(1)
        ).first()

    def save_answers(
        self, principal: Principal, application_id: str, answers: dict[str, Any], expected_version: int
    ) -> Application:
        with self.db.read() as session:
            app = self._own_draft(session, principal, application_id)
            cases.require_version(app.version, expected_version)
            form = forms.form_for(app.kind, app.form_version)
            cleaned = forms.clean_answers(form, answers)
            self._check_attachments(session, app, form, cleaned)
        # Naming a co-applicant asks identity (outside the transaction: it is another service).
        co_applicant = self._co_applicant(principal, form, cleaned)
        with self.db.transaction() as session:
            app = self._own_draft(session, principal, application_id)
            cases.require_version(app.version, expected_version)
            if co_applicant is not None:
                question, user_id, masked = co_applicant
                cleaned[question] = masked
                app.co_applicant_id = user_id
            merged = {**app.answers, **cleaned}
            partner = forms.tagged(form, "calc", "partner")
            if partner is not None and merged.get(partner.id) == forms.NO:
                app.co_applicant_id = None
            if app.status == cases.SIGNATURE_PENDING:
                # New answers void the signatures: the case is a draft again.
                app.status, app.applicant_signature_id, app.applicant_signed_at = cases.DRAFT, None, None
                app.co_applicant_signature_id, app.co_applicant_signed_at = None, None
            app.answers = merged
            app.version += 1
            app.updated_at = steps.now()
        return app

    def _co_applicant(
        self, principal: Principal, form: forms.Form, cleaned: dict[str, Any]
    ) -> tuple[str, str, str] | None:
        question = forms.co_applicant_question(form)
        value = cleaned.get(question.id, "") if question else ""
        if not question or not value or forms.MASKED_PERSONNUMMER.match(value):
            return None
        if self.people is None:
            raise ValidationFailed(texts.NO_CO_APPLICANT_HERE, {question.id: texts.NO_CO_APPLICANT_HERE})
        user_id, masked = self.people.resolve(principal, value)
        if user_id == principal.user_id:
            message = texts.PARTNER_NOT_SELF
            raise ValidationFailed(message, {question.id: message})
        return question.id, user_id, masked

    @staticmethod
    def _check_attachments(session: Session, app: Application, form: forms.Form, cleaned: dict[str, Any]) -> None:
        named = forms.attachment_ids(form, cleaned)
        if not named:
            return
        known = set(session.scalars(select(Attachment.id).where(Attachment.application_id == app.id)))
        missing = {q.id for q in form.questions if q.type == "file" and set(cleaned.get(q.id) or []) - known}
        if missing:
            message = texts.ATTACHMENT_NOT_HERE
            raise ValidationFailed(message, dict.fromkeys(missing, message))

    def _own_draft(self, session: Session, principal: Principal, application_id: str) -> Application:
        return self._still_own_draft(principal, steps.find(session, application_id, lock=True))

    @staticmethod
    def _still_own_draft(principal: Principal, app: Application) -> Application:
        cases.require_owner(principal, app.applicant_id)
        if app.status not in SIGNABLE:
            raise Conflict(texts.SENT_NO_CHANGE)
        return app

    # -- signing and submitting -------------------------------------------------------------------
    @staticmethod
    def signing_text(app: Application) -> str:
        """What is signed: who applies for what, the honour statement and a fingerprint of exactly
        these answers (so a signature belongs to one version of them)."""
        form = forms.form_for(app.kind, app.form_version)
        fingerprint = hashlib.sha256(json.dumps(app.answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[
            :16
        ]
        month = f" för {periods.month_name(app.period)}" if app.period else ""
        return (
            f"# {form.title}{month}\n\n"
            "Jag intygar på heder och samvete att uppgifterna i ansökan är riktiga och fullständiga, och att jag "
            "berättar för kommunen om något ändras. Jag vet att felaktiga uppgifter kan leda till återbetalning "
            "och polisanmälan.\n\n"
            f"Ansökan {app.id[:8]}, version {app.version}, kontrollsumma {fingerprint}."
        )

    @staticmethod
    def reference(app: Application) -> str:
        return f"application:{app.id}:v{app.version}"

    def get_signing_text(self, principal: Principal, application_id: str) -> tuple[str, int, str]:
        """What to sign. The applicant gets it only for a complete application (so nobody signs
        something that cannot be sent); the co-applicant only once the applicant has signed."""
        with self.db.read() as session:
            app = steps.find(session, application_id)
            role = cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            if app.status not in SIGNABLE:
                raise Conflict(texts.ALREADY_SENT)
            if role == "applicant":
                forms.check_complete(forms.form_for(app.kind, app.form_version), app.answers)
            elif app.status != cases.SIGNATURE_PENDING:
                raise Conflict(texts.NOT_READY_TO_SIGN)
            return self.signing_text(app), app.version, self.reference(app)

    def _verify_signature(self, principal: Principal, app: Application, signature_id: str) -> None:
        """The signature is the caller's, of this very text and version (checked with identity)."""
        if not signature_id:
            message = texts.SIGN_FIRST
            raise ValidationFailed(message, {"signature_id": message})
        if self.people is None:
            raise ValidationFailed(texts.SIGNATURE_UNCHECKABLE, {"signature_id": texts.CANNOT_CHECK})
        info = self.people.signature(principal, signature_id)
        text_hash = hashlib.sha256(self.signing_text(app).encode()).hexdigest()
        if info.user_id != principal.user_id or info.reference != self.reference(app) or info.text_sha256 != text_hash:
            message = texts.SIGNATURE_OTHER_VERSION
            raise ValidationFailed(message, {"signature_id": message})

    def submit(
        self, principal: Principal, application_id: str, expected_version: int, signature_id: str = ""
    ) -> Application:
        with self.db.read() as session:
            # One load: a second SELECT of the same row in this session could meet a newer version
            # committed meanwhile (PostgreSQL reads committed rows), which SQLAlchemy calls stale.
            app = steps.find(session, application_id, lock=True)
            if signature_id and app.applicant_signature_id == signature_id and app.applicant_id == principal.user_id:
                return app  # this signature is on the case already (applications/signing.py, or a repeat)
            self._still_own_draft(principal, app)
            cases.require_version(app.version, expected_version)
            form = forms.form_for(app.kind, app.form_version)
            forms.check_complete(form, app.answers)
            if app.status != cases.DRAFT:
                raise Conflict(texts.SIGNED_WAITING)
        if form.requires_signature:
            self._verify_signature(principal, app, signature_id)
        masked = self._masked(principal)
        with self.work() as session:
            app = self._own_draft(session, principal, application_id)
            cases.require_version(app.version, expected_version)
            at = steps.now()
            app.applicant_name, app.applicant_masked = principal.name[:200], masked
            if form.requires_signature:
                app.applicant_signature_id, app.applicant_signed_at = signature_id, at
            if form.requires_signature and app.co_applicant_id:
                steps.move(session, app, cases.SIGNATURE_PENDING, "resident", at=at)
                OUTBOX.add(
                    session,
                    "signature_requested",
                    events_pb2.SignatureRequested(
                        application_id=app.id, co_applicant_id=app.co_applicant_id, applicant_id=app.applicant_id
                    ),
                )
            else:
                self._submitted(session, app, form, "resident", at)
                self._receive(session, app)
        return app

    def _masked(self, principal: Principal) -> str:
        """The signer's own personnummer, masked, from identity (with their token): for the unit's
        case workers to see whom the case is about. Without identity here (a test, an old form
        without signing) there is none."""
        return self.people.masked_number(principal)[:13] if self.people is not None else ""

    def _receive(self, session: Session, app: Application) -> None:
        """Receives the case just sent, in the same unit of work. A failure undoes only the
        receiving (a savepoint): the case stays sent, and the worker receives it."""
        if self.receive is None:
            return
        try:
            with savepoint(session):
                self.receive(app.id, session)
        except Exception as exc:
            if database_away(exc):
                raise  # the connection itself is lost: the whole unit rolls back and the caller may retry
            log.exception("receiving at once failed; left to the worker", extra={"fields": {"application_id": app.id}})
            try:
                session.refresh(app)  # as sent: the savepoint's rollback expired what receiving changed
            except SQLAlchemyError:
                raise exc from None  # the session cannot go on (its connection failed meanwhile): nothing commits

    def sign(self, principal: Principal, application_id: str, signature_id: str) -> Application:
        """The co-applicant signs; the case is then submitted."""
        with self.db.read() as session:
            app = steps.find(session, application_id)
            if app.co_applicant_id != principal.user_id:
                raise PermissionDenied(cases.NOT_YOURS)
            if signature_id and app.co_applicant_signature_id == signature_id:
                return app  # this signature is on the case already (applications/signing.py, or a repeat)
            if app.status != cases.SIGNATURE_PENDING:
                raise Conflict(texts.NOT_WAITING_FOR_YOU)
        self._verify_signature(principal, app, signature_id)
        masked = self._masked(principal)
        with self.work() as session:
            app = steps.find(session, application_id, lock=True)
            if app.status != cases.SIGNATURE_PENDING or app.co_applicant_id != principal.user_id:
                raise Conflict(texts.NOT_WAITING_FOR_YOU)
            at = steps.now()
            app.co_applicant_signature_id, app.co_applicant_signed_at = signature_id, at
            app.co_applicant_name, app.co_applicant_masked = principal.name[:200], masked
            self._submitted(session, app, forms.form_for(app.kind, app.form_version), "co_applicant", at)
            self._receive(session, app)
        return app

    def _submitted(self, session: Session, app: Application, form: forms.Form, actor: str, at: datetime) -> None:
        app.unit = self.unit
        app.submitted_at = at
        app.due_at = at + timedelta(hours=form.decision_target_hours)
        app.submitted = self._snapshot(session, app, form, at)
        if app.period:
            # Kept for the proposal: a late application is not decided by itself.
            app.proposal = {"submitted_in_period": periods.window(app.period).is_open(self.today())}
        steps.move(session, app, cases.SUBMITTED, actor, at=at)
        OUTBOX.add(
            session,
            "application_submitted",
            events_pb2.ApplicationSubmitted(
                application_id=app.id,
                applicant_id=app.applicant_id,
                kind=app.kind,
                period=steps.period_of(app),
                submitted_at=to_timestamp(at),
                co_applicant_id=app.co_applicant_id or "",
            ),
        )
        metrics.BUSINESS.labels("application_submitted").inc()

    def _snapshot(self, session: Session, app: Application, form: forms.Form, at: datetime) -> dict[str, Any]:
        """Exactly what is sent, kept as it stands now: the copy the resident downloads is made of
        this, whatever happens to the case later."""
        sent = forms.attachment_ids(form, app.answers)
        stored = session.scalars(
            select(Attachment).where(Attachment.application_id == app.id).order_by(Attachment.uploaded_at)
        ).all()
        signatures = [
            {"role": role, "name": name, "signed_at": steps.aware(signed).isoformat(), "signature_id": signature or ""}
            for role, name, signed, signature in (
                ("applicant", app.applicant_name, app.applicant_signed_at, app.applicant_signature_id),
                ("co_applicant", app.co_applicant_name, app.co_applicant_signed_at, app.co_applicant_signature_id),
            )
            if signed is not None
        ]
        return {
            "at": at.isoformat(),
            "form_kind": app.kind,
            "form_version": app.form_version,
            "period": steps.period_of(app),
            "answers": app.answers,
            "fingerprint": hashlib.sha256(
                json.dumps(app.answers, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()[:16],
            "attachments": [
                {
                    "id": a.id,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "uploaded_at": steps.aware(a.uploaded_at).isoformat(),
                }
                for a in stored
                if not sent or a.id in sent
            ],
            "signatures": signatures,
        }

    def withdraw(self, principal: Principal, application_id: str, reason: str = "") -> Application:
        with self.work() as session:
            app = steps.find(session, application_id, lock=True)
            role = cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            text = cases.TIMELINE_TEXT[cases.WITHDRAWN]
            if reason.strip():
                text = Text(f"{text.sv} Skäl: {reason.strip()[:300]}", f"{text.en} Reason: {reason.strip()[:300]}")
            steps.move(session, app, cases.WITHDRAWN, "resident" if role == "applicant" else role, text=text)
        return app

    def submit_completion(
        self, principal: Principal, application_id: str, text: str, attachment_ids: list[str], expected_version: int = 0
    ) -> Application:
        """The resident answers what was asked, and may add more text and files to the answer until
        the due date; after it, the case worker decides on what there is (never automatically)."""
        text = text.strip()
        if not text and not attachment_ids:
            message = texts.WRITE_OR_UPLOAD
            raise ValidationFailed(message, {"text": message})
        with self.work() as session:
            app = steps.find(session, application_id, lock=True)
            role = cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            if expected_version:
                cases.require_version(app.version, expected_version)
            request = self.completion_in_reach(session, app)
            known = set(session.scalars(select(Attachment.id).where(Attachment.application_id == app.id)))
            if set(attachment_ids) - known:
                message = texts.ATTACHMENT_NOT_HERE
                raise ValidationFailed(message, {"attachment_ids": message})
            at = steps.now()
            who = "resident" if role == "applicant" else role
            if request.answered_at is None:
                request.answered_at, request.answer_text, request.answer_attachments = at, text, list(attachment_ids)
                app.due_at = at + timedelta(hours=forms.form_for(app.kind, app.form_version).decision_target_hours)
                steps.move(session, app, cases.COMPLETION_SUBMITTED, who)
            else:
                # An addition to the answer, before the due date: kept with it, and on the timeline.
                joined = "\n\n".join(t for t in (request.answer_text, text) if t)
                if len(joined) > ANSWER_TEXT_MAX:
                    message = texts.COMPLETION_TEXT_MAX.format(max=ANSWER_TEXT_MAX)
                    raise ValidationFailed(message, {"text": message})
                request.answer_text = joined
                request.answer_attachments = [*request.answer_attachments, *attachment_ids]
                steps.note(session, app, COMPLETION_ADDED, who, at)
                # The case worker's open page is stale now: a decision made on it is refused.
                app.version, app.updated_at = app.version + 1, at
            OUTBOX.add(
                session, "completion_submitted", events_pb2.CompletionSubmitted(application_id=app.id, unit=app.unit)
            )
        return app

    def completion_open(self, app: Application, request: CompletionRequest) -> bool:
        """May the resident answer this (the latest) completion, or add to the answer, today?"""
        waiting = app.status in cases.WAITING_FOR_RESIDENT and request.answered_at is None
        answered = app.status == cases.COMPLETION_SUBMITTED and request.answered_at is not None
        return (waiting or answered) and request.due_date >= self.today()

    def completion_in_reach(self, session: Session, app: Application) -> CompletionRequest:
        """The completion the resident may answer or add to now, or Conflict saying why not."""
        request = session.scalars(
            select(CompletionRequest)
            .where(CompletionRequest.application_id == app.id)
            .order_by(CompletionRequest.requested_at.desc())
        ).first()
        open_now = app.status in cases.WAITING_FOR_RESIDENT or (
            app.status == cases.COMPLETION_SUBMITTED and request is not None and request.answered_at is not None
        )
        if request is None or not open_now:
            raise Conflict(texts.NO_COMPLETION)
        if request.due_date < self.today():
            raise Conflict(texts.COMPLETION_EXPIRED.format(day=request.due_date.isoformat()))
        return request

    @staticmethod
    def open_request(session: Session, app: Application) -> CompletionRequest | None:
        return session.scalars(
            select(CompletionRequest)
            .where(CompletionRequest.application_id == app.id, CompletionRequest.answered_at.is_(None))
            .order_by(CompletionRequest.requested_at.desc())
        ).first()

    # -- reading ----------------------------------------------------------------------------------
    def check_answers(self, principal: Principal, application_id: str, step: int) -> list[tuple[str, str, int]]:
        """(question path, message, step index) of what is missing or wrong, in the form's order."""
        with self.db.read() as session:
            app = steps.find(session, application_id)
            cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            form = forms.form_for(app.kind, app.form_version)
            errors = forms.completeness_errors(form, app.answers, None if step < 0 else step)
        step_of = {q.id: i for i, st in enumerate(form.steps) for q in st.questions}
        return [(path, message, step_of.get(path.split("[")[0], 0)) for path, message in errors.items()]

    def get(self, principal: Principal, application_id: str) -> tuple[Application, str]:
        """A resident's own case (as applicant or co-applicant) and their part in it."""
        with self.db.read() as session:
            app = steps.find(session, application_id)
            return app, cases.resident_role(principal, app.applicant_id, app.co_applicant_id)

    def list_mine(self, principal: Principal) -> list[Application]:
        with self.db.read() as session:
            rows = session.scalars(
                select(Application)
                .where(
                    or_(Application.applicant_id == principal.user_id, Application.co_applicant_id == principal.user_id)
                )
                .order_by(Application.created_at.desc())
                .limit(100)
            )
            return [a for a in rows if a.applicant_id == principal.user_id or a.status != cases.DRAFT]

    def details(self, application_id: str) -> dict[str, Any]:
        """Timeline, completion requests and attachments of a case (the caller's access checked)."""
        with self.db.read() as session:
            timeline = list(
                session.scalars(
                    select(CaseEvent).where(CaseEvent.application_id == application_id).order_by(CaseEvent.at)
                )
            )
            requests = list(
                session.scalars(
                    select(CompletionRequest)
                    .where(CompletionRequest.application_id == application_id)
                    .order_by(CompletionRequest.requested_at)
                )
            )
            stored = session.execute(
                select(
                    Attachment.id,
                    Attachment.filename,
                    Attachment.content_type,
                    Attachment.size,
                    Attachment.sha256,
                    Attachment.uploaded_at,
                )
                .where(Attachment.application_id == application_id)
                .order_by(Attachment.uploaded_at)
            ).all()
        open_request = next((r for r in reversed(requests) if r.answered_at is None), None)
        return {"timeline": timeline, "requests": requests, "attachments": stored, "open_request": open_request}

    def calculation_of(self, app: Application) -> calc.Calculation | None:
        """The stored calculation of a sent case, or a preliminary one of a draft's answers."""
        if app.calculation:
            return calc.Calculation.from_dict(app.calculation)
        try:
            return calc.calculate(steps.calculation_input(app, self.today()))
        except NotFound:
            return None

    def glance(self, principal: Principal) -> tuple[Application | None, str, Any]:
        with self.db.read() as session:
            app = session.scalars(
                select(Application)
                .where(
                    or_(
                        Application.applicant_id == principal.user_id, Application.co_applicant_id == principal.user_id
                    ),
                    Application.status.notin_((cases.WITHDRAWN,)),
                )
                .order_by(Application.updated_at.desc())
                .limit(1)
            ).first()
            if app is None:
                return None, "", None
            role = "applicant" if app.applicant_id == principal.user_id else "co_applicant"
            return app, role, self.open_request(session, app)

    def glance_for_contact(
        self, principal: Principal, application_id: str, question_id: str
    ) -> tuple[Application, Any]:
        """A contact-centre agent answering a question linked to this case sees its status, the
        resident's next step and the time left; nothing more, and the read is in the access log."""
        if not principal.has_role("contact_agent"):
            raise PermissionDenied(texts.AGENTS_STATUS_ONLY)
        # Only beside a question of the agent's own group that is about this very case (contact
        # knows both); any other case id is refused before anything is read.
        linked = self.links.case_of_question(principal, question_id) if self.links and question_id else ""
        if not linked or linked != application_id:
            raise PermissionDenied(texts.NOT_YOUR_GROUPS_CASE)
        with self.work() as session:
            app = steps.find(session, application_id)
            if app.status == cases.DRAFT:
                raise NotFound(texts.APPLICATION_NOT_FOUND)
            what = f"Status för {steps.title(app).lower()}"
            reason = "Fråga till kontaktcenter"  # not the question's id: the co-applicant reads this too
            steps.record_staff_read(session, principal, app, "read", what, reason)
            result = app, self.open_request(session, app)
        return result

    # -- the copy of what was sent ------------------------------------------------------------------
    def submitted_copy(self, principal: Principal, application_id: str) -> tuple[str, bytes]:
        """The PDF copy of exactly what was sent (made from the snapshot kept at sending), for the
        residents of the case, or a case worker of its unit (the read is in the access log)."""
        with self.work() as session:
            app = steps.find(session, application_id)
            if principal.user_id in steps.residents(app):
                if app.submitted_at is None:
                    raise Conflict(texts.NOT_SENT_NO_COPY)
            else:
                cases.require_case_worker_of(principal, app.unit, app.status)
                what = f"Kopia av {steps.title(app).lower()}"
                steps.record_staff_read(session, principal, app, "read", what)
            if app.thinned_at is not None:
                raise NotFound(THINNED_COPY)  # (nothing was read: the access record rolls back)
            form = forms.form_for(app.kind, app.form_version)
            # Cases sent before snapshots were kept: what was sent cannot have changed since.
            snapshot = app.submitted or self._snapshot(session, app, form, steps.aware(app.submitted_at))
            names = dict(
                session.execute(
                    select(Attachment.id, Attachment.filename).where(Attachment.application_id == app.id)
                ).all()
            )
            completions = [
                {
                    "requested_at": steps.aware(r.requested_at).isoformat(),
                    "items": list(r.items),
                    "answered_at": steps.aware(r.answered_at).isoformat(),
                    "text": r.answer_text,
                    "files": [names.get(i, i) for i in r.answer_attachments],
                }
                for r in session.scalars(
                    select(CompletionRequest)
                    .where(CompletionRequest.application_id == app.id, CompletionRequest.answered_at.is_not(None))
                    .order_by(CompletionRequest.requested_at)
                )
            ]
        return sent_copy.filename(app.id), sent_copy.render(snapshot, app.id, completions)

    # -- attachments ------------------------------------------------------------------------------
    def upload(self, principal: Principal, application_id: str, filename: str, content: bytes) -> Attachment:
        checked = files.check(filename, content)
        with self.db.transaction() as session:
            app = steps.find(session, application_id, lock=True)
            cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            if app.status not in UPLOADABLE:
                raise Conflict(texts.ATTACHMENTS_WHEN)
            if app.status in COMPLETABLE:
                self.completion_in_reach(session, app)  # until the completion's due date
            count = len(list(session.scalars(select(Attachment.id).where(Attachment.application_id == app.id))))
            if count >= files.MAX_PER_CASE:
                raise Conflict(texts.MAX_ATTACHMENTS.format(max=files.MAX_PER_CASE))
            stored = Attachment(
                id=str(uuid.uuid4()),
                application_id=app.id,
                uploaded_by=principal.user_id,
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                content=content,
                uploaded_at=steps.now(),
            )
            session.add(stored)
        return stored

    def attachment(self, principal: Principal, application_id: str, attachment_id: str) -> Attachment:
        """The file, for the resident on their case or a case worker of the unit (logged)."""
        try:
            uuid.UUID(attachment_id)
        except ValueError:
            raise ValidationFailed(texts.INVALID_ATTACHMENT, {"attachment_id": texts.INVALID_ATTACHMENT}) from None
        with self.work() as session:
            app = steps.find(session, application_id)
            stored = session.get(Attachment, attachment_id)
            if stored is None or stored.application_id != app.id:
                raise NotFound(texts.ATTACHMENT_NOT_FOUND)
            if app.thinned_at is not None:
                # Retention removed the file's contents; its name stays on the case.
                raise NotFound(THINNED_FILE)
            if principal.user_id not in steps.residents(app):
                cases.require_case_worker_of(principal, app.unit, app.status)
                what = f"Bilaga till {steps.title(app).lower()}: {stored.filename}"
                steps.record_staff_read(session, principal, app, "read", what)
        return stored
