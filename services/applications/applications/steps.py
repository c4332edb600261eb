"""What every use case does with a case inside its transaction: find it, move it (status, timeline
entry and events in one go), and say in plain words what the resident can do next."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from applications import texts
from applications.domain import calculation as calc
from applications.domain import calculation_input as tagged_input
from applications.domain import cases, forms
from applications.domain.cases import Text
from applications.domain.periods import MONTHS_SV
from applications.store import OUTBOX, Application, CaseEvent
from fickan.applications.events.v1 import events_pb2
from fickan_common.access import record_staff_access
from fickan_common.errors import NotFound, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; every time here is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def find(session: Session, application_id: str, lock: bool = False) -> Application:
    try:
        uuid.UUID(application_id)
    except ValueError:
        raise ValidationFailed(texts.INVALID_APPLICATION_ID, {"application_id": texts.INVALID_ID}) from None
    app = session.get(Application, application_id, with_for_update=lock)
    if app is None:
        raise NotFound(texts.APPLICATION_NOT_FOUND)
    return app


def residents(app: Application) -> list[str]:
    return [r for r in (app.applicant_id, app.co_applicant_id) if r]


def record_staff_read(
    session: Session, principal: Principal, app: Application, action: str, what: str, reason: str = ""
) -> str:
    """A staff member's read (or change) of a case, in its residents' access log (published after
    the commit by the unit of work); the event's id."""
    env = record_staff_access(session, OUTBOX, principal, residents(app), action, f"application:{app.id}", what, reason)
    return env["event_id"]


def note(session: Session, app: Application, text: Text, actor: str, at: datetime | None = None) -> None:
    """A timeline entry that is not a move (e.g. the calculation was adjusted)."""
    session.add(
        CaseEvent(
            id=str(uuid.uuid4()),
            application_id=app.id,
            at=at or now(),
            kind="note",
            status=app.status,
            actor=actor,
            text_sv=text.sv[:1000],
            text_en=text.en[:1000],
        )
    )


def move(
    session: Session,
    app: Application,
    target: str,
    actor: str,
    text: Text | None = None,
    at: datetime | None = None,
) -> None:
    """Moves the case (refusing an illegal move), writes the timeline entry and case_status_changed."""
    at = at or now()
    before = app.status
    app.status = cases.transition(before, target)
    app.updated_at = at
    app.version += 1
    session.add(
        CaseEvent(
            id=str(uuid.uuid4()),
            application_id=app.id,
            at=at,
            kind="status",
            status=target,
            actor=actor,
            text_sv=(text or cases.TIMELINE_TEXT[target]).sv[:1000],
            text_en=(text or cases.TIMELINE_TEXT[target]).en[:1000],
        )
    )
    OUTBOX.add(
        session,
        "case_status_changed",
        events_pb2.CaseStatusChanged(
            application_id=app.id,
            resident_ids=residents(app),
            from_status=before,
            to_status=target,
            at=to_timestamp(at),
            open=target in cases.OPEN,
            sent=app.submitted_at is not None,
            decision_due=to_timestamp(aware(app.due_at)) if target in cases.MUNICIPALITYS_TURN and app.due_at else None,
        ),
    )


def period_of(app: Application) -> str:
    """The month (YYYY-MM) a case is for: a monthly form's period, or the month a first application
    names in its answers ("" when it names none)."""
    return app.period or str(app.answers.get("period", ""))


def title(app: Application) -> str:
    return forms.form_for(app.kind, app.form_version).title


def swedish_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS_SV[value.month - 1]} {value.year}"


def next_action(app: Application, role: str, open_request: Any = None) -> Text:
    """The one thing the caller can do now, or what they are waiting for."""
    status = app.status
    if status == cases.DRAFT:
        return Text("Fyll i ansökan och skicka den.", "Fill in the application and send it.")
    if status == cases.SIGNATURE_PENDING:
        if role == "co_applicant" and not app.co_applicant_signed_at:
            return Text("Skriv under ansökan med ditt BankID.", "Sign the application with your BankID.")
        return Text(
            "Väntar på att din medsökande skriver under med BankID.",
            "Waiting for your co-applicant to sign with BankID.",
        )
    if status in cases.WAITING_FOR_RESIDENT:
        due = swedish_date(open_request.due_date) if open_request is not None else ""
        return Text(
            f"Skicka in det som saknas senast {due}." if due else "Skicka in det som saknas.",
            f"Send what is missing by {open_request.due_date.isoformat()}." if due else "Send what is missing.",
        )
    if status in (cases.SUBMITTED, cases.RECEIVED, cases.IN_PROGRESS, cases.COMPLETION_SUBMITTED):
        due = aware(app.due_at)
        when = swedish_date(due.date()) if due else ""
        return Text(
            f"Du behöver inte göra något. Beslut väntas senast {when}." if when else "Du behöver inte göra något.",
            f"Nothing to do. A decision is expected by {due.date().isoformat()}." if due else "Nothing to do.",
        )
    if status == cases.DECIDED:
        if app.decision.get("outcome") == "rejected":
            return Text(
                "Läs beslutet. Du kan överklaga inom tre veckor.",
                "Read the decision. You can appeal within three weeks.",
            )
        return Text("Beslutet är klart. Utbetalningen planeras.", "The decision is made. The payment is being planned.")
    if status == cases.PAYMENT_SCHEDULED:
        return Text(
            f"Pengarna betalas ut {swedish_date(app.payment_date)}.",
            f"The money is paid on {app.payment_date.isoformat() if app.payment_date else ''}.",
        )
    if status == cases.PAID:
        return Text("Pengarna är utbetalda.", "The money has been paid.")
    return Text("", "")


def next_step_date(app: Application, open_request: Any = None) -> date | None:
    """The date of what happens next: the completion's due date while the resident is asked, the
    decision target while the case waits for a decision, the payment day once planned."""
    if app.status in cases.WAITING_FOR_RESIDENT and open_request is not None:
        return open_request.due_date
    if app.status in (cases.SUBMITTED, cases.RECEIVED, cases.IN_PROGRESS, cases.COMPLETION_SUBMITTED):
        due = aware(app.due_at)
        return due.date() if due else None
    if app.status == cases.PAYMENT_SCHEDULED:
        return app.payment_date
    return None


def consecutive_months(periods: Iterable[str], before: str) -> int:
    """How many months in a row, ending the month before `before`, had approved support."""
    have = set(periods)
    count, cursor = 0, before
    while True:
        year, month = (int(p) for p in cursor.split("-"))
        cursor = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        if cursor not in have:
            return count
        count += 1


def calculation_input(
    app: Application, today: date, months_on_support: int = 0, housing_cap: int | None = None
) -> calc.CalculationInput:
    """A case's answers as the calculation's input, with the riksnorm table of its month's year, or
    the newest table before it (next year's may not be entered yet)."""
    year = int((period_of(app) or str(today.year))[:4])
    years = [y for y in calc.available_years() if y <= year] or calc.available_years()
    return tagged_input.read(
        forms.form_for(app.kind, app.form_version),
        app.answers,
        max(years),
        months_on_support=months_on_support,
        housing_cap=housing_cap,
    )
