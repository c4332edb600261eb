"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import grpc

from applications import settings as settings_module
from applications import steps
from applications.casework import Casework
from applications.contact_links import ContactLinks
from applications.domain import calculation as calc
from applications.domain import cases, forms
from applications.people import IdentityPeople
from applications.retention import KEPT, REMOVED, Retention
from applications.service import CASE_CAVEAT, ESTIMATE_CAVEAT, Applications
from applications.settings import RetentionSettings
from applications.signing import Signing
from applications.store import IDEMPOTENCY, OUTBOX, Application
from fickan.applications.v1 import applications_pb2 as pb
from fickan.applications.v1 import applications_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.errors import NotFound, ValidationFailed
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import current_principal
from fickan_common.idempotency import IdempotencyStore
from fickan_common.timestamps import to_timestamp

SERVICE = f"/{pb.DESCRIPTOR.package}.ApplicationsService/"
PUBLIC_METHODS = {SERVICE + m for m in ("ListEServices", "GetForm", "GetPeriod", "Estimate", "GetRetentionRules")}
GLANCE_METHODS = {SERVICE + m for m in ("ListMyApplications", "GetMyCaseGlance")}
# What changes a case: a repeat with the same idempotency key gets the first answer.
COMMANDS = {
    SERVICE + m
    for m in (
        "CreateDraft",
        "SaveAnswers",
        "Submit",
        "Sign",
        "Withdraw",
        "SubmitCompletion",
        "UploadAttachment",
        "StartWork",
        "RequestCompletion",
        "AdjustCalculation",
        "Decide",
        "SchedulePayment",
        "CloseCase",
    )
}


def status_value(status: str) -> int:
    """A case's status as the contract's enum: APPLICATION_STATUS_ and the status in capitals."""
    return pb.ApplicationStatus.Value(f"APPLICATION_STATUS_{status.upper()}")


def calculation_message(result: calc.Calculation | None, caveat: str) -> pb.Calculation | None:
    if result is None:
        return None
    return pb.Calculation(
        year=result.year,
        table_version=result.table_version,
        lines=[
            pb.CalculationLine(
                code=line.code,
                label=line.label,
                label_en=line.label_en,
                amount=line.amount,
                kind=line.kind,
                estimated=line.estimated,
                note=line.note,
                adjusted=line.adjusted,
                original=line.original or 0,
                reason=line.reason,
            )
            for line in result.lines
        ],
        norm_total=result.norm_total,
        costs_total=result.costs_total,
        need_total=result.need_total,
        income_total=result.income_total,
        result=result.result,
        estimated=result.estimated,
        caveat=caveat,
    )


def _decision(app: Application) -> pb.Decision | None:
    if not app.decision:
        return None
    outcome = app.decision.get("outcome", "")
    text = cases.OUTCOME_TEXT.get(outcome, cases.Text(outcome, outcome))
    rejected_or_partly = outcome in ("rejected", "partly_approved")
    return pb.Decision(
        outcome=outcome,
        outcome_text=text.sv,
        outcome_text_en=text.en,
        amount=int(app.decision.get("amount", 0)),
        reasons=app.decision.get("reasons", ""),
        appeal=cases.APPEAL_TEXT.sv if rejected_or_partly else "",
        appeal_en=cases.APPEAL_TEXT.en if rejected_or_partly else "",
        decided_at=to_timestamp(steps.aware(app.decided_at)),
        automatic=bool(app.decision.get("automatic")),
    )


_PROGRESS = {"pending": pb.SigningProgress.PENDING, "failed": pb.SigningProgress.FAILED}


class ApplicationsServicer(pb_grpc.ApplicationsServiceServicer):
    def __init__(self, applications: Applications, casework: Casework, retention: Retention, signing: Signing) -> None:
        self.applications = applications
        self.casework = casework
        self.retention = retention
        self.signing = signing

    # -- shaping ----------------------------------------------------------------------------------
    def message(self, app: Application, role: str, full: bool = True, staff: bool = False) -> pb.Application:
        """A case as the caller may see it: `full` adds the answers, timeline, calculation and files;
        `staff` adds the proposal and what changed since the previous case."""
        status = cases.staff_text_of(app.status) if role == "staff" else cases.text_of(app.status)
        answer = pb.Application(
            application_id=app.id,
            kind=app.kind,
            form_version=app.form_version,
            title=steps.title(app),
            status=status_value(app.status),
            status_text=status.sv,
            status_text_en=status.en,
            resident_must_act=app.status in cases.RESIDENTS_ACT,
            version=app.version,
            created_at=to_timestamp(steps.aware(app.created_at)),
            submitted_at=to_timestamp(steps.aware(app.submitted_at)),
            due_at=to_timestamp(steps.aware(app.due_at)),
            paid_at=to_timestamp(steps.aware(app.paid_at)),
            role=role,
            unit=app.unit or "",
            applicant_id=app.applicant_id,
            co_applicant_id=app.co_applicant_id or "",
            period=app.period or "",
            payment_date=app.payment_date.isoformat() if app.payment_date else "",
            payment_amount=app.payment_amount or 0,
            applicant_signed=app.applicant_signed_at is not None,
            co_applicant_signed=app.co_applicant_signed_at is not None,
            awaiting_my_signature=role == "co_applicant" and app.status == cases.SIGNATURE_PENDING,
            case_worker_name=app.assigned_name or "",
            applicant_name=app.applicant_name or "",
            co_applicant_name=app.co_applicant_name or "",
        )
        service = forms.e_service_entry(app.kind)
        if app.unit:
            answer.unit_name = service.get("unit_name", app.unit) if service.get("unit") == app.unit else app.unit
            answer.unit_name_en = service.get("unit_name_en", "") if service.get("unit") == app.unit else ""
        answer.contact_topic = service.get("contact_topic", "")
        if role == "staff":
            # Whom the case is about, for the unit's case workers (the read is in the access log).
            answer.applicant_masked_personnummer = app.applicant_masked or ""
            answer.co_applicant_masked_personnummer = app.co_applicant_masked or ""
            household = self._household(app)
            if household is not None:
                answer.household_adults = household.adults
                answer.household_children_ages.extend(c.age for c in household.children if c.age_known)
                answer.household_children = len(household.children)
        decision = _decision(app)
        if decision is not None:
            answer.decision.CopyFrom(decision)
        if not full:
            self._allowed(answer, app, role)
            next_step = steps.next_action(app, role)
            answer.next_action, answer.next_action_en = next_step.sv, next_step.en
            dated = steps.next_step_date(app)
            answer.next_step_date = dated.isoformat() if dated else ""
            return answer
        answer.answers.update(forms.wire_answers(app.answers))
        details = self.applications.details(app.id)
        next_step = steps.next_action(app, role, details["open_request"])
        answer.next_action, answer.next_action_en = next_step.sv, next_step.en
        dated = steps.next_step_date(app, details["open_request"])
        answer.next_step_date = dated.isoformat() if dated else ""
        for event in details["timeline"]:
            text = cases.Text(event.text_sv, event.text_en)
            if role == "staff":
                text = cases.staff_timeline_text(event.status, event.kind, text)
            answer.timeline.add(
                at=to_timestamp(steps.aware(event.at)),
                status=status_value(event.status),
                text=text.sv,
                text_en=text.en,
                actor=event.actor,
            )
        latest = details["requests"][-1] if details["requests"] else None
        overdue = latest is not None and latest.answered_at is None and latest.due_date < self.applications.today()
        self._allowed(answer, app, role, overdue)
        for request in details["requests"]:
            in_reach = request is latest and self.applications.completion_open(app, request)
            answer.completion_requests.add(
                open_for_resident=in_reach,
                overdue=request.answered_at is None and request.due_date < self.applications.today(),
                request_id=request.id,
                items=request.items,
                message=request.message,
                due_date=request.due_date.isoformat(),
                random_check=request.random_check,
                answered=request.answered_at is not None,
                answer_text=request.answer_text,
                answer_attachment_ids=request.answer_attachments,
            )
        for stored in details["attachments"]:
            answer.attachments.add(
                attachment_id=stored.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_at=to_timestamp(steps.aware(stored.uploaded_at)),
            )
        calculation = calculation_message(self.applications.calculation_of(app), CASE_CAVEAT)
        if calculation is not None:
            answer.calculation.CopyFrom(calculation)
        if staff:
            if app.proposal:
                answer.proposal.CopyFrom(
                    pb.Proposal(
                        recommendation=app.proposal.get("recommendation", ""),
                        amount=int(app.proposal.get("amount", 0)),
                        checks=[pb.RuleCheck(**check) for check in app.proposal.get("checks", [])],
                        made_at=to_timestamp(datetime.fromisoformat(app.proposal["made_at"]))
                        if app.proposal.get("made_at")
                        else None,
                        latency_ms=int(app.proposal.get("latency_ms", 0)),
                    )
                )
            for change in app.changes or []:
                answer.changes.add(**change)
        return answer

    def _household(self, app: Application) -> calc.CalculationInput | None:
        """Who lives in the household, as the answers say (for the desk's glance)."""
        try:
            return steps.calculation_input(app, self.applications.today())
        except (NotFound, ValidationFailed):
            return None

    def _mine(self, app: Application, user_id: str, full: bool = True) -> pb.Application:
        return self.message(app, "applicant" if app.applicant_id == user_id else "co_applicant", full)

    # -- public -----------------------------------------------------------------------------------
    def ListEServices(self, request, context):  # noqa: N802
        return pb.ListEServicesResponse(
            e_services=[
                pb.EService(
                    id=e["id"],
                    title=e["title"],
                    description=e.get("description", ""),
                    forms=[
                        pb.EServiceForm(kind=f["kind"], title=f["title"], when=f.get("when", "")) for f in e["forms"]
                    ],
                )
                for e in self.applications.e_services()
            ]
        )

    def GetForm(self, request, context):  # noqa: N802
        form = forms.form_for(request.kind, request.version or None)
        return pb.Form(
            kind=form.kind,
            version=form.version,
            title=form.title,
            fields=[
                pb.Field(name=q.id, type=q.type, label=q.label, help=q.help, required=q.required) for q in form.fields
            ],
            definition_json=form.definition_json(),
            period_bound=form.period_bound,
            requires_signature=form.requires_signature,
        )

    def GetPeriod(self, request, context):  # noqa: N802
        window = self.applications.period(request.period)
        return pb.Period(
            period=window.period,
            opens=window.opens.isoformat(),
            closes=window.closes.isoformat(),
            open=window.is_open(self.applications.today()),
            text=window.text(),
            payment_day=window.payment_day.isoformat(),
        )

    def Estimate(self, request, context):  # noqa: N802
        # Every number's range is the contract's (EstimateRequest's limits), checked by the interceptor.
        amounts = {
            "housing": request.housing,
            "electricity": request.electricity,
            "home_insurance": request.home_insurance,
            "work_travel": request.work_travel,
            "union_fee": request.union_fee,
            "akassa_fee": request.akassa_fee,
        }
        year = request.year or self.applications.today().year
        incomes = []
        if request.earned_income:
            incomes.append(calc.Income("lon", int(request.earned_income)))
        if request.other_income:
            incomes.append(calc.Income("annat", int(request.other_income)))
        data = calc.CalculationInput(
            year=year,
            adults=request.adults,
            children=tuple(calc.Child(age) for age in request.children_ages),
            costs={k: int(v) for k, v in amounts.items() if v},
            incomes=tuple(incomes),
        )
        return calculation_message(self.applications.estimate(data), ESTIMATE_CAVEAT)

    # -- the resident -----------------------------------------------------------------------------
    def CreateDraft(self, request, context):  # noqa: N802
        app = self.applications.create_draft(current_principal(), request.kind, request.period)
        return self.message(app, "applicant")

    def CheckAnswers(self, request, context):  # noqa: N802
        problems = self.applications.check_answers(current_principal(), request.application_id, request.step)
        return pb.AnswerProblems(
            problems=[pb.AnswerProblem(question_id=q, message=m.sv, message_en=m.en, step=s) for q, m, s in problems]
        )

    def SaveAnswers(self, request, context):  # noqa: N802
        app = self.applications.save_answers(
            current_principal(), request.application_id, dict(request.answers), request.expected_version
        )
        return self.message(app, "applicant")

    def GetSigningText(self, request, context):  # noqa: N802
        text, version, reference = self.applications.get_signing_text(current_principal(), request.application_id)
        return pb.SigningText(text=text, version=version, reference=reference)

    def Submit(self, request, context):  # noqa: N802
        app = self.applications.submit(
            current_principal(), request.application_id, request.expected_version, request.signature_id
        )
        return self.message(app, "applicant")

    def Sign(self, request, context):  # noqa: N802
        app = self.applications.sign(current_principal(), request.application_id, request.signature_id)
        return self.message(app, "co_applicant")

    def StartSigning(self, request, context):  # noqa: N802
        order, version = self.signing.start(
            current_principal(), request.application_id, request.end_user_ip, request.return_url
        )
        return pb.SigningOrder(
            order_ref=order.order_ref, auto_start_token=order.auto_start_token, qr_data=order.qr_data, version=version
        )

    def CollectSigning(self, request, context):  # noqa: N802
        result = self.signing.collect(current_principal(), request.application_id, request.order_ref)
        if result.application is not None:
            return pb.SigningProgress(
                status=pb.SigningProgress.COMPLETE,
                application=self.message(result.application, result.role),
                signature_id=result.signature_id,
            )
        return pb.SigningProgress(
            status=_PROGRESS[result.status],
            hint_code=result.hint_code,
            user_message=result.user_message,
            user_message_en=result.user_message_en,
            qr_data=result.qr_data,
        )

    def CancelSigning(self, request, context):  # noqa: N802
        self.signing.cancel(current_principal(), request.application_id, request.order_ref)
        return pb.CancelSigningResponse()

    def Withdraw(self, request, context):  # noqa: N802
        principal = current_principal()
        return self._mine(
            self.applications.withdraw(principal, request.application_id, request.reason), principal.user_id
        )

    def SubmitCompletion(self, request, context):  # noqa: N802
        principal = current_principal()
        app = self.applications.submit_completion(
            principal, request.application_id, request.text, list(request.attachment_ids), request.expected_version
        )
        return self._mine(app, principal.user_id)

    def GetApplication(self, request, context):  # noqa: N802
        app, role = self.applications.get(current_principal(), request.application_id)
        return self.message(app, role)

    def ListMyApplications(self, request, context):  # noqa: N802
        principal = current_principal()
        apps = self.applications.list_mine(principal)
        # A list shows no answers; a watch (glance token) never gets them anyway.
        return pb.ListMyApplicationsResponse(applications=[self._mine(a, principal.user_id, full=False) for a in apps])

    def GetMyCaseGlance(self, request, context):  # noqa: N802
        app, role, open_request = self.applications.glance(current_principal())
        if app is None:
            return pb.CaseGlance(has_case=False)
        return self._glance(app, role, open_request)

    def GetCaseGlanceForContact(self, request, context):  # noqa: N802
        app, open_request = self.applications.glance_for_contact(
            current_principal(), request.application_id, request.question_id
        )
        return self._glance(app, "applicant", open_request)

    @staticmethod
    def _allowed(answer: pb.Application, app: Application, role: str, overdue: bool = False) -> None:
        """What the caller may do now (a list has no completions: the overdue decision shows in full)."""
        allowed = cases.allowed(app.status, role, (app.decision or {}).get("outcome", ""), overdue)
        answer.can_edit, answer.can_withdraw = allowed.edit, allowed.withdraw
        answer.can_start_work, answer.can_request_completion = allowed.start_work, allowed.request_completion
        answer.can_decide, answer.can_schedule_payment = allowed.decide, allowed.schedule_payment
        answer.can_close = allowed.close

    @staticmethod
    def _glance(app, role: str, open_request) -> pb.CaseGlance:
        status, step = cases.text_of(app.status), steps.next_action(app, role, open_request)
        due = steps.aware(app.due_at)
        waiting = app.status in (cases.SUBMITTED, cases.RECEIVED, cases.IN_PROGRESS, cases.COMPLETION_SUBMITTED)
        seconds = int((due - datetime.now(UTC)).total_seconds()) if due and waiting else 0
        return pb.CaseGlance(
            has_case=True,
            application_id=app.id,
            title=steps.title(app),
            status=status_value(app.status),
            resident_must_act=app.status in cases.RESIDENTS_ACT,
            status_text=status.sv,
            status_text_en=status.en,
            next_action=step.sv,
            next_action_en=step.en,
            seconds_to_decision=max(seconds, 0),
            payment_date=app.payment_date.isoformat() if app.payment_date else "",
            payment_amount=app.payment_amount or 0,
        )

    # -- attachments ------------------------------------------------------------------------------
    def UploadAttachment(self, request, context):  # noqa: N802
        stored = self.applications.upload(
            current_principal(), request.application_id, request.filename, request.content
        )
        return _attachment(stored)

    def GetAttachment(self, request, context):  # noqa: N802
        stored = self.applications.attachment(current_principal(), request.application_id, request.attachment_id)
        return pb.AttachmentContent(attachment=_attachment(stored), content=stored.content)

    def GetSubmittedCopy(self, request, context):  # noqa: N802
        name, content = self.applications.submitted_copy(current_principal(), request.application_id)
        return pb.SubmittedCopy(filename=name, content_type="application/pdf", content=content)

    # -- staff ------------------------------------------------------------------------------------
    def ListUnitCases(self, request, context):  # noqa: N802
        apps = self.casework.queue(current_principal(), request.limit)
        return pb.ListUnitCasesResponse(cases=[self.message(a, "staff", full=False) for a in apps])

    def GetCase(self, request, context):  # noqa: N802
        app = self.casework.open_case(current_principal(), request.application_id, request.reason)
        return self.message(app, "staff", staff=True)

    def StartWork(self, request, context):  # noqa: N802
        app = self.casework.start_work(current_principal(), request.application_id, request.expected_version)
        return self.message(app, "staff", staff=True)

    def RequestCompletion(self, request, context):  # noqa: N802
        app = self.casework.request_completion(
            current_principal(),
            request.application_id,
            list(request.items),
            request.message,
            request.due_date,
            request.random_check,
            request.expected_version,
        )
        return self.message(app, "staff", staff=True)

    def AdjustCalculation(self, request, context):  # noqa: N802
        adjustments = [calc.Adjustment(a.code, int(a.amount), a.reason) for a in request.adjustments]
        app = self.casework.adjust(current_principal(), request.application_id, adjustments, request.expected_version)
        return self.message(app, "staff", staff=True)

    def Decide(self, request, context):  # noqa: N802
        app = self.casework.decide(
            current_principal(),
            request.application_id,
            request.outcome,
            int(request.amount),
            request.reasons,
            request.expected_version,
        )
        return self.message(app, "staff", staff=True)

    def SchedulePayment(self, request, context):  # noqa: N802
        app = self.casework.schedule_payment(
            current_principal(), request.application_id, request.payment_date, request.expected_version
        )
        return self.message(app, "staff", staff=True)

    def CloseCase(self, request, context):  # noqa: N802
        app = self.casework.close(current_principal(), request.application_id, request.expected_version)
        return self.message(app, "staff", staff=True)

    # -- retention --------------------------------------------------------------------------------
    def GetRetentionRules(self, request, context):  # noqa: N802
        rules = self.retention.settings
        return pb.RetentionRules(
            draft_retention_days=rules.draft_days,
            draft_warning_days=rules.warning_days,
            case_retention_months=rules.case_months,
            removed=REMOVED.sv,
            removed_en=REMOVED.en,
            kept=KEPT.sv,
            kept_en=KEPT.en,
        )

    def ListRetentionLog(self, request, context):  # noqa: N802
        entries = self.retention.entries(current_principal(), request.limit)
        return pb.ListRetentionLogResponse(
            entries=[
                pb.RetentionLogEntry(
                    at=to_timestamp(steps.aware(e.at)),
                    subject=e.subject,
                    application_id=e.application_id,
                    removed=e.removed,
                    rule=e.rule,
                )
                for e in entries
            ]
        )


def _attachment(stored: Any) -> pb.Attachment:
    return pb.Attachment(
        attachment_id=stored.id,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_at=to_timestamp(steps.aware(stored.uploaded_at)),
    )


def register(  # type: ignore[no-untyped-def]
    applications: Applications,
    casework: Casework | None = None,
    retention: Retention | None = None,
    signing: Signing | None = None,
):
    casework = casework or Casework(applications.db, applications.on_events, today=applications.today)
    retention = retention or Retention(applications.db, applications.on_events, RetentionSettings())
    signing = signing or Signing(applications, None)  # without identity, signing answers UNAVAILABLE

    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_ApplicationsServiceServicer_to_server(
            ApplicationsServicer(applications, casework, retention, signing), server
        )
        return [pb.DESCRIPTOR.services_by_name["ApplicationsService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    settings.configure_domain()
    db = Database(settings.service.database_url)
    publisher = Publisher(settings.service.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    casework = Casework(db, flusher.kick, settings.casework, today=settings.today)
    people = IdentityPeople(settings.service.identity_target)  # identity, on the caller's behalf
    applications = Applications(
        db,
        on_events=flusher.kick,
        unit=settings.case_unit,
        people=people,
        links=ContactLinks(settings.contact_target),
        today=settings.today,
        # The api receives a sent case itself (see docs/architecture.md); False leaves it to the worker.
        receive=casework.receive if settings.receive_at_once else None,
    )
    retention = Retention(db, flusher.kick, settings.retention)
    run_api(
        settings.service,
        register(applications, casework, retention, signing=Signing(applications, people)),
        identity_verifier(settings.service.identity_target, settings.service.amqp_uri, "applications"),
        PUBLIC_METHODS,
        on_stop=publisher.close,
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
