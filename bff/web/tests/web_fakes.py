"""TRANSITIONAL, NOT PROVEN EQUAL TO THE SERVICES: in-memory servicers behind real grpcio servers,
left only for the web test files that still import `fake_platform, on_fakes` (the application form
and signing pages, the case worker's desk, account pages, bookings, inactivity, the browser tests
and the hostile-input fuzz). The other web tests run on the real services (conftest.py); move these
files the same way and delete this module.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from applications.domain import cases
from fickan.applications.v1 import applications_pb2 as apb
from fickan.applications.v1 import applications_pb2_grpc as apb_grpc
from fickan.identity.v1 import identity_pb2 as ipb
from fickan.identity.v1 import identity_pb2_grpc as ipb_grpc
from fickan.notifications.v1 import notifications_pb2 as npb
from fickan.notifications.v1 import notifications_pb2_grpc as npb_grpc
from fickan_bff import case_status
from fickan_common.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    Unauthenticated,
    ValidationFailed,
)
from fickan_common.grpc_server import current_principal
from fickan_common.testing import TokenFactory

IDENTITY_PUBLIC = [
    f"/fickan.identity.v1.IdentityService/{name}"
    for name in ("StartLogin", "CollectLogin", "CancelLogin", "GetJwks", "RefreshToken", "Logout", "GetBankIdStatus")
]
APPLICATIONS_PUBLIC = [
    f"/fickan.applications.v1.ApplicationsService/{name}"
    for name in ("ListEServices", "GetForm", "GetPeriod", "Estimate")
]
# Whoever scans the QR code when no personnummer was given.
QR_PERSON = "199001012385"

# The personal number that makes the fake BankID fail the order.
FAILING_PERSONAL_NUMBER = "199912319999"
USER_FAILED_MESSAGE = "BankID-appen verkar inte finnas i din dator eller telefon."


def user_id_for(personal_number: str) -> str:
    """A stable user id per person, as identity would keep (never the personnummer itself)."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, personal_number))


def _now() -> Timestamp:
    ts = Timestamp()
    ts.GetCurrentTime()
    return ts


@dataclass
class Order:
    personal_number: str
    polls: int = 0
    cancelled: bool = False
    secret: str = ""


class FakeIdentity(ipb_grpc.IdentityServiceServicer):
    def __init__(self, factory: TokenFactory, pending_polls: int = 1) -> None:
        self.factory = factory
        self.pending_polls = pending_polls
        self.bankid_disrupted = False
        self.idle_timeout = 0  # as identity's idle limit for the web; 0: the fake tells none
        self.refreshes = 0
        self.orders: dict[str, Order] = {}
        self.started_with: list[ipb.StartLoginRequest] = []
        self.names: dict[str, str] = {}
        self.roles: dict[str, tuple[str, ...]] = {}
        self.extra_claims: dict[str, dict[str, str]] = {}
        self.expires_in = 600
        self.last_auto_start = ""
        self.refresh_tokens: dict[str, tuple] = {}
        self.refreshed: list[str] = []
        self.logged_out: list[str] = []
        self.devices: dict[str, list[ipb.DeviceEntry]] = {}
        self.revoked: set[str] = set()
        self.watch_code = "BCDFGHJK"
        self.access_log: dict[str, list[ipb.AccessEntry]] = {}
        self.staff: dict[str, ipb.User] = {}
        self.sign_orders: dict[str, dict] = {}
        self.signatures: dict[str, tuple[str, str]] = {}
        self.started_signing: list[ipb.StartSignRequest] = []

    def StartLogin(self, request, context):  # noqa: N802
        if request.personal_number and not re.fullmatch(r"\d{12}", request.personal_number):
            raise ValidationFailed("Fel personnummer.", {"personal_number": "Personnumret är inte giltigt."})
        self.started_with.append(request)
        ref = uuid.uuid4().hex
        secret = uuid.uuid4().hex
        self.orders[ref] = Order(request.personal_number or QR_PERSON, secret=secret)
        self.last_auto_start = uuid.uuid4().hex
        return ipb.StartLoginResponse(
            order_ref=ref, auto_start_token=self.last_auto_start, qr_data=f"bankid.{ref}.0.y", collect_secret=secret
        )

    def CollectLogin(self, request, context):  # noqa: N802
        order = self.orders.get(request.order_ref)
        if order is None or order.secret != request.collect_secret:  # identity's binding to the client
            raise NotFound("Ingen sådan inloggning.")
        if order.personal_number == FAILING_PERSONAL_NUMBER:
            return ipb.CollectLoginResponse(
                status=ipb.CollectLoginResponse.FAILED, hint_code="startFailed", user_message=USER_FAILED_MESSAGE
            )
        order.polls += 1
        if order.polls <= self.pending_polls:
            return ipb.CollectLoginResponse(
                status=ipb.CollectLoginResponse.PENDING,
                hint_code="outstandingTransaction",
                user_message="Starta BankID-appen.",
                user_message_en="Start your BankID app.",
                qr_data=f"bankid.{request.order_ref}.{order.polls}.y",
            )
        del self.orders[request.order_ref]  # collected once, as identity does
        user_id = user_id_for(order.personal_number)
        name = self.names.get(order.personal_number, "Anna Andersson")
        roles = self.roles.get(order.personal_number, ("resident",))
        sid = uuid.uuid4().hex
        token = self.factory.token(user_id, roles=roles, name=name, device="web", sid=sid, **self.claims_for(order))
        refresh = uuid.uuid4().hex
        self.refresh_tokens[refresh] = (user_id, name, roles, sid)
        return ipb.CollectLoginResponse(
            status=ipb.CollectLoginResponse.COMPLETE,
            access_token=token,
            expires_in=self.expires_in,
            refresh_token=refresh,
            user=ipb.User(user_id=user_id, name=name, roles=list(roles)),
            idle_timeout=self.idle_timeout,
        )

    def claims_for(self, order: Order) -> dict[str, str]:
        return dict(self.extra_claims.get(order.personal_number, {}))

    def RefreshToken(self, request, context):  # noqa: N802
        known = self.refresh_tokens.pop(request.refresh_token, None)
        self.refreshed.append(request.refresh_token)
        if known is None:
            raise Unauthenticated("Din inloggning har gått ut. Logga in igen.")
        user_id, name, roles, sid = known
        refresh = uuid.uuid4().hex
        self.refresh_tokens[refresh] = known
        token = self.factory.token(user_id, roles=roles, name=name, device="web", sid=sid)
        self.refreshes += 1
        return ipb.RefreshTokenResponse(
            access_token=token, expires_in=600, refresh_token=refresh, idle_timeout=self.idle_timeout
        )

    def Logout(self, request, context):  # noqa: N802
        self.logged_out.append(request.refresh_token)
        self.refresh_tokens.pop(request.refresh_token, None)
        return ipb.LogoutResponse()

    def ListMyDevices(self, request, context):  # noqa: N802
        principal = current_principal()
        return ipb.ListMyDevicesResponse(
            devices=[d for d in self.devices.get(principal.user_id, []) if d.device_id not in self.revoked]
        )

    def RevokeDevice(self, request, context):  # noqa: N802
        principal = current_principal()
        if request.device_id not in {d.device_id for d in self.devices.get(principal.user_id, [])}:
            raise NotFound("Enheten finns inte bland dina inloggade enheter.")
        self.revoked.add(request.device_id)
        return ipb.RevokeDeviceResponse()

    def ConfirmWatchPairing(self, request, context):  # noqa: N802
        principal = current_principal()
        code = "".join(ch for ch in request.user_code.upper() if ch.isalnum())
        if code != self.watch_code:
            raise NotFound("Koden stämmer inte eller har gått ut. Kontrollera koden på klockan och försök igen.")
        device = ipb.DeviceEntry(
            device_id=f"watch:{uuid.uuid4()}", kind="watch", created_at=_now(), last_used_at=_now()
        )
        self.devices.setdefault(principal.user_id, []).append(device)
        return ipb.ConfirmWatchPairingResponse(device_id=device.device_id)

    def ListMyAccessLog(self, request, context):  # noqa: N802
        return ipb.ListAccessLogResponse(entries=self.access_log.get(current_principal().user_id, []))

    def AssignRoles(self, request, context):  # noqa: N802
        principal = current_principal()
        if not principal.has_role("admin"):
            raise PermissionDenied("Det här får bara kommunens personal göra.")
        if "case_worker" in request.roles and not request.unit:
            raise ValidationFailed("Behörigheten kunde inte sparas.", {"unit": "En handläggare behöver en enhet."})
        user = ipb.User(
            user_id=user_id_for(request.personal_number or "x"),
            name=request.name,
            roles=["resident", *request.roles],
            unit=request.unit,
            answer_group=request.answer_group,
        )
        self.staff[user.user_id] = user
        return user

    def StartSign(self, request, context):  # noqa: N802
        principal = current_principal()
        ref = uuid.uuid4().hex
        self.sign_orders[ref] = {"user": principal.user_id, "reference": request.reference, "polls": 0}
        self.started_signing.append(request)
        return ipb.StartSignResponse(order_ref=ref, auto_start_token=uuid.uuid4().hex, qr_data=f"bankid.{ref}.0.s")

    def CollectSign(self, request, context):  # noqa: N802
        order = self.sign_orders.get(request.order_ref)
        if order is None or order["user"] != current_principal().user_id:
            raise NotFound("Underskriften finns inte eller är redan avslutad.")
        order["polls"] += 1
        if order["polls"] <= self.pending_polls:
            return ipb.CollectSignResponse(
                status=ipb.PENDING,
                hint_code="outstandingTransaction",
                user_message="Starta BankID-appen.",
                qr_data=f"bankid.{request.order_ref}.1.s",
            )
        del self.sign_orders[request.order_ref]
        signature_id = str(uuid.uuid4())
        self.signatures[signature_id] = (order["user"], order["reference"])
        return ipb.CollectSignResponse(status=ipb.COMPLETE, signature_id=signature_id, reference=order["reference"])

    def CancelSign(self, request, context):  # noqa: N802
        self.sign_orders.pop(request.order_ref, None)
        return ipb.CancelSignResponse()

    def ListStaff(self, request, context):  # noqa: N802
        if not current_principal().has_role("admin"):
            raise PermissionDenied("Det här får bara kommunens personal göra.")
        return ipb.ListStaffResponse(staff=list(self.staff.values()), answer_groups=["BSU", "ÄSSF", "BBMT"])

    def CancelLogin(self, request, context):  # noqa: N802
        order = self.orders.get(request.order_ref)
        if order is not None and order.secret == request.collect_secret:
            order.cancelled = True
        return ipb.CancelLoginResponse()

    def GetJwks(self, request, context):  # noqa: N802
        return ipb.GetJwksResponse(jwks_json=self.factory.jwks_json())

    def GetBankIdStatus(self, request, context):  # noqa: N802
        return ipb.BankIdStatus(disrupted=self.bankid_disrupted)

    def GetMe(self, request, context):  # noqa: N802
        principal = current_principal()
        return ipb.User(user_id=principal.user_id, name=principal.name, roles=list(principal.roles))


# A small form with what the real ones have: a condition, a repeating group, a file question and a
# summary; signed with BankID. And the first short form, sent without signing.
DEFINITION = {
    "kind": "eb_test",
    "version": 1,
    "title": "Ansökan om ekonomiskt bistånd för en månad",
    "intro": "Svaren från förra månaden är ifyllda.",
    "requires_signature": True,
    "steps": [
        {
            "id": "hushall",
            "title": "Ditt hushåll",
            "questions": [
                {"id": "period", "type": "month", "label": "Vilken månad söker du för?", "required": True},
                {"id": "har_partner", "type": "yesno", "label": "Bor du med en sambo?", "required": True},
                {
                    "id": "partner_personnummer",
                    "type": "personnummer",
                    "label": "Din partners personnummer",
                    "required": True,
                    "show_if": {"question": "har_partner", "equals": "ja"},
                },
                {"id": "hyra", "type": "integer", "label": "Hyra per månad (kr)", "required": True},
            ],
        },
        {
            "id": "inkomster",
            "title": "Inkomster",
            "questions": [
                {
                    "id": "inkomster",
                    "type": "group",
                    "label": "Inkomster",
                    "add_label": "Lägg till en inkomst",
                    "items": [
                        {
                            "id": "slag",
                            "type": "choice",
                            "label": "Vad är det för inkomst?",
                            "required": True,
                            "options": [{"value": "lon", "label": "Lön"}, {"value": "annat", "label": "Annan inkomst"}],
                        },
                        {"id": "belopp", "type": "integer", "label": "Belopp (kr)", "required": True},
                    ],
                }
            ],
        },
        {
            "id": "kvitton",
            "title": "Kvitton",
            "questions": [{"id": "kvitton", "type": "file", "label": "Kvitton och underlag", "multiple": True}],
        },
        {
            "id": "sammanfattning",
            "title": "Sammanfattning",
            "questions": [{"id": "s", "type": "summary", "label": "S"}],
        },
    ],
}
SHORT_DEFINITION = {
    "kind": "ekonomiskt_bistand",
    "version": 1,
    "title": "Ansökan om ekonomiskt bistånd",
    "steps": [
        {
            "id": "ansokan",
            "title": "Din ansökan",
            "questions": [
                {"id": "period", "type": "month", "label": "Vilken månad söker du för?", "required": True},
                {"id": "household_adults", "type": "integer", "label": "Antal vuxna i hushållet", "required": True},
                {"id": "housing_cost", "type": "integer", "label": "Hyra per månad (kr)", "required": True},
                {"id": "other", "type": "text", "label": "Något mer vi behöver veta?"},
            ],
        },
        {
            "id": "sammanfattning",
            "title": "Sammanfattning",
            "questions": [{"id": "s", "type": "summary", "label": "S"}],
        },
    ],
}
DEFINITIONS = {d["kind"]: d for d in (DEFINITION, SHORT_DEFINITION)}
QUESTIONS = {kind: {q["id"]: q for step in d["steps"] for q in step["questions"]} for kind, d in DEFINITIONS.items()}


@dataclass
class StoredApplication:
    application_id: str
    owner: str
    kind: str = "eb_test"
    answers: dict[str, str] = field(default_factory=dict)
    status: str = "draft"
    version: int = 1
    created_at: Timestamp = field(default_factory=_now)
    submitted_at: Timestamp | None = None
    co_applicant: str = ""
    attachments: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # id -> (name, type, bytes)
    timeline: list[tuple[str, str]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    decision: dict = field(default_factory=dict)
    payment_date: str = ""
    case_worker_name: str = ""


STATUS_TEXT = {
    "draft": "Utkast – inte skickad än",
    "signature_pending": "Väntar på underskrift från medsökande",
    "submitted": "Skickad – vi har tagit emot din ansökan",
    "received": "Mottagen – står i kö för handläggning",
    "completion_requested": "Komplettering behövs – vi väntar på dig",
    "completion_submitted": "Komplettering inskickad – handläggs",
    "decided": "Beslut fattat",
    "payment_scheduled": "Beviljad – utbetalning planerad",
    "withdrawn": "Återtagen",
}
MAGIC = {b"%PDF-": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC.items() if content.startswith(magic)), None)


class FakeApplications(apb_grpc.ApplicationsServiceServicer):
    """The applications service as the web pages use it, with the real shapes and refusals."""

    def __init__(self, identity: FakeIdentity | None = None) -> None:
        self.apps: dict[str, StoredApplication] = {}
        self.save_calls = 0
        self.staff_reads: list[tuple[str, str, str]] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self.identity = identity
        self.signing_orders: dict[str, tuple[str, int, bool]] = {}  # order_ref: (case, version, applied)

    def _message(self, app: StoredApplication, role: str = "applicant") -> apb.Application:
        message = apb.Application(
            application_id=app.application_id,
            kind=app.kind,
            form_version=1,
            title=DEFINITIONS[app.kind]["title"],
            status=case_status.value(app.status),
            status_text=STATUS_TEXT.get(app.status, app.status),
            status_text_en=app.status,
            answers=app.answers,
            version=app.version,
            created_at=app.created_at,
            submitted_at=app.submitted_at,
            role=role,
            co_applicant_id=app.co_applicant,
            awaiting_my_signature=role == "co_applicant" and app.status == "signature_pending",
            next_action="Skriv under ansökan med ditt BankID."
            if role == "co_applicant"
            else "Du behöver inte göra något.",
            payment_date=app.payment_date,
            payment_amount=int(app.decision.get("amount", 0)) if app.payment_date else 0,
            unit_name="Enheten för ekonomiskt bistånd" if app.submitted_at else "",
            contact_topic="ekonomiskt-bistand",
            case_worker_name=app.case_worker_name,
            next_step_date="2026-12-02" if app.status == "submitted" else "",
        )
        for at, text in app.timeline:
            message.timeline.add(status=case_status.value(at), text=text, text_en=text, actor="system")
        # What the caller may do: the service's own rule (applications.domain.cases), not a copy.
        overdue = bool(app.requests) and app.requests[-1].get("overdue", False)
        allowed = cases.allowed(app.status, role, (app.decision or {}).get("outcome", ""), overdue)
        message.can_edit, message.can_withdraw = allowed.edit, allowed.withdraw
        message.can_start_work, message.can_request_completion = allowed.start_work, allowed.request_completion
        message.can_decide, message.can_schedule_payment = allowed.decide, allowed.schedule_payment
        message.can_close = allowed.close
        for aid, (name, kind, content) in app.attachments.items():
            message.attachments.add(attachment_id=aid, filename=name, content_type=kind, size=len(content))
        for r in app.requests:
            message.completion_requests.add(
                request_id=r["id"],
                items=r["items"],
                message=r.get("message", ""),
                due_date="2026-12-02",
                answered=r["answered"],
                open_for_resident=not r["answered"] and not r.get("overdue", False),
                overdue=r.get("overdue", False),
                answer_text=r.get("text", ""),
                answer_attachment_ids=r.get("files", []),
            )
        if app.decision:
            message.decision.CopyFrom(
                apb.Decision(
                    outcome=app.decision["outcome"],
                    outcome_text={"approved": "Beviljad", "rejected": "Avslag"}[app.decision["outcome"]],
                    amount=app.decision.get("amount", 0),
                    reasons=app.decision.get("reasons", ""),
                    appeal="Du kan överklaga inom tre veckor." if app.decision["outcome"] == "rejected" else "",
                )
            )
        message.calculation.CopyFrom(
            apb.Calculation(
                year=2026,
                lines=[
                    apb.CalculationLine(
                        code="norm.personal.adults", label="Personliga kostnader, vuxen", amount=3940, kind="norm"
                    ),
                    apb.CalculationLine(
                        code="norm.common", label="Gemensamma hushållskostnader", amount=1280, kind="norm"
                    ),
                ],
                norm_total=5220,
                need_total=5220,
                result=5220,
            )
        )
        return message

    def _role(self, application_id: str) -> tuple[StoredApplication, str]:
        principal = current_principal()
        app = self.apps.get(application_id)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        if app.owner == principal.user_id:
            return app, "applicant"
        if app.co_applicant and app.co_applicant == principal.user_id and app.status != "draft":
            return app, "co_applicant"
        raise PermissionDenied("Du har inte behörighet till den här ansökan.")

    def _mine(self, application_id: str) -> StoredApplication:
        app, role = self._role(application_id)
        if role != "applicant":
            raise PermissionDenied("Du har inte behörighet till den här ansökan.")
        return app

    # public
    def ListEServices(self, request, context):  # noqa: N802
        return apb.ListEServicesResponse(
            e_services=[
                apb.EService(
                    id="ekonomiskt-bistand",
                    title="Ekonomiskt bistånd",
                    description="Ansök om försörjningsstöd.",
                    forms=[apb.EServiceForm(kind="eb_test", title=DEFINITION["title"], when="Varje månad.")],
                )
            ]
        )

    def GetPeriod(self, request, context):  # noqa: N802
        return apb.Period(
            period="2026-12",
            opens="2026-11-09",
            closes="2026-11-30",
            open=True,
            text="Ansökan för december 2026 kan lämnas in 9 november – 30 november 2026.",
        )

    def GetForm(self, request, context):  # noqa: N802
        definition = DEFINITIONS.get(request.kind)
        if definition is None:
            raise NotFound("Det finns ingen sådan e-tjänst.")
        return apb.Form(
            kind=definition["kind"],
            version=1,
            title=definition["title"],
            definition_json=json.dumps(definition),
            requires_signature=bool(definition.get("requires_signature")),
        )

    def Estimate(self, request, context):  # noqa: N802
        if request.adults not in (1, 2):
            raise ValidationFailed("Några uppgifter behöver rättas.", {"adults": "Välj en eller två vuxna."})
        norm = 5220 if request.adults == 1 else 8510
        result = max(0, norm + request.housing - request.earned_income - request.other_income)
        return apb.Calculation(
            year=2026,
            lines=[
                apb.CalculationLine(code="norm", label="Riksnormen", amount=norm, kind="norm"),
                apb.CalculationLine(code="cost.housing", label="Boende", amount=request.housing, kind="cost"),
            ],
            need_total=norm + request.housing,
            result=result,
            caveat="Det här är en uppskattning, inget beslut.",
        )

    # the resident
    def CreateDraft(self, request, context):  # noqa: N802
        principal = current_principal()
        if request.kind not in DEFINITIONS:
            raise NotFound("Det finns ingen sådan e-tjänst.")
        if (
            any(
                a.owner == principal.user_id and a.kind == request.kind and a.status != "withdrawn"
                for a in self.apps.values()
            )
            and request.kind == "eb_test"
        ):
            raise Conflict("Du har redan en ansökan för december 2026.")
        app = StoredApplication(application_id=str(uuid.uuid4()), owner=principal.user_id, kind=request.kind)
        self.apps[app.application_id] = app
        return self._message(app)

    def _check(self, app: StoredApplication, answers: dict[str, str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        questions = QUESTIONS[app.kind]
        for name, value in answers.items():
            q = questions.get(name)
            if q is None:
                errors[name] = "Frågan finns inte i formuläret."
            elif value and q["type"] == "integer" and not value.isdigit():
                errors[name] = "Skriv ett heltal, utan mellanslag eller bokstäver."
            elif value and q["type"] == "month" and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                errors[name] = "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12."
            elif q["type"] == "group":
                for i, row in enumerate(json.loads(value or "[]")):
                    if row.get("belopp") and not row["belopp"].isdigit():
                        errors[f"{name}[{i}].belopp"] = "Skriv ett heltal, utan mellanslag eller bokstäver."
            elif q["type"] == "file":
                if any(i not in app.attachments for i in json.loads(value or "[]")):
                    errors[name] = "Bilagan hör inte till den här ansökan."
        return errors

    def SaveAnswers(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        with self.lock:
            app = self._mine(request.application_id)
            if app.status not in ("draft", "signature_pending"):
                raise Conflict("Ansökan är redan skickad och kan inte ändras.")
            if request.expected_version and request.expected_version != app.version:
                raise StaleVersion("Ansökan har ändrats på en annan enhet.")
            errors = self._check(app, dict(request.answers))
            if errors:
                raise ValidationFailed("Några svar behöver rättas.", errors)
            self.save_calls += 1
            answers = dict(request.answers)
            if answers.get("partner_personnummer", "").replace("-", "").isdigit():
                app.co_applicant = user_id_for(answers["partner_personnummer"].replace("-", ""))
                answers["partner_personnummer"] = answers["partner_personnummer"].replace("-", "")[:8] + "-****"
            app.answers.update(answers)
            app.version += 1
            return self._message(app)

    def _missing(self, app: StoredApplication) -> dict[str, str]:
        missing = {}
        for q in QUESTIONS[app.kind].values():
            shown = "show_if" not in q or app.answers.get(q["show_if"]["question"]) == q["show_if"]["equals"]
            if q.get("required") and shown and not app.answers.get(q["id"]):
                missing[q["id"]] = "Svara på frågan."
        return missing

    def CheckAnswers(self, request, context):  # noqa: N802
        app, _role = self._role(request.application_id)
        step_of = {q["id"]: i for i, st in enumerate(DEFINITIONS[app.kind]["steps"]) for q in st["questions"]}
        return apb.AnswerProblems(
            problems=[
                apb.AnswerProblem(question_id=qid, message=message, step=step_of[qid])
                for qid, message in self._missing(app).items()
                if request.step < 0 or step_of[qid] == request.step
            ]
        )

    def GetSigningText(self, request, context):  # noqa: N802
        app, role = self._role(request.application_id)
        if role == "applicant" and self._missing(app):
            raise ValidationFailed("Ansökan är inte färdig. Svara på frågorna som saknas.", self._missing(app))
        return apb.SigningText(
            text=f"Ansökan {app.application_id} v{app.version}",
            version=app.version,
            reference=f"application:{app.application_id}:v{app.version}",
        )

    def _signed(self, app: StoredApplication, signature_id: str, reference: str) -> None:
        signed = self.identity.signatures.get(signature_id) if self.identity else None
        if signed is None or signed != (current_principal().user_id, reference):
            raise ValidationFailed("Underskriften gäller inte den här ansökan.", {"signature_id": "Fel underskrift."})

    def Submit(self, request, context):  # noqa: N802
        with self.lock:
            app = self._mine(request.application_id)
            if app.status != "draft":
                raise Conflict("Ansökan är redan skickad.")
            if request.expected_version and request.expected_version != app.version:
                raise StaleVersion("Ansökan har ändrats på en annan enhet.")
            missing = self._missing(app)
            if missing:
                raise ValidationFailed("Ansökan är inte färdig. Svara på frågorna som saknas.", missing)
            if DEFINITIONS[app.kind].get("requires_signature"):
                self._signed(app, request.signature_id, f"application:{app.application_id}:v{app.version}")
            app.status = "signature_pending" if app.co_applicant else "submitted"
            app.timeline.append((app.status, STATUS_TEXT[app.status]))
            if app.status == "submitted":
                app.submitted_at = _now()
            app.version += 1
            return self._message(app)

    def Sign(self, request, context):  # noqa: N802
        app, role = self._role(request.application_id)
        if role != "co_applicant" or app.status != "signature_pending":
            raise Conflict("Ansökan väntar inte på din underskrift.")
        self._signed(app, request.signature_id, f"application:{app.application_id}:v{app.version}")
        app.status, app.submitted_at = "submitted", _now()
        app.timeline.append(("submitted", STATUS_TEXT["submitted"]))
        return self._message(app, role)

    # BankID signing as the service runs it (applications/signing.py), with the fake identity's orders.
    def StartSigning(self, request, context):  # noqa: N802
        text = self.GetSigningText(apb.GetSigningTextRequest(application_id=request.application_id), context)
        assert self.identity is not None
        started = ipb.StartSignRequest(
            user_visible_data=text.text,
            reference=text.reference,
            device=ipb.DEVICE_WEB,
            end_user_ip=request.end_user_ip,
            return_url=request.return_url,
        )
        order = self.identity.StartSign(started, context)
        self.signing_orders[order.order_ref] = (request.application_id, text.version, False)
        return apb.SigningOrder(
            order_ref=order.order_ref,
            auto_start_token=order.auto_start_token,
            qr_data=order.qr_data,
            version=text.version,
        )

    def CollectSigning(self, request, context):  # noqa: N802
        application_id, version, applied = self.signing_orders.get(request.order_ref, ("", 0, False))
        if not application_id:
            raise NotFound("Underskriften finns inte eller är redan avslutad. Börja om.")
        if application_id != request.application_id:
            raise Conflict("Underskriften gäller en annan ansökan. Börja om underskriften.")
        app, role = self._role(application_id)
        if applied:
            return apb.SigningProgress(status=apb.SigningProgress.COMPLETE, application=self._message(app, role))
        assert self.identity is not None
        answer = self.identity.CollectSign(ipb.CollectSignRequest(order_ref=request.order_ref), context)
        if answer.status != ipb.COMPLETE:
            return apb.SigningProgress(
                status=apb.SigningProgress.PENDING if answer.status == ipb.PENDING else apb.SigningProgress.FAILED,
                hint_code=answer.hint_code,
                user_message=answer.user_message,
                user_message_en=answer.user_message_en,
                qr_data=answer.qr_data,
            )
        try:
            if role == "co_applicant":
                done = self.Sign(
                    apb.SignRequest(application_id=application_id, signature_id=answer.signature_id), context
                )
            else:
                submit = apb.SubmitRequest(
                    application_id=application_id, expected_version=version, signature_id=answer.signature_id
                )
                done = self.Submit(submit, context)
        except (StaleVersion, ValidationFailed):
            raise Conflict("Ansökan har ändrats sedan du började skriva under.") from None
        self.signing_orders[request.order_ref] = (application_id, version, True)
        return apb.SigningProgress(status=apb.SigningProgress.COMPLETE, application=done)

    def CancelSigning(self, request, context):  # noqa: N802
        assert self.identity is not None
        self.identity.CancelSign(ipb.CancelSignRequest(order_ref=request.order_ref), context)
        return apb.CancelSigningResponse()

    def UploadAttachment(self, request, context):  # noqa: N802
        app, _ = self._role(request.application_id)
        kind = sniff(request.content)
        if kind is None:
            raise ValidationFailed("Filen är inte en JPEG-, PNG-, HEIC- eller PDF-fil.", {"file": "Fel filtyp."})
        aid = str(uuid.uuid4())
        app.attachments[aid] = (request.filename, kind, request.content)
        return apb.Attachment(
            attachment_id=aid, filename=request.filename, content_type=kind, size=len(request.content)
        )

    def GetMyCaseGlance(self, request, context):  # noqa: N802
        return apb.CaseGlance(has_case=False)

    def GetSubmittedCopy(self, request, context):  # noqa: N802
        principal = current_principal()
        app = self.apps.get(request.application_id)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        if principal.user_id not in (app.owner, app.co_applicant):
            raise PermissionDenied("Du har inte behörighet till den här ansökan.")
        if app.submitted_at is None:
            raise Conflict("Ansökan är inte skickad än. Kopian finns när den är skickad.")
        name = f"ansokan-{app.application_id[:8]}.pdf"
        return apb.SubmittedCopy(filename=name, content_type="application/pdf", content=b"%PDF-1.4 kopia")

    def GetAttachment(self, request, context):  # noqa: N802
        principal = current_principal()
        app = self.apps.get(request.application_id)
        if app is None or request.attachment_id not in app.attachments:
            raise NotFound("Bilagan finns inte.")
        if principal.user_id not in (app.owner, app.co_applicant) and not principal.has_role("case_worker"):
            raise PermissionDenied("Du har inte behörighet till den här ansökan.")
        name, kind, content = app.attachments[request.attachment_id]
        return apb.AttachmentContent(
            attachment=apb.Attachment(attachment_id=request.attachment_id, filename=name, content_type=kind),
            content=content,
        )

    def SubmitCompletion(self, request, context):  # noqa: N802
        app, _ = self._role(request.application_id)
        if app.status != "completion_requested":
            raise Conflict("Det finns ingen komplettering att skicka in.")
        if not request.text and not request.attachment_ids:
            raise ValidationFailed("Skriv något eller ladda upp det som efterfrågas.", {"text": "Saknas."})
        app.requests[-1].update(answered=True, text=request.text, files=list(request.attachment_ids))
        app.status = "completion_submitted"
        app.timeline.append((app.status, STATUS_TEXT[app.status]))
        return self._message(app)

    def Withdraw(self, request, context):  # noqa: N802
        app, role = self._role(request.application_id)
        if app.decision:
            raise Conflict("Ansökan kan inte återtas när beslut är fattat.")
        app.status = "withdrawn"
        app.timeline.append(("withdrawn", "Ansökan är återtagen."))
        return self._message(app, role)

    def GetApplication(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        app, role = self._role(request.application_id)
        return self._message(app, role)

    def ListMyApplications(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        principal = current_principal()
        mine = [
            self._message(a, "applicant" if a.owner == principal.user_id else "co_applicant")
            for a in self.apps.values()
            if a.owner == principal.user_id or (a.co_applicant == principal.user_id and a.status != "draft")
        ]
        return apb.ListMyApplicationsResponse(applications=mine)

    # staff
    def _staff(self, application_id: str) -> StoredApplication:
        principal = current_principal()
        app = self.apps.get(application_id)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        if not principal.has_role("case_worker") or principal.unit != "eb" or app.status == "draft":
            raise PermissionDenied("Ärendet hör till en annan enhet än din.")
        return app

    def ListUnitCases(self, request, context):  # noqa: N802
        principal = current_principal()
        if not principal.has_role("case_worker"):
            raise PermissionDenied("Det här får bara handläggare göra.")
        return apb.ListUnitCasesResponse(
            cases=[
                self._message(a, "staff") for a in self.apps.values() if a.status != "draft" and principal.unit == "eb"
            ]
        )

    def GetCase(self, request, context):  # noqa: N802
        app = self._staff(request.application_id)
        self.staff_reads.append((current_principal().user_id, request.application_id, request.reason))
        return self._message(app, "staff")

    def RequestCompletion(self, request, context):  # noqa: N802
        app = self._staff(request.application_id)
        if not request.items:
            raise ValidationFailed("Kompletteringen kunde inte skickas.", {"items": "Skriv vad som saknas."})
        app.requests.append({"id": str(uuid.uuid4()), "items": list(request.items), "answered": False})
        app.status = "completion_requested"
        app.timeline.append((app.status, STATUS_TEXT[app.status]))
        return self._message(app, "staff")

    def Decide(self, request, context):  # noqa: N802
        app = self._staff(request.application_id)
        if app.decision:
            raise Conflict("Ärendet har redan ett beslut.")
        if request.outcome == "rejected" and not request.reasons:
            raise ValidationFailed("Beslutet kunde inte sparas.", {"reasons": "Skriv skälen för beslutet."})
        app.decision = {"outcome": request.outcome, "amount": request.amount or 5220, "reasons": request.reasons}
        app.status = "decided"
        app.timeline.append(("decided", "Beslut: Beviljad."))
        return self._message(app, "staff")

    def SchedulePayment(self, request, context):  # noqa: N802
        app = self._staff(request.application_id)
        app.payment_date = request.payment_date or "2026-11-25"
        app.status = "payment_scheduled"
        app.timeline.append((app.status, STATUS_TEXT[app.status]))
        return self._message(app, "staff")


@dataclass
class StoredMessage:
    message_id: str
    owner: str
    subject: str
    body: str
    read: bool = False
    reference: str = ""
    created_at: Timestamp = field(default_factory=_now)


class FakeNotifications(npb_grpc.NotificationsServiceServicer):
    def __init__(self) -> None:
        self.messages: dict[str, StoredMessage] = {}

    def add(self, owner: str, subject: str, body: str, reference: str = "") -> StoredMessage:
        message = StoredMessage(uuid.uuid4().hex, owner, subject, body, reference=reference)
        self.messages[message.message_id] = message
        return message

    def _message(self, m: StoredMessage) -> npb.Message:
        return npb.Message(
            message_id=m.message_id,
            subject=m.subject,
            body=m.body,
            read=m.read,
            created_at=m.created_at,
            reference=m.reference,
        )

    def ListMessages(self, request, context):  # noqa: N802
        principal = current_principal()
        mine = [self._message(m) for m in self.messages.values() if m.owner == principal.user_id]
        return npb.ListMessagesResponse(messages=mine[: request.limit or 50])

    def MarkRead(self, request, context):  # noqa: N802
        principal = current_principal()
        message = self.messages.get(request.message_id)
        if message is None or message.owner != principal.user_id:
            raise NotFound("Meddelandet finns inte.")
        message.read = True
        return self._message(message)

    def GetUnreadCount(self, request, context):  # noqa: N802
        principal = current_principal()
        unread = sum(1 for m in self.messages.values() if m.owner == principal.user_id and not m.read)
        return npb.GetUnreadCountResponse(unread=unread)


# --- Transitional: the test files not yet moved to the real services (see conftest.py) import
# fake_platform and on_fakes and get the fakes in place of the real services. Goes when the last
# file has moved.
import tempfile  # noqa: E402

import pytest  # noqa: E402

from contact import api as contact_api  # noqa: E402
from contact.store import IDEMPOTENCY as CONTACT_IDEMPOTENCY  # noqa: E402
from contact.testing import ContactForTests  # noqa: E402
from fickan.applications.v1 import applications_pb2_grpc  # noqa: E402
from fickan.contact.v1 import contact_pb2_grpc  # noqa: E402
from fickan.identity.v1 import identity_pb2_grpc  # noqa: E402
from fickan.insights.v1 import insights_pb2_grpc  # noqa: E402
from fickan.notifications.v1 import notifications_pb2_grpc  # noqa: E402
from fickan_bff.clients import Services  # noqa: E402
from fickan_common.grpc_client import ServiceClient  # noqa: E402
from fickan_common.grpc_server import build_server  # noqa: E402
from fickan_common.idempotency import IdempotencyStore  # noqa: E402
from insights.testing import InsightsForTests  # noqa: E402


class FakePlatform:
    """The three fake services on real gRPC servers, and the real insights service (in-process, on
    SQLite, with its demo figures)."""

    def __init__(self) -> None:
        self.factory = TokenFactory()
        verifier = self.factory.verifier()
        self.identity = FakeIdentity(self.factory)
        self.applications = FakeApplications(self.identity)
        self.notifications = FakeNotifications()

        def reg_identity(server):  # type: ignore[no-untyped-def]
            identity_pb2_grpc.add_IdentityServiceServicer_to_server(self.identity, server)
            return ["fickan.identity.v1.IdentityService"]

        def reg_applications(server):  # type: ignore[no-untyped-def]
            applications_pb2_grpc.add_ApplicationsServiceServicer_to_server(self.applications, server)
            return ["fickan.applications.v1.ApplicationsService"]

        def reg_notifications(server):  # type: ignore[no-untyped-def]
            notifications_pb2_grpc.add_NotificationsServiceServicer_to_server(self.notifications, server)
            return ["fickan.notifications.v1.NotificationsService"]

        self.servers = []
        self.ports: dict[str, int] = {}
        for name, register, public in (
            ("identity", reg_identity, IDENTITY_PUBLIC),
            ("applications", reg_applications, APPLICATIONS_PUBLIC),
            ("notifications", reg_notifications, ()),
        ):
            server, port = build_server(register, 0, verifier, public_methods=public, host="127.0.0.1")
            self.servers.append(server)
            self.ports[name] = port
        self.insights = InsightsForTests(tempfile.mkdtemp(prefix="fickan-web-insights-"))
        server, self.ports["insights"] = self.insights.serve(verifier)
        self.servers.append(server)
        self.contact = start_contact(self, verifier)

    def services(self, timeout: float = 2.0, **targets: str) -> Services:
        def target(name: str) -> str:
            return targets.get(name) or f"127.0.0.1:{self.ports[name]}"

        return Services(
            identity=ServiceClient(target("identity"), identity_pb2_grpc.IdentityServiceStub, timeout),
            applications=ServiceClient(target("applications"), applications_pb2_grpc.ApplicationsServiceStub, timeout),
            notifications=ServiceClient(
                target("notifications"), notifications_pb2_grpc.NotificationsServiceStub, timeout
            ),
            contact=ServiceClient(target("contact"), contact_pb2_grpc.ContactServiceStub, timeout),
            insights=ServiceClient(target("insights"), insights_pb2_grpc.InsightsServiceStub, timeout),
        )

    def reset(self) -> None:
        self.identity.orders.clear()
        self.identity.started_with.clear()
        self.identity.pending_polls = 1
        self.identity.expires_in = 600
        self.identity.bankid_disrupted = False
        self.identity.idle_timeout = 0
        self.identity.refreshes = 0
        for state in (
            self.identity.devices,
            self.identity.revoked,
            self.identity.access_log,
            self.identity.staff,
            self.identity.roles,
            self.identity.extra_claims,
            self.applications.staff_reads,
            self.identity.sign_orders,
            self.identity.signatures,
            self.identity.started_signing,
        ):
            state.clear()
        self.applications.apps.clear()
        self.applications.save_calls = 0
        self.applications.delay = 0.0
        self.notifications.messages.clear()
        self.insights.reset()
        self.contact.reset()

    def stop(self) -> None:
        for server in self.servers:
            server.stop(grace=0)


def start_contact(platform: FakePlatform, verifier) -> ContactForTests:  # type: ignore[no-untyped-def]
    """The real contact service (its own SQLite database), with its idempotent commands."""
    contact = ContactForTests(tempfile.mkdtemp(prefix="fickan-web-contact-"))
    server, port = build_server(
        contact_api.register(contact.servicer),
        0,
        verifier,
        public_methods=contact.public_methods,
        glance_methods=contact.glance_methods,
        commands=contact_api.COMMANDS,
        idempotency=IdempotencyStore(contact.db, CONTACT_IDEMPOTENCY),
        host="127.0.0.1",
    )
    platform.servers.append(server)
    platform.ports["contact"] = port
    return contact


@pytest.fixture(scope="session")
def fake_platform():  # type: ignore[no-untyped-def]
    platform = FakePlatform()
    yield platform
    platform.stop()


@pytest.fixture(name="platform")
def on_fakes(fake_platform):  # type: ignore[no-untyped-def]
    return fake_platform
