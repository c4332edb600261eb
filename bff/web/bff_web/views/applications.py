"""The resident's applications: the e-services, a form step by step (saved on the server at every
step, so it continues on any device), the summary with the preliminary calculation, signing with
BankID (and the co-applicant's signature), and the case page: where it is, what happens next, the
timeline, the decision and the calculation line by line, completion requests and attachments."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import grpc
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for

from bff_web import downloads, feedback, formatting, numbers
from bff_web import forms as web_forms
from bff_web.i18n import said, said_fields, said_problem, t
from bff_web.session import login_required, services, token
from bff_web.views.login import autostart_link, qr_svg
from fickan.applications.v1 import applications_pb2 as pb
from fickan.contact.v1 import contact_pb2
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

bp = Blueprint("applications", __name__)

SIGN_ORDER = "sign_order"  # session: {"order_ref", "application_id", "auto_start", "mode"}


def _check_id(application_id: str) -> None:
    try:
        uuid.UUID(application_id)
    except ValueError:
        abort(404)


def _application(application_id: str) -> Any:
    _check_id(application_id)
    return services().applications.call(
        "GetApplication", pb.GetApplicationRequest(application_id=application_id), token=token()
    )


def _definition(app: Any) -> web_forms.Definition:
    form = services().applications.call("GetForm", pb.GetFormRequest(kind=app.kind, version=app.form_version))
    return web_forms.Definition.parse(form.definition_json, form.requires_signature)


# --- the e-services ----------------------------------------------------------------------------
@bp.get("/e-tjanster")
@login_required
def catalogue() -> str:
    listed = services().applications.call("ListEServices", pb.ListEServicesRequest())
    period = services().applications.call("GetPeriod", pb.GetPeriodRequest())
    return render_template("catalogue.html", e_services=listed.e_services, period=period)


@bp.post("/ansokan/ny")
@login_required
def create() -> Response | tuple[str, int]:
    kind = request.form.get("kind", "eb_lopande")[:64]
    try:
        draft = services().applications.call("CreateDraft", pb.CreateDraftRequest(kind=kind), token=token())
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
            listed = services().applications.call("ListEServices", pb.ListEServicesRequest())
            period = services().applications.call("GetPeriod", pb.GetPeriodRequest())
            html = render_template("catalogue.html", e_services=listed.e_services, period=period, error=said(exc))
            return html, 409 if exc.code == grpc.StatusCode.FAILED_PRECONDITION else 404
        raise
    return redirect(url_for("applications.step", application_id=draft.application_id, index=0))


# --- step by step --------------------------------------------------------------------------------
def _render_step(
    app: Any,
    definition: web_forms.Definition,
    index: int,
    answers: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str = "",
    extra_rows: str = "",
    stale: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    errors = errors or {}
    step = definition.steps[index]
    if any(q["type"] == "summary" for q in step["questions"]):
        return _render_summary(app, definition, answers, errors, message, status)
    fields = web_forms.step_fields(definition, index, answers, errors, extra_rows)
    summary_items = [(f["id"], _named(f["label"], f["error"])) for f in fields if f["error"]]
    for f in fields:
        for row in f.get("rows", []):
            summary_items += [(c["id"], _named(c["label"], c["error"])) for c in row if c["error"]]
    known = {f["qid"] for f in fields}
    summary_items += [("", m) for k, m in errors.items() if k.split("[")[0] not in known]
    files = {a.attachment_id: a for a in app.attachments}
    html = render_template(
        "application_step.html",
        app=app,
        definition=definition,
        index=index,
        step=step,
        fields=fields,
        files=files,
        total=len(definition.steps),
        summary=message,
        summary_items=summary_items,
        stale=stale,
    )
    return html, status


def _anchor(problem: Any) -> str:
    """The id of the question's field on its step page (a group's row: the group)."""
    return web_forms.field_id(problem.question_id.split("[")[0])


def _named(label: str, error: str) -> str:
    """An error in the summary names its question (the service's required messages already do)."""
    return error if not label or label.rstrip("?.") in error else f"{label}: {error}"


def _problems(application_id: str, step: int) -> list[Any]:
    """What is missing or wrong (one step, or -1: the whole form), as the service judges it."""
    checked = services().applications.call(
        "CheckAnswers", pb.CheckAnswersRequest(application_id=application_id, step=step), token=token()
    )
    return list(checked.problems)


def _render_summary(
    app: Any,
    definition: web_forms.Definition,
    answers: dict[str, Any],
    errors: dict[str, str],
    message: str,
    status: int,
) -> tuple[str, int]:
    items = [(f"steg-{definition.step_of(k)}", m) for k, m in errors.items()]
    if not errors and not message:
        # Before signing, the summary already says what is missing, each linked to its question.
        items = [
            (
                url_for("applications.step", application_id=app.application_id, index=p.step) + "#" + _anchor(p),
                said_problem(p),
            )
            for p in _problems(app.application_id, -1)
        ]
    html = render_template(
        "application_summary_step.html",
        app=app,
        definition=definition,
        index=len(definition.steps) - 1,
        total=len(definition.steps),
        steps=web_forms.display(definition, answers),
        calculation=app.calculation if app.HasField("calculation") else None,
        summary=message,
        summary_items=items,
        errors=errors,
    )
    return html, status


@bp.get("/ansokan/<application_id>/steg/<int:index>")
@login_required
def step(application_id: str, index: int) -> Response | tuple[str, int]:
    app = _application(application_id)
    if not app.can_edit:  # the service says: the applicant, before sending
        return redirect(url_for("applications.show", application_id=application_id))
    definition = _definition(app)
    if not 0 <= index < len(definition.steps):
        abort(404)
    extra = request.args.get("rad", "")
    return _render_step(app, definition, index, web_forms.decoded(dict(app.answers)), extra_rows=extra)


def _upload_files(application_id: str, definition: web_forms.Definition, index: int) -> dict[str, list[str]]:
    """Every file chosen on this step, uploaded; the ids to add per file question."""
    added: dict[str, list[str]] = {}
    for q in definition.steps[index]["questions"]:
        if q["type"] != "file":
            continue
        for upload in request.files.getlist(q["id"]):
            if not upload or not upload.filename:
                continue
            stored = services().applications.call(
                "UploadAttachment",
                pb.UploadAttachmentRequest(
                    application_id=application_id, filename=upload.filename, content=upload.read()
                ),
                token=token(),
            )
            added.setdefault(q["id"], []).append(stored.attachment_id)
    return added


@bp.post("/ansokan/<application_id>/steg/<int:index>")
@login_required
def save_step(application_id: str, index: int) -> Response | tuple[str, int]:
    app = _application(application_id)
    if not app.can_edit:  # the service says: the applicant, before sending
        flash("application_already_submitted", "info")
        return redirect(url_for("applications.show", application_id=application_id))
    definition = _definition(app)
    if not 0 <= index < len(definition.steps):
        abort(404)
    action = request.form.get("action", "next")
    version = numbers.form_version()
    saved_answers = web_forms.decoded(dict(app.answers))
    answers = web_forms.posted_answers(definition, index, request.form)
    if action.startswith("remove:"):
        _, group, row = [*action.split(":"), "", ""][:3]
        rows = json.loads(answers.get(group, "[]")) if group in answers else []
        position = numbers.whole(row)
        if position is not None and position < len(rows):
            rows.pop(position)
            answers[group] = json.dumps(rows, ensure_ascii=False)
    try:
        added = _upload_files(application_id, definition, index)
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT and exc.code != grpc.StatusCode.FAILED_PRECONDITION:
            raise
        shown = {**saved_answers, **web_forms.decoded(answers)}
        file_q = next(q["id"] for q in definition.steps[index]["questions"] if q["type"] == "file")
        return _render_step(app, definition, index, shown, {file_q: said(exc)}, said(exc), status=400)
    for qid, ids in added.items():
        answers[qid] = json.dumps(list(saved_answers.get(qid) or []) + ids)
    if action.startswith("remove-file:"):
        _, qid, attachment_id = [*action.split(":"), "", ""][:3]
        kept = [i for i in (saved_answers.get(qid) or []) if i != attachment_id]
        answers[qid] = json.dumps(kept)
    try:
        saved = services().applications.call(
            "SaveAnswers",
            pb.SaveAnswersRequest(application_id=application_id, answers=answers, expected_version=version),
            token=token(),
        )
    except ServiceError as exc:
        shown = {**saved_answers, **web_forms.decoded(answers)}
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            return _render_step(app, definition, index, shown, said_fields(exc), said(exc), status=400)
        if exc.code == grpc.StatusCode.ABORTED:
            current = _application(application_id)
            return _render_step(current, definition, index, shown, stale=True, status=409)
        raise
    target = {"next": index + 1, "back": index - 1}.get(action, index)
    if action.startswith("add:"):
        return redirect(url_for("applications.step", application_id=application_id, index=index, rad=action[4:]))
    if action == "later":
        flash("application_saved", "success")
        return redirect(url_for("pages.overview"))
    if action == "next" and _new_questions_appeared(definition, index, saved_answers, saved):
        flash("application_more_questions", "info")
        target = index
    elif action == "next":
        # The step is saved either way; continuing needs its questions answered.
        problems = {p.question_id: said_problem(p) for p in _problems(application_id, index)}
        if problems:
            shown = web_forms.decoded(dict(saved.answers))
            return _render_step(saved, definition, index, shown, problems, status=400)
    target = max(0, min(target, len(definition.steps) - 1))
    return redirect(url_for("applications.step", application_id=application_id, index=target))


def _new_questions_appeared(definition: web_forms.Definition, index: int, before: dict[str, Any], saved: Any) -> bool:
    """Without JavaScript, a question shown by an answer on the same step appears only after saving:
    stay on the step when such a question still waits for its answer."""
    after = web_forms.decoded(dict(saved.answers))
    for q in definition.steps[index]["questions"]:
        if q["type"] in ("info", "summary") or after.get(q["id"]) not in (None, "", []):
            continue
        if web_forms.holds(q.get("show_if"), after) and not web_forms.holds(q.get("show_if"), before):
            return True
    return False


# --- signing and sending ----------------------------------------------------------------------
@bp.post("/ansokan/<application_id>/skicka")
@login_required
def send(application_id: str) -> Response | tuple[str, int]:
    """From the summary: a form that needs no signature is sent at once; the others go to signing."""
    app = _application(application_id)
    definition = _definition(app)
    if definition.requires_signature:
        return _start_signing(app, definition)
    try:
        services().applications.call(
            "Submit", pb.SubmitRequest(application_id=application_id, expected_version=app.version), token=token()
        )
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            answers = web_forms.decoded(dict(app.answers))
            return _render_summary(app, definition, answers, said_fields(exc), said(exc), 400)
        raise
    flash("application_submitted", "success")
    return redirect(url_for("applications.show", application_id=application_id))


def _start_signing(app: Any, definition: web_forms.Definition) -> Response | tuple[str, int]:
    """The applications service starts the BankID order of the case's signing text (and, when it
    completes, submits the case or records the co-applicant's signature): here only start and show."""
    mode = request.form.get("mode", "qr")
    return_url = url_for("applications.signing", application_id=app.application_id, _external=True)
    try:
        order = services().applications.call(
            "StartSigning",
            pb.StartSigningRequest(
                application_id=app.application_id,
                end_user_ip=request.remote_addr or "",
                return_url=return_url if mode == "same_device" else "",
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            answers = web_forms.decoded(dict(app.answers))
            return _render_summary(app, definition, answers, said_fields(exc), said(exc), 400)
        raise
    session[SIGN_ORDER] = {
        "order_ref": order.order_ref,
        "application_id": app.application_id,
        "auto_start": order.auto_start_token,
        "mode": mode if mode in ("qr", "same_device") else "qr",
    }
    return redirect(url_for("applications.signing", application_id=app.application_id))


@bp.post("/ansokan/<application_id>/skriv-under")
@login_required
def co_sign(application_id: str) -> Response | tuple[str, int]:
    """The co-applicant starts signing."""
    app = _application(application_id)
    if not app.awaiting_my_signature:
        return redirect(url_for("applications.show", application_id=application_id))
    return _start_signing(app, _definition(app))


def _collect_signing(application_id: str) -> tuple[str, Any]:
    """pending | complete | failed | refused (the case changed while signing) | none (no order)."""
    order = session.get(SIGN_ORDER)
    if not order or order.get("application_id") != application_id:
        return "none", None
    try:
        answer = services().applications.call(
            "CollectSigning",
            pb.CollectSigningRequest(application_id=application_id, order_ref=order["order_ref"]),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            session.pop(SIGN_ORDER, None)
            return "failed", None
        if exc.code == grpc.StatusCode.FAILED_PRECONDITION:
            session.pop(SIGN_ORDER, None)
            return "refused", None
        raise
    if answer.status == pb.SigningProgress.PENDING:
        return "pending", answer
    session.pop(SIGN_ORDER, None)
    if answer.status != pb.SigningProgress.COMPLETE:
        return "failed", answer
    log.info("application signed", extra={"fields": {"role": answer.application.role}})
    return "complete", answer


_SIGN_ENDED = {"complete": ("application_signed", "success"), "refused": ("sign_refused", "info")}


def _sign_message(answer: Any) -> str:
    if answer is None:
        return t("sign_failed")
    if g.get("lang") == "en" and answer.user_message_en:
        return answer.user_message_en
    return answer.user_message or t("sign_failed")


@bp.get("/ansokan/<application_id>/underskrift")
@login_required
def signing(application_id: str) -> Response | tuple[str, int]:
    _check_id(application_id)
    state, answer = _collect_signing(application_id)
    if state == "none":
        return redirect(url_for("applications.show", application_id=application_id))
    if state != "pending":
        flash(*_SIGN_ENDED.get(state, ("sign_failed", "info")))
        return redirect(url_for("applications.show", application_id=application_id))
    order = session.get(SIGN_ORDER, {})
    mode = order.get("mode", "qr")
    html = render_template(
        "sign_waiting.html",
        application_id=application_id,
        message=_sign_message(answer),
        mode=mode,
        qr=qr_svg(answer.qr_data) if mode == "qr" else "",
        qr_data=answer.qr_data if mode == "qr" else "",
        autostart=autostart_link(order.get("auto_start", "")) if order.get("auto_start") else "",
    )
    return html, 200


@bp.get("/ansokan/<application_id>/underskrift/status")
@login_required
def signing_status(application_id: str) -> Response:
    _check_id(application_id)
    state, answer = _collect_signing(application_id)
    body: dict[str, Any] = {"status": state if state in ("pending", "complete") else "failed"}
    if state == "pending":
        body.update(message=_sign_message(answer), qr=str(qr_svg(answer.qr_data)), qrData=answer.qr_data)
    else:
        flash(*_SIGN_ENDED.get(state, ("sign_failed", "info")))
        body["next"] = url_for("applications.show", application_id=application_id)
    response = Response(json.dumps(body), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/ansokan/<application_id>/underskrift/avbryt")
@login_required
def cancel_signing(application_id: str) -> Response:
    order = session.pop(SIGN_ORDER, None)
    if order and order.get("application_id") == application_id:
        try:
            services().applications.call(
                "CancelSigning",
                pb.CancelSigningRequest(application_id=application_id, order_ref=order["order_ref"]),
                token=token(),
            )
        except ServiceError:
            pass  # the order times out at BankID by itself
    flash("sign_cancelled", "info")
    return redirect(url_for("applications.show", application_id=application_id))


# --- the case ----------------------------------------------------------------------------------
def _long_date(value: str) -> str:
    """ "3 december 2026" (or "3 December 2026") of a YYYY-MM-DD; "" when there is none."""
    if len(value) != 10:
        return ""
    year, month, day = value.split("-")
    return t("long_date", day=int(day), month=t(MONTH_KEYS[int(month) - 1]), year=year)


MONTH_KEYS = tuple(f"month_long_{n}" for n in range(1, 13))


def _render_case(
    app: Any,
    error: str = "",
    status: int = 200,
    feedback_values: dict[str, str] | None = None,
    feedback_errors: dict[str, str] | None = None,
) -> tuple[str, int]:
    definition = _definition(app)
    english = g.get("lang") == "en"
    rating = None
    # Sent: a resident may rate the e-service from here on (the contact service decides).
    if formatting.is_set(app.submitted_at) and app.role != "staff":
        rating = feedback.panel("e_service", app.application_id, feedback_values)
    html = render_template(
        "application_case.html",
        app=app,
        steps=web_forms.display(definition, web_forms.decoded(dict(app.answers))),
        open_request=next((r for r in app.completion_requests if r.open_for_resident), None),
        overdue_request=next((r for r in app.completion_requests if r.overdue), None),
        submitted=formatting.date_time(app.submitted_at),
        timeline=[{"when": formatting.date_time(e.at), "text": e.text_en if english else e.text} for e in app.timeline],
        can_withdraw=app.can_withdraw,
        files={a.attachment_id: a for a in app.attachments},
        next_step_date=_long_date(app.next_step_date),
        questions=linked_questions(app.application_id) if app.submitted_at.seconds else [],
        error=error,
        live=True,  # a decision or a request for more appears while the page is open
        feedback=rating,
        errors=feedback_errors or {},
    )
    return html, status


@bp.post("/ansokan/<application_id>/omdome")
@login_required
def give_feedback(application_id: str) -> Response | tuple[str, int]:
    """The resident rates the e-service 1-5 after sending the application (once; changeable for a day)."""
    app = _application(application_id)
    values, errors, status = feedback.give("e_service", app.application_id)
    if errors:
        return _render_case(app, status=status, feedback_values=values, feedback_errors=errors)
    flash("feedback_thanks", "success")
    return redirect(url_for("applications.show", application_id=application_id) + "#feedback-title")


@bp.get("/ansokan/<application_id>")
@login_required
def show(application_id: str) -> Response | tuple[str, int]:
    app = _application(application_id)
    if app.status == pb.APPLICATION_STATUS_DRAFT and app.can_edit:
        return redirect(url_for("applications.step", application_id=application_id, index=0))
    return _render_case(app)


@bp.post("/ansokan/<application_id>/komplettering")
@login_required
def complete(application_id: str) -> Response | tuple[str, int]:
    app = _application(application_id)
    # Whole: the service refuses what is too long (its contract), nothing is cut off silently.
    text = request.form.get("text", "").strip()
    ids: list[str] = []
    try:
        for upload in request.files.getlist("files"):
            if upload and upload.filename:
                stored = services().applications.call(
                    "UploadAttachment",
                    pb.UploadAttachmentRequest(
                        application_id=application_id, filename=upload.filename, content=upload.read()
                    ),
                    token=token(),
                )
                ids.append(stored.attachment_id)
        services().applications.call(
            "SubmitCompletion",
            pb.SubmitCompletionRequest(
                application_id=application_id,
                text=text,
                attachment_ids=ids,
                expected_version=numbers.form_version(),
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
            return _render_case(app, said(exc) or t("error_text_400"), 400)
        raise
    flash("completion_sent", "success")
    return redirect(url_for("applications.show", application_id=application_id))


@bp.post("/ansokan/<application_id>/aterta")
@login_required
def withdraw(application_id: str) -> Response:
    _check_id(application_id)
    reason = request.form.get("reason", "").strip()[:300]
    services().applications.call(
        "Withdraw", pb.WithdrawRequest(application_id=application_id, reason=reason), token=token()
    )
    flash("application_withdrawn", "success")
    return redirect(url_for("applications.show", application_id=application_id))


@bp.get("/ansokan/<application_id>/bilagor/<attachment_id>")
@login_required
def attachment(application_id: str, attachment_id: str) -> Response:
    return download(application_id, attachment_id)


def download(application_id: str, attachment_id: str, reason: str = "") -> Response:
    """A stored file as a download (never shown inline: it is the resident's document, not a page)."""
    _check_id(application_id)
    _check_id(attachment_id)
    got = services().applications.call(
        "GetAttachment",
        pb.GetAttachmentRequest(application_id=application_id, attachment_id=attachment_id),
        token=token(),
    )
    return downloads.attachment(got.content, got.attachment.content_type, got.attachment.filename)


@bp.get("/ansokan/<application_id>/kopia.pdf")
@login_required
def copy(application_id: str) -> Response:
    """The copy of exactly what was sent, made by the applications service (a tagged PDF)."""
    _check_id(application_id)
    got = services().applications.call(
        "GetSubmittedCopy", pb.GetSubmittedCopyRequest(application_id=application_id), token=token()
    )
    return downloads.attachment(got.content, got.content_type, got.filename)


def linked_questions(application_id: str) -> list[Any] | None:
    """The resident's questions to the contact centre about this case (None when contact is away:
    the case page still shows, with the way to ask)."""
    try:
        mine = services().contact.call("ListMyQuestions", contact_pb2.ListMyQuestionsRequest(), token=token())
    except ServiceError as exc:
        log.warning("questions unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        return None
    return [q for q in mine.questions if q.application_id == application_id]
