"""The staff's pages: the start page by role, roles for admins, and the case workers' desk.
Staff log in with BankID like everyone; what they may do comes from the roles in their token, and
every service checks it again."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date, timedelta
from typing import Any

import grpc
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting, numbers
from bff_web import forms as web_forms
from bff_web.i18n import said, said_fields, t
from bff_web.session import login_required, services, staff_required, token
from bff_web.views.account import ROLE_TEXT
from bff_web.views.applications import download
from fickan.applications.v1 import applications_pb2
from fickan.identity.v1 import identity_pb2
from fickan_common.access import STAFF_ROLES
from fickan_common.grpc_client import ServiceError

bp = Blueprint("staff", __name__)


@bp.get("/personal")
@login_required
def start() -> str:
    roles = [r for r in STAFF_ROLES if g.principal.has_role(r)]
    if not roles:
        abort(403)
    return render_template("staff_start.html", roles=roles, unit=g.principal.unit)


# --- roles (admin) ---------------------------------------------------------------------------
def _staff_rows() -> tuple[list[dict[str, str]], list[str]]:
    """The staff, and the answer groups identity knows (the choices for a contact-centre agent)."""
    listed = services().identity.call("ListStaff", identity_pb2.ListStaffRequest(), token=token())
    rows = [
        {
            "name": u.name,
            "roles": ", ".join(t(ROLE_TEXT[r]) for r in u.roles if r in ROLE_TEXT),
            "unit": u.unit,
            "group": u.answer_group,
        }
        for u in listed.staff
    ]
    return rows, list(listed.answer_groups)


def _render_roles(form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    staff, groups = _staff_rows()
    return (
        render_template(
            "staff_roles.html",
            staff=staff,
            form=form or {},
            errors=errors or {},
            role_names=[(r, t(ROLE_TEXT[r])) for r in STAFF_ROLES],
            groups=groups,
        ),
        status,
    )


@bp.get("/personal/behorigheter")
@staff_required("admin")
def roles() -> tuple[str, int]:
    return _render_roles()


@bp.post("/personal/behorigheter")
@staff_required("admin")
def assign_roles() -> Response | tuple[str, int]:
    form = {
        k: request.form.get(k, "").strip()[:200] for k in ("personal_number", "name", "unit", "answer_group", "reason")
    }
    chosen = [r for r in request.form.getlist("roles") if r in STAFF_ROLES]
    form["roles"] = ",".join(chosen)
    if not re.fullmatch(r"(\d{6}|\d{8})[-+]?\d{4}", form["personal_number"]):
        return _render_roles(form, {"personal_number": t("login_pnr_invalid")}, 400)
    try:
        services().identity.call(
            "AssignRoles",
            identity_pb2.AssignRolesRequest(
                personal_number=form["personal_number"],
                name=form["name"],
                roles=chosen,
                unit=form["unit"],
                answer_group=form["answer_group"],
                reason=form["reason"],
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code.name in ("INVALID_ARGUMENT", "FAILED_PRECONDITION"):
            return _render_roles(form, said_fields(exc) or {"roles": said(exc)}, 400)
        raise
    flash("roles_saved", "success")
    return redirect(url_for("staff.roles"))


# --- the case workers' desk --------------------------------------------------------------------
def _time_left(case: Any) -> tuple[str, bool]:
    """ "5 h kvar" or "2 h försenat", and whether it is late."""
    if not formatting.is_set(case.due_at):
        return "", False
    seconds = case.due_at.seconds - int(time.time())
    hours = abs(seconds) // 3600
    minutes = (abs(seconds) % 3600) // 60
    span = f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} d"
    return (t("desk_left", span=span), False) if seconds >= 0 else (t("desk_late", span=span), True)


def _household(case: Any) -> str:
    """ "2 vuxna, 1 barn (5 år)": who lives in the household, as the answers say ("" when unknown)."""
    if not case.household_adults:
        return ""
    adults = t("household_adult") if case.household_adults == 1 else t("household_adults", n=case.household_adults)
    if not case.household_children:
        return t("household_without_children", adults=adults)
    ages = ", ".join(str(a) for a in case.household_children_ages)
    children = t("household_children", n=case.household_children)
    if ages:
        children = t("household_children_ages", children=children, ages=ages)
    return t("household_with_children", adults=adults, children=children)


def _people(case: Any) -> list[dict[str, str]]:
    """Whom the case is about: the applicant and the co-applicant, by name and masked personnummer."""
    people = [{"role": t("desk_applicant"), "name": case.applicant_name, "number": case.applicant_masked_personnummer}]
    if case.co_applicant_id:
        people.append(
            {
                "role": t("desk_co_applicant"),
                "name": case.co_applicant_name,
                "number": case.co_applicant_masked_personnummer,
            }
        )
    return people


@bp.get("/personal/arenden")
@staff_required("case_worker")
def cases() -> str:
    listed = services().applications.call(
        "ListUnitCases", applications_pb2.ListUnitCasesRequest(limit=200), token=token()
    )
    rows = []
    for c in listed.cases:
        left, late = _time_left(c)
        rows.append(
            {
                "id": c.application_id,
                "title": c.title,
                "period": c.period,
                "status_text": c.status_text,
                "submitted": formatting.date_time(c.submitted_at),
                "left": left,
                "late": late,
                "people": _people(c),
                "household": _household(c),
            }
        )
    return render_template("staff_cases.html", cases=rows, unit=g.principal.unit)


def _case(application_id: str, reason: str = "") -> Any:
    try:
        uuid.UUID(application_id)
    except ValueError:
        abort(404)
    return services().applications.call(
        "GetCase", applications_pb2.GetCaseRequest(application_id=application_id, reason=reason), token=token()
    )


def _render_case(app: Any, errors: dict[str, str] | None = None, message: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    form = services().applications.call(
        "GetForm", applications_pb2.GetFormRequest(kind=app.kind, version=app.form_version)
    )
    definition = web_forms.Definition.parse(form.definition_json, form.requires_signature)
    left, late = _time_left(app)
    html = render_template(
        "staff_case.html",
        app=app,
        steps=web_forms.display(definition, web_forms.decoded(dict(app.answers))),
        timeline=[{"when": formatting.date_time(e.at), "text": e.text} for e in app.timeline],
        submitted=formatting.date_time(app.submitted_at),
        left=left,
        late=late,
        people=_people(app),
        household=_household(app),
        errors=errors or {},
        message=message,
        today=date.today().isoformat(),
        due_default=(date.today() + timedelta(days=7)).isoformat(),
        files_by_id={a.attachment_id: a for a in app.attachments},
    )
    return html, status


@bp.get("/personal/arenden/<application_id>")
@staff_required("case_worker")
def case(application_id: str) -> tuple[str, int]:
    return _render_case(_case(application_id, request.args.get("skal", "")[:200]))


def _version() -> int:
    return numbers.form_version()


def _act(application_id: str, method: str, message: Any, done: str) -> Response | tuple[str, int]:
    """One action on a case; the service's refusal comes back on the case page with its words."""
    try:
        services().applications.call(method, message, token=token())
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED):
            status = 409 if exc.code != grpc.StatusCode.INVALID_ARGUMENT else 400
            return _render_case(_case(application_id), said_fields(exc), said(exc), status)
        raise
    flash(done, "success")
    return redirect(url_for("staff.case", application_id=application_id))


@bp.post("/personal/arenden/<application_id>/paborja")
@staff_required("case_worker")
def start_work(application_id: str) -> Response | tuple[str, int]:
    request_message = applications_pb2.CaseActionRequest(application_id=application_id, expected_version=_version())
    return _act(application_id, "StartWork", request_message, "desk_started")


@bp.post("/personal/arenden/<application_id>/komplettering")
@staff_required("case_worker")
def request_completion(application_id: str) -> Response | tuple[str, int]:
    items = [line.strip() for line in request.form.get("items", "").splitlines() if line.strip()]
    request_message = applications_pb2.RequestCompletionRequest(
        application_id=application_id,
        items=items[:20],
        message=request.form.get("message", "")[:2000],
        due_date=request.form.get("due_date", "")[:10],
        random_check=request.form.get("random_check") == "1",
        expected_version=_version(),
    )
    return _act(application_id, "RequestCompletion", request_message, "desk_completion_sent")


@bp.post("/personal/arenden/<application_id>/berakning")
@staff_required("case_worker")
def adjust(application_id: str) -> Response | tuple[str, int]:
    amount = numbers.whole(request.form.get("amount", ""), negative=True, high=9_999_999)
    if amount is None:
        return _render_case(_case(application_id), {"amount": t("desk_amount_invalid")}, t("desk_amount_invalid"), 400)
    request_message = applications_pb2.AdjustCalculationRequest(
        application_id=application_id,
        adjustments=[
            applications_pb2.Adjustment(
                code=request.form.get("code", "")[:60], amount=amount, reason=request.form.get("reason", "")[:500]
            )
        ],
        expected_version=_version(),
    )
    return _act(application_id, "AdjustCalculation", request_message, "desk_adjusted")


@bp.post("/personal/arenden/<application_id>/beslut")
@staff_required("case_worker")
def decide(application_id: str) -> Response | tuple[str, int]:
    amount = numbers.whole(request.form.get("amount", "").strip() or "0")
    if amount is None:
        return _render_case(_case(application_id), {"amount": t("desk_amount_invalid")}, t("desk_amount_invalid"), 400)
    request_message = applications_pb2.DecideRequest(
        application_id=application_id,
        outcome=request.form.get("outcome", "")[:20],
        amount=amount,
        reasons=request.form.get("reasons", ""),  # the contract limits it
        expected_version=_version(),
    )
    return _act(application_id, "Decide", request_message, "desk_decided")


@bp.post("/personal/arenden/<application_id>/utbetalning")
@staff_required("case_worker")
def schedule_payment(application_id: str) -> Response | tuple[str, int]:
    request_message = applications_pb2.SchedulePaymentRequest(
        application_id=application_id,
        payment_date=request.form.get("payment_date", "")[:10],
        expected_version=_version(),
    )
    return _act(application_id, "SchedulePayment", request_message, "desk_payment_scheduled")


@bp.post("/personal/arenden/<application_id>/avsluta")
@staff_required("case_worker")
def close(application_id: str) -> Response | tuple[str, int]:
    request_message = applications_pb2.CaseActionRequest(application_id=application_id, expected_version=_version())
    return _act(application_id, "CloseCase", request_message, "desk_closed")


@bp.get("/personal/arenden/<application_id>/bilagor/<attachment_id>")
@staff_required("case_worker")
def attachment(application_id: str, attachment_id: str) -> Response:
    return download(application_id, attachment_id)
