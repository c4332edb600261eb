"""Small in-memory stand-ins for the four services, served by real grpcio servers (with the real
interceptor that verifies tokens), so the BFF is tested over real gRPC on loopback."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.applications.v1 import applications_pb2_grpc as apps_grpc
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan.contact.v1 import contact_pb2_grpc as contact_grpc
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan.identity.v1 import identity_pb2_grpc as identity_grpc
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_common.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    StaleVersion,
    Unauthenticated,
    ValidationFailed,
)
from fickan_common.grpc_server import current_principal
from fickan_common.testing import TokenFactory
from fickan_common.tokens import InvalidToken, bearer

KIND = "ekonomiskt_bistand"
FORM_FIELDS = (
    ("period", "month", "Vilken månad söker du för?", True),
    ("household_adults", "integer", "Antal vuxna i hushållet", True),
    ("household_children", "integer", "Antal barn i hushållet", True),
    ("housing_cost", "integer", "Hyra eller boendekostnad per månad (kr)", True),
    ("income", "integer", "Hushållets inkomster den här månaden (kr)", True),
    ("other", "text", "Något mer vi behöver veta?", False),
)
STATUS_TEXT = {"draft": "Utkast – inte skickad än", "submitted": "Skickad – vi har tagit emot din ansökan"}
IDENTITY_PUBLIC = tuple(
    f"/fickan.identity.v1.IdentityService/{m}"
    for m in ("StartLogin", "CollectLogin", "CancelLogin", "GetJwks", "RefreshToken", "Logout")
)
SESSION_ENDED = "Din inloggning har gått ut. Logga in igen."
CODE_WRONG = "Koden stämmer inte eller har gått ut. Kontrollera koden på klockan och försök igen."
DEVICE_UNKNOWN = "Enheten finns inte bland dina inloggade enheter."


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


class FakeIdentity(identity_grpc.IdentityServiceServicer):
    """BankID login: the first collect is pending, the second completes with a real signed token and
    a refresh token that works once. Also devices, watch pairing and the access log, per caller."""

    def __init__(self, tokens: TokenFactory) -> None:
        self.tokens = tokens
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.start_requests: list[identity_pb.StartLoginRequest] = []
        self.refused_numbers: set[str] = set()
        self.calls: list[str] = []
        # refresh token → {"user_id", "spent"}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.logouts: list[dict[str, str]] = []
        # user id → device entries (device_id, kind, created_at, last_used_at, sid)
        self.devices: dict[str, list[dict[str, Any]]] = {}
        self.revoked: list[str] = []
        # user code (normalised, XXXX-XXXX) → watch device id; confirmations seen
        self.pairing_codes: dict[str, str] = {}
        self.confirmations: list[tuple[str, str]] = []
        self.confirm_limit = 10
        # user id → access entries
        self.access_log: dict[str, list[identity_pb.AccessEntry]] = {}
        self.access_queries: list[str] = []

    def issue_refresh_token(self, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self.refresh_tokens[token] = {"user_id": user_id, "spent": False}
        return token

    def _caller_from_metadata(self, context) -> Any:
        try:
            return self.tokens.verifier().verify(bearer(dict(context.invocation_metadata()).get("authorization")))
        except InvalidToken:
            raise Unauthenticated("Du behöver logga in.") from None

    def StartLogin(self, request, context):  # noqa: N802
        self.calls.append("StartLogin")
        self.start_requests.append(request)
        if request.return_url and not request.return_url.startswith(("https://", "fickan://")):
            raise ValidationFailed(
                "Adressen att återvända till är inte tillåten.",
                {"return_url": "Adressen att återvända till är inte tillåten."},
            )
        if request.personal_number in self.refused_numbers:
            raise ValidationFailed("Personnumret är inte giltigt.", {"personal_number": "Kontrollera personnumret."})
        order_ref = str(uuid.uuid4())
        who = request.personal_number[-4:] if request.personal_number else "anyone"
        self.orders[order_ref] = {"collects": 0, "user_id": f"user-{who}"}
        return identity_pb.StartLoginResponse(order_ref=order_ref, auto_start_token="auto-" + order_ref, qr_data="qr.1")

    def CollectLogin(self, request, context):  # noqa: N802
        order = self.orders.get(request.order_ref)
        if order is None:
            raise NotFound("Inloggningen finns inte. Starta om inloggningen.")
        order["collects"] += 1
        if order["collects"] == 1:
            return identity_pb.CollectLoginResponse(
                status=identity_pb.CollectLoginResponse.PENDING,
                hint_code="outstandingTransaction",
                user_message="Starta BankID-appen.",
                user_message_en="Start your BankID app.",
                qr_data="qr.2",
            )
        token = self.tokens.token(order["user_id"], name="Tove Svensson", device="mobile")
        return identity_pb.CollectLoginResponse(
            status=identity_pb.CollectLoginResponse.COMPLETE,
            hint_code="",
            user_message="Du är inloggad.",
            user_message_en="You are logged in.",
            access_token=token,
            expires_in=600,
            refresh_token=self.issue_refresh_token(order["user_id"]),
            user=identity_pb.User(user_id=order["user_id"], name="Tove Svensson", roles=["resident"]),
        )

    def CancelLogin(self, request, context):  # noqa: N802
        if self.orders.pop(request.order_ref, None) is None:
            raise NotFound("Inloggningen finns inte.")
        return identity_pb.CancelLoginResponse()

    def GetJwks(self, request, context):  # noqa: N802
        return identity_pb.GetJwksResponse(jwks_json=self.tokens.jwks_json())

    # -- sessions (public: the refresh token is the credential) --------------------------------------
    def RefreshToken(self, request, context):  # noqa: N802
        self.calls.append("RefreshToken")
        with self.lock:
            row = self.refresh_tokens.get(request.refresh_token)
            if row is None or row["spent"]:
                raise Unauthenticated(SESSION_ENDED)
            if row.get("race"):
                raise Conflict("Inloggningen förnyades nyss av en annan begäran.")
            row["spent"] = True
            user_id = row["user_id"]
            return identity_pb.RefreshTokenResponse(
                access_token=self.tokens.token(user_id, name="Tove Svensson", device="mobile"),
                expires_in=900,
                refresh_token=self.issue_refresh_token(user_id),
            )

    def Logout(self, request, context):  # noqa: N802
        self.calls.append("Logout")
        if request.refresh_token:
            row = self.refresh_tokens.get(request.refresh_token)
            if row is not None:
                row["spent"] = True
            self.logouts.append({"refresh_token": request.refresh_token})
        else:
            caller = self._caller_from_metadata(context)
            self.logouts.append({"user_id": caller.user_id})
        return identity_pb.LogoutResponse()

    # -- the caller's devices --------------------------------------------------------------------------
    def ListMyDevices(self, request, context):  # noqa: N802
        self.calls.append("ListMyDevices")
        me = current_principal()
        return identity_pb.ListMyDevicesResponse(
            devices=[
                identity_pb.DeviceEntry(
                    device_id=d["device_id"],
                    kind=d["kind"],
                    created_at=_ts(d["created_at"]),
                    last_used_at=_ts(d["last_used_at"]),
                    current=bool(me.session_id) and d.get("sid") == me.session_id,
                )
                for d in self.devices.get(me.user_id, [])
            ]
        )

    def RevokeDevice(self, request, context):  # noqa: N802
        self.calls.append("RevokeDevice")
        mine = self.devices.get(current_principal().user_id, [])
        if not request.device_id.startswith(("session:", "watch:")):
            raise ValidationFailed(DEVICE_UNKNOWN, {"device_id": DEVICE_UNKNOWN})
        if not any(d["device_id"] == request.device_id for d in mine):
            raise NotFound(DEVICE_UNKNOWN)
        mine[:] = [d for d in mine if d["device_id"] != request.device_id]
        self.revoked.append(request.device_id)
        return identity_pb.RevokeDeviceResponse()

    # -- watch pairing ---------------------------------------------------------------------------------
    def ConfirmWatchPairing(self, request, context):  # noqa: N802
        self.calls.append("ConfirmWatchPairing")
        me = current_principal()
        if me.device not in ("web", "mobile"):
            raise PermissionDenied("Koppla klockan när du är inloggad på webben eller i appen.")
        self.confirmations.append((me.user_id, request.user_code))
        if sum(1 for who, _ in self.confirmations if who == me.user_id) > self.confirm_limit:
            raise RateLimited("För många försök. Vänta en stund och försök igen.")
        device_id = self.pairing_codes.pop(request.user_code, None)
        if device_id is None:
            raise NotFound(CODE_WRONG)
        self.devices.setdefault(me.user_id, []).append(
            {"device_id": device_id, "kind": "watch", "created_at": datetime.now(UTC), "last_used_at": None}
        )
        return identity_pb.ConfirmWatchPairingResponse(device_id=device_id)

    # -- the access log --------------------------------------------------------------------------------
    def ListMyAccessLog(self, request, context):  # noqa: N802
        self.calls.append("ListMyAccessLog")
        self.access_queries.append(request.resource)
        mine = self.access_log.get(current_principal().user_id, [])
        return identity_pb.ListAccessLogResponse(
            entries=[e for e in mine if not request.resource or e.resource == request.resource]
        )


class FakeApplications(apps_grpc.ApplicationsServiceServicer):
    """An in-memory case store that checks ownership and versions like the real service."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def add_case(self, owner: str, **values: Any) -> str:
        case_id = str(uuid.uuid4())
        self.cases[case_id] = {
            "owner": owner,
            "kind": KIND,
            "status": "draft",
            "answers": {},
            "version": 1,
            "created_at": datetime.now(UTC),
            "submitted_at": None,
            **values,
        }
        return case_id

    def _message(self, case_id: str) -> apps_pb.Application:
        case = self.cases[case_id]
        return apps_pb.Application(
            application_id=case_id,
            kind=case["kind"],
            title="Ansökan om ekonomiskt bistånd",
            status=case["status"],
            status_text=STATUS_TEXT[case["status"]],
            answers=case["answers"],
            version=case["version"],
            created_at=_ts(case["created_at"]),
            submitted_at=_ts(case["submitted_at"]),
        )

    def _own(self, case_id: str) -> dict[str, Any]:
        case = self.cases.get(case_id)
        if case is None:
            raise NotFound("Ansökan finns inte.")
        if case["owner"] != current_principal().user_id:
            raise PermissionDenied("Du har inte behörighet till den här ansökan.")
        return case

    @staticmethod
    def _version(case: dict[str, Any], expected: int) -> None:
        if expected and expected != case["version"]:
            raise StaleVersion("Ansökan har ändrats på en annan enhet. Ladda om sidan för att se de senaste svaren.")

    def GetForm(self, request, context):  # noqa: N802
        self.calls.append("GetForm")
        current_principal()
        if request.kind != KIND:
            raise NotFound("Det finns ingen sådan e-tjänst.")
        return apps_pb.Form(
            kind=KIND,
            version=1,
            title="Ansökan om ekonomiskt bistånd",
            fields=[apps_pb.Field(name=n, type=t, label=label, required=r) for n, t, label, r in FORM_FIELDS],
        )

    def CreateDraft(self, request, context):  # noqa: N802
        self.calls.append("CreateDraft")
        principal = current_principal()
        if request.kind != KIND:
            raise NotFound("Det finns ingen sådan e-tjänst.")
        with self.lock:
            return self._message(self.add_case(principal.user_id))

    def SaveAnswers(self, request, context):  # noqa: N802
        self.calls.append("SaveAnswers")
        with self.lock:
            case = self._own(request.application_id)
            self._version(case, request.expected_version)
            if case["status"] != "draft":
                raise Conflict("Ansökan är redan skickad.")
            known = {name for name, *_ in FORM_FIELDS}
            errors = {name: "Frågan finns inte i formuläret." for name in request.answers if name not in known}
            if "period" in request.answers and len(request.answers["period"]) != 7:
                errors["period"] = "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12."
            if errors:
                raise ValidationFailed("Några svar behöver rättas.", errors)
            case["answers"] = {**case["answers"], **dict(request.answers)}
            case["version"] += 1
            return self._message(request.application_id)

    def Submit(self, request, context):  # noqa: N802
        self.calls.append("Submit")
        with self.lock:
            case = self._own(request.application_id)
            self._version(case, request.expected_version)
            if case["status"] != "draft":
                raise Conflict("Ansökan är redan skickad.")
            missing = {n: "Svara på frågan." for n, _t, _l, req in FORM_FIELDS if req and not case["answers"].get(n)}
            if missing:
                raise ValidationFailed("Ansökan är inte färdig. Svara på frågorna som saknas.", missing)
            case["status"] = "submitted"
            case["submitted_at"] = datetime.now(UTC)
            case["version"] += 1
            return self._message(request.application_id)

    def GetApplication(self, request, context):  # noqa: N802
        self.calls.append("GetApplication")
        self._own(request.application_id)
        return self._message(request.application_id)

    def ListMyApplications(self, request, context):  # noqa: N802
        self.calls.append("ListMyApplications")
        me = current_principal().user_id
        mine = [case_id for case_id, case in self.cases.items() if case["owner"] == me]
        return apps_pb.ListMyApplicationsResponse(applications=[self._message(c) for c in mine])


class FakeNotifications(notes_grpc.NotificationsServiceServicer):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.messages: dict[str, dict[str, Any]] = {}
        self.limits: list[int] = []

    def add_message(self, owner: str, subject: str, read: bool = False) -> str:
        message_id = str(uuid.uuid4())
        self.messages[message_id] = {
            "owner": owner,
            "subject": subject,
            "body": "Hej! " + subject,
            "read": read,
            "created_at": datetime.now(UTC),
        }
        return message_id

    def _message(self, message_id: str) -> notes_pb.Message:
        m = self.messages[message_id]
        return notes_pb.Message(
            message_id=message_id,
            subject=m["subject"],
            body=m["body"],
            read=m["read"],
            created_at=_ts(m["created_at"]),
            reference="application:x",
        )

    def ListMessages(self, request, context):  # noqa: N802
        self.limits.append(request.limit)
        me = current_principal().user_id
        mine = [i for i, m in self.messages.items() if m["owner"] == me][: request.limit or 50]
        return notes_pb.ListMessagesResponse(messages=[self._message(i) for i in mine])

    def MarkRead(self, request, context):  # noqa: N802
        message = self.messages.get(request.message_id)
        if message is None or message["owner"] != current_principal().user_id:
            raise NotFound("Meddelandet finns inte.")
        message["read"] = True
        return self._message(request.message_id)

    def GetUnreadCount(self, request, context):  # noqa: N802
        me = current_principal().user_id
        return notes_pb.GetUnreadCountResponse(
            unread=sum(1 for m in self.messages.values() if m["owner"] == me and not m["read"])
        )


class FakeContact(contact_grpc.ContactServiceServicer):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.questions: list[dict[str, Any]] = []

    def _message(self, q: dict[str, Any]) -> contact_pb.Question:
        return contact_pb.Question(
            question_id=q["id"],
            subject=q["subject"],
            body=q["body"],
            channel=q["channel"],
            status="received",
            received_at=_ts(q["received_at"]),
        )

    def AskQuestion(self, request, context):  # noqa: N802
        q = {
            "id": str(uuid.uuid4()),
            "owner": current_principal().user_id,
            "subject": request.subject,
            "body": request.body,
            "channel": request.channel,
            "received_at": datetime.now(UTC),
        }
        self.questions.append(q)
        return self._message(q)

    def ListMyQuestions(self, request, context):  # noqa: N802
        me = current_principal().user_id
        return contact_pb.ListMyQuestionsResponse(
            questions=[self._message(q) for q in self.questions if q["owner"] == me]
        )


class StuckApplications(apps_grpc.ApplicationsServiceServicer):
    """Answers nothing until released: a hung service, to prove the BFF's deadline."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def ListMyApplications(self, request, context):  # noqa: N802
        self.release.wait(10)
        return apps_pb.ListMyApplicationsResponse()


def registrar(add: Any, servicer: Any, service_name: str) -> Any:
    def register(server: grpc.Server) -> Iterable[str]:
        add(servicer, server)
        return [service_name]

    return register
