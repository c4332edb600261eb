"""Applications: create a draft, fill in the service's form, save, submit; a read-only summary after."""

from __future__ import annotations

from typing import Any

import grpc
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.session import login_required, services, token
from fickan.applications.v1 import applications_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("applications", __name__)

KIND = "ekonomiskt_bistand"
DRAFT = "draft"
ACTIONS = ("save", "submit")


def _get(application_id: str) -> tuple[Any, Any]:
    application = services().applications.call(
        "GetApplication", pb.GetApplicationRequest(application_id=application_id), token=token()
    )
    form = services().applications.call("GetForm", pb.GetFormRequest(kind=application.kind), token=token())
    return application, form


def _fields(form: Any, values: dict[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"falt-{field.name}",
            "name": field.name,
            "type": field.type,
            "label": field.label,
            "help": field.help,
            "required": field.required,
            "value": values.get(field.name, ""),
            "error": errors.get(field.name, ""),
        }
        for field in form.fields
    ]


def _render_form(
    application: Any,
    form: Any,
    values: dict[str, str],
    version: int,
    errors: dict[str, str] | None = None,
    summary: str = "",
    stale: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    errors = errors or {}
    fields = _fields(form, values, errors)
    known = {f["name"] for f in fields}
    # Errors about something that is not a field of this form still belong in the summary.
    summary_items = [(f["id"], _joined(f["label"], f["error"])) for f in fields if f["error"]]
    summary_items += [("", message) for name, message in errors.items() if name not in known]
    body = render_template(
        "application_form.html",
        application=application,
        form=form,
        fields=fields,
        version=version,
        summary=summary,
        summary_items=summary_items,
        has_errors=bool(errors or summary),
        stale=stale,
    )
    return body, status


def _joined(label: str, message: str) -> str:
    """ "Antal vuxna: Svara på frågan." but "Vilken månad? Skriv ..." (no colon after a question)."""
    if not label:
        return message
    return f"{label} {message}" if label.rstrip()[-1] in "?.:!" else f"{label}: {message}"


def _render_summary(application: Any, form: Any) -> str:
    answers = [{"label": f.label, "value": application.answers.get(f.name, "")} for f in form.fields]
    return render_template(
        "application_summary.html",
        application=application,
        form=form,
        answers=answers,
        submitted=formatting.date_time(application.submitted_at),
    )


@bp.post("/ansokan/ny")
@login_required
def create() -> Response:
    draft = services().applications.call("CreateDraft", pb.CreateDraftRequest(kind=KIND), token=token())
    return redirect(url_for("applications.show", application_id=draft.application_id))


@bp.get("/ansokan/<application_id>")
@login_required
def show(application_id: str) -> str | tuple[str, int]:
    application, form = _get(application_id)
    if application.status != DRAFT:
        return _render_summary(application, form)
    return _render_form(application, form, dict(application.answers), application.version)


@bp.post("/ansokan/<application_id>")
@login_required
def save(application_id: str) -> Response | tuple[str, int]:
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        abort(400)
    try:
        version = int(request.form.get("version", "0"))
    except ValueError:
        abort(400)
    application, form = _get(application_id)
    if application.status != DRAFT:
        flash("application_already_submitted", "info")
        return redirect(url_for("applications.show", application_id=application_id))
    answers = {field.name: request.form.get(field.name, "").strip() for field in form.fields}
    client = services().applications
    try:
        saved = client.call(
            "SaveAnswers",
            pb.SaveAnswersRequest(application_id=application_id, answers=answers, expected_version=version),
            token=token(),
        )
    except ServiceError as exc:
        return _refused(exc, application, form, answers, version)
    if action == "save":
        flash("application_saved", "success")
        return redirect(url_for("applications.show", application_id=application_id))
    try:
        client.call(
            "Submit", pb.SubmitRequest(application_id=application_id, expected_version=saved.version), token=token()
        )
    except ServiceError as exc:
        return _refused(exc, saved, form, answers, saved.version)
    flash("application_submitted", "success")
    return redirect(url_for("applications.show", application_id=application_id))


def _refused(exc: ServiceError, application: Any, form: Any, answers: dict[str, str], version: int) -> tuple[str, int]:
    """Validation errors: the form again with what was entered (400). A stale version: the form with
    the entered answers and the current version, so saving again is a deliberate overwrite (409)."""
    if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
        return _render_form(
            application, form, answers, version, errors=exc.field_errors, summary=exc.message, status=400
        )
    if exc.code == grpc.StatusCode.ABORTED:
        current = services().applications.call(
            "GetApplication", pb.GetApplicationRequest(application_id=application.application_id), token=token()
        )
        return _render_form(current, form, answers, current.version, stale=True, status=409)
    raise exc
