"""The staff's pages: the start page by role, roles for admins, and the case workers' desk.
Staff log in with BankID like everyone; what they may do comes from the roles in their token, and
every service checks it again."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import t
from bff_web.session import login_required, services, staff_required, token
from fickan.applications.v1 import applications_pb2
from fickan.identity.v1 import identity_pb2
from fickan_common.grpc_client import ServiceError

bp = Blueprint("staff", __name__)

STAFF_ROLES = ("case_worker", "contact_agent", "admin")
ROLE_TEXT = {"case_worker": "role_case_worker", "contact_agent": "role_contact_agent", "admin": "role_admin"}
ANSWER_GROUPS = ("BSU", "ÄSSF", "BBMT", "Budget- och skuldrådgivning", "Konsumentvägledning")


@bp.get("/personal")
@login_required
def start() -> str:
    roles = [r for r in STAFF_ROLES if g.principal.has_role(r)]
    if not roles:
        abort(403)
    return render_template("staff_start.html", roles=roles, unit=g.principal.unit)


# --- roles (admin) ---------------------------------------------------------------------------
def _staff_rows() -> list[dict[str, str]]:
    listed = services().identity.call("ListStaff", identity_pb2.ListStaffRequest(), token=token())
    return [
        {
            "name": u.name,
            "roles": ", ".join(t(ROLE_TEXT[r]) for r in u.roles if r in ROLE_TEXT),
            "unit": u.unit,
            "group": u.answer_group,
        }
        for u in listed.staff
    ]


def _render_roles(form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "staff_roles.html",
            staff=_staff_rows(),
            form=form or {},
            errors=errors or {},
            role_names=[(r, t(ROLE_TEXT[r])) for r in STAFF_ROLES],
            groups=ANSWER_GROUPS,
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
            return _render_roles(form, exc.field_errors or {"roles": exc.message}, 400)
        raise
    flash("roles_saved", "success")
    return redirect(url_for("staff.roles"))


# --- the case workers' desk --------------------------------------------------------------------
@bp.get("/personal/arenden")
@staff_required("case_worker")
def cases() -> str:
    listed = services().applications.call(
        "ListUnitCases", applications_pb2.ListUnitCasesRequest(limit=200), token=token()
    )
    rows = [
        {
            "id": c.application_id,
            "title": c.title,
            "status_text": c.status_text,
            "submitted": formatting.date_time(c.submitted_at),
        }
        for c in listed.cases
    ]
    return render_template("staff_cases.html", cases=rows, unit=g.principal.unit)


@bp.get("/personal/arenden/<application_id>")
@staff_required("case_worker")
def case(application_id: str) -> str:
    try:
        uuid.UUID(application_id)
    except ValueError:
        abort(404)
    reason = request.args.get("skal", "")[:200]
    app = services().applications.call(
        "GetCase", applications_pb2.GetCaseRequest(application_id=application_id, reason=reason), token=token()
    )
    return render_template(
        "staff_case.html",
        case={
            "id": app.application_id,
            "title": app.title,
            "status_text": app.status_text,
            "submitted": formatting.date_time(app.submitted_at),
            "answers": sorted(app.answers.items()),
        },
    )
