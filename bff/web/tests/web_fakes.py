"""Small in-memory servicers behind REAL grpcio servers, for the web BFF's tests.

They implement the generated *Servicer base classes, check the caller's token through the same
interceptor the services use (fickan_common.grpc_server), and keep their state in dicts.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from fickan.applications.v1 import applications_pb2 as apb
from fickan.applications.v1 import applications_pb2_grpc as apb_grpc
from fickan.identity.v1 import identity_pb2 as ipb
from fickan.identity.v1 import identity_pb2_grpc as ipb_grpc
from fickan.notifications.v1 import notifications_pb2 as npb
from fickan.notifications.v1 import notifications_pb2_grpc as npb_grpc
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
    for name in ("StartLogin", "CollectLogin", "CancelLogin", "GetJwks", "RefreshToken", "Logout")
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


class FakeIdentity(ipb_grpc.IdentityServiceServicer):
    def __init__(self, factory: TokenFactory, pending_polls: int = 1) -> None:
        self.factory = factory
        self.pending_polls = pending_polls
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

    def StartLogin(self, request, context):  # noqa: N802
        if request.personal_number and not re.fullmatch(r"\d{12}", request.personal_number):
            raise ValidationFailed("Fel personnummer.", {"personal_number": "Personnumret är inte giltigt."})
        self.started_with.append(request)
        ref = uuid.uuid4().hex
        self.orders[ref] = Order(request.personal_number or QR_PERSON)
        self.last_auto_start = uuid.uuid4().hex
        return ipb.StartLoginResponse(order_ref=ref, auto_start_token=self.last_auto_start, qr_data=f"bankid.{ref}.0.y")

    def CollectLogin(self, request, context):  # noqa: N802
        order = self.orders.get(request.order_ref)
        if order is None:
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
        return ipb.RefreshTokenResponse(access_token=token, expires_in=600, refresh_token=refresh)

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

    def ListStaff(self, request, context):  # noqa: N802
        if not current_principal().has_role("admin"):
            raise PermissionDenied("Det här får bara kommunens personal göra.")
        return ipb.ListStaffResponse(staff=list(self.staff.values()))

    def CancelLogin(self, request, context):  # noqa: N802
        order = self.orders.get(request.order_ref)
        if order is not None:
            order.cancelled = True
        return ipb.CancelLoginResponse()

    def GetJwks(self, request, context):  # noqa: N802
        return ipb.GetJwksResponse(jwks_json=self.factory.jwks_json())

    def GetMe(self, request, context):  # noqa: N802
        principal = current_principal()
        return ipb.User(user_id=principal.user_id, name=principal.name, roles=list(principal.roles))


FORM = apb.Form(
    kind="ekonomiskt_bistand",
    version=1,
    title="Ansökan om ekonomiskt bistånd",
    fields=[
        apb.Field(
            name="period", type="month", label="Vilken månad söker du för?", help="Till exempel 2026-12.", required=True
        ),
        apb.Field(name="household_adults", type="integer", label="Antal vuxna i hushållet", required=True),
        apb.Field(name="housing_cost", type="integer", label="Hyra per månad (kr)", required=True),
        apb.Field(name="other", type="text", label="Något mer vi behöver veta?", required=False),
    ],
)


@dataclass
class StoredApplication:
    application_id: str
    owner: str
    answers: dict[str, str] = field(default_factory=dict)
    status: str = "draft"
    version: int = 1
    created_at: Timestamp = field(default_factory=_now)
    submitted_at: Timestamp | None = None


STATUS_TEXT = {"draft": "Utkast – inte skickad än", "submitted": "Skickad – vi har tagit emot din ansökan"}


class FakeApplications(apb_grpc.ApplicationsServiceServicer):
    def __init__(self) -> None:
        self.apps: dict[str, StoredApplication] = {}
        self.save_calls = 0
        self.staff_reads: list[tuple[str, str, str]] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    def _message(self, app: StoredApplication) -> apb.Application:
        return apb.Application(
            application_id=app.application_id,
            kind=FORM.kind,
            title=FORM.title,
            status=app.status,
            status_text=STATUS_TEXT[app.status],
            answers=app.answers,
            version=app.version,
            created_at=app.created_at,
            submitted_at=app.submitted_at,
        )

    def _mine(self, application_id: str) -> StoredApplication:
        principal = current_principal()
        app = self.apps.get(application_id)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        if app.owner != principal.user_id:
            raise PermissionDenied("Du har inte behörighet till den här ansökan.")
        return app

    def ListUnitCases(self, request, context):  # noqa: N802
        principal = current_principal()
        if not principal.has_role("case_worker"):
            raise PermissionDenied("Det här får bara handläggare göra.")
        return apb.ListUnitCasesResponse(
            cases=[self._message(a) for a in self.apps.values() if a.status != "draft" and principal.unit == "eb"]
        )

    def GetCase(self, request, context):  # noqa: N802
        principal = current_principal()
        app = self.apps.get(request.application_id)
        if app is None:
            raise NotFound("Ansökan finns inte.")
        if not principal.has_role("case_worker") or principal.unit != "eb" or app.status == "draft":
            raise PermissionDenied("Ärendet hör till en annan enhet än din.")
        self.staff_reads.append((principal.user_id, request.application_id, request.reason))
        return self._message(app)

    def GetForm(self, request, context):  # noqa: N802
        current_principal()
        if request.kind != FORM.kind:
            raise NotFound("Det finns ingen sådan e-tjänst.")
        return FORM

    def CreateDraft(self, request, context):  # noqa: N802
        principal = current_principal()
        app = StoredApplication(application_id=str(uuid.uuid4()), owner=principal.user_id)
        self.apps[app.application_id] = app
        return self._message(app)

    def SaveAnswers(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        with self.lock:
            app = self._mine(request.application_id)
            if app.status != "draft":
                raise Conflict("Ansökan är redan skickad.")
            if request.expected_version and request.expected_version != app.version:
                raise StaleVersion("Ansökan har ändrats på en annan enhet.")
            errors: dict[str, str] = {}
            for name, value in request.answers.items():
                kind = next((f.type for f in FORM.fields if f.name == name), None)
                if kind is None:
                    errors[name] = "Frågan finns inte i formuläret."
                elif value and kind == "integer" and not value.isdigit():
                    errors[name] = "Skriv ett heltal, utan mellanslag eller bokstäver."
                elif value and kind == "month" and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                    errors[name] = "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12."
            if errors:
                raise ValidationFailed("Några svar behöver rättas.", errors)
            self.save_calls += 1
            app.answers = dict(request.answers)
            app.version += 1
            return self._message(app)

    def Submit(self, request, context):  # noqa: N802
        with self.lock:
            app = self._mine(request.application_id)
            if app.status != "draft":
                raise Conflict("Ansökan är redan skickad.")
            if request.expected_version and request.expected_version != app.version:
                raise StaleVersion("Ansökan har ändrats på en annan enhet.")
            missing = {f.name: "Svara på frågan." for f in FORM.fields if f.required and not app.answers.get(f.name)}
            if missing:
                raise ValidationFailed("Ansökan är inte färdig. Svara på frågorna som saknas.", missing)
            app.status = "submitted"
            app.submitted_at = _now()
            app.version += 1
            return self._message(app)

    def GetApplication(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        return self._message(self._mine(request.application_id))

    def ListMyApplications(self, request, context):  # noqa: N802
        time.sleep(self.delay)
        principal = current_principal()
        mine = [self._message(a) for a in self.apps.values() if a.owner == principal.user_id]
        return apb.ListMyApplicationsResponse(applications=mine)


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
