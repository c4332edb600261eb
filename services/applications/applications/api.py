"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Iterable

import grpc

from applications import settings as settings_module
from applications.domain import cases, forms
from applications.service import Applications
from applications.store import OUTBOX, Application
from fickan.applications.v1 import applications_pb2 as pb
from fickan.applications.v1 import applications_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import current_principal
from fickan_common.settings import env_str
from fickan_common.timestamps import to_timestamp

GLANCE_METHODS = {f"/{pb.DESCRIPTOR.package}.ApplicationsService/ListMyApplications"}


def application_message(app: Application, role: str, with_answers: bool = True) -> pb.Application:
    return pb.Application(
        application_id=app.id,
        kind=app.kind,
        title=forms.form_for(app.kind).title,
        status=app.status,
        status_text=cases.STATUS_TEXT.get(app.status, app.status),
        answers=app.answers if with_answers else {},
        version=app.version,
        created_at=to_timestamp(app.created_at),
        submitted_at=to_timestamp(app.submitted_at),
        role=role,
        unit=app.unit or "",
        applicant_id=app.applicant_id,
        co_applicant_id=app.co_applicant_id or "",
    )


def _mine(app: Application, user_id: str, with_answers: bool = True) -> pb.Application:
    return application_message(app, "applicant" if app.applicant_id == user_id else "co_applicant", with_answers)


class ApplicationsServicer(pb_grpc.ApplicationsServiceServicer):
    def __init__(self, applications: Applications) -> None:
        self.applications = applications

    def GetForm(self, request, context):  # noqa: N802
        form = forms.form_for(request.kind)
        return pb.Form(
            kind=form.kind,
            version=form.version,
            title=form.title,
            fields=[
                pb.Field(name=f.name, type=f.type, label=f.label, help=f.help, required=f.required) for f in form.fields
            ],
        )

    def CreateDraft(self, request, context):  # noqa: N802
        return application_message(self.applications.create_draft(current_principal(), request.kind), "applicant")

    def SaveAnswers(self, request, context):  # noqa: N802
        app = self.applications.save_answers(
            current_principal(), request.application_id, dict(request.answers), request.expected_version
        )
        return application_message(app, "applicant")

    def Submit(self, request, context):  # noqa: N802
        app = self.applications.submit(current_principal(), request.application_id, request.expected_version)
        return application_message(app, "applicant")

    def GetApplication(self, request, context):  # noqa: N802
        app, role = self.applications.get(current_principal(), request.application_id)
        return application_message(app, role)

    def ListMyApplications(self, request, context):  # noqa: N802
        principal = current_principal()
        glance = "glance" in principal.scope  # a watch sees statuses, never answers
        apps = self.applications.list_mine(principal)
        return pb.ListMyApplicationsResponse(applications=[_mine(a, principal.user_id, not glance) for a in apps])

    def ListUnitCases(self, request, context):  # noqa: N802
        apps = self.applications.list_unit_cases(current_principal(), request.limit)
        return pb.ListUnitCasesResponse(cases=[application_message(a, "staff", with_answers=False) for a in apps])

    def GetCase(self, request, context):  # noqa: N802
        app = self.applications.get_case(current_principal(), request.application_id, request.reason)
        return application_message(app, "staff")


def register(applications: Applications):  # type: ignore[no-untyped-def]
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_ApplicationsServiceServicer_to_server(ApplicationsServicer(applications), server)
        return [pb.DESCRIPTOR.services_by_name["ApplicationsService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.database_url)
    publisher = Publisher(settings.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    applications = Applications(db, on_events=flusher.kick, unit=env_str("FICKAN_CASE_UNIT", "ekonomiskt-bistand"))
    run_api(
        settings,
        register(applications),
        identity_verifier(settings.identity_target),
        on_stop=publisher.close,
        glance_methods=GLANCE_METHODS,
    )


if __name__ == "__main__":
    main()
