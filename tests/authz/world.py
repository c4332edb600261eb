"""The people and things the authorization matrix asks about, made on the running platform the way
their owners make them: logins through the BFFs, resident A's case (signed by A and her
co-applicant), a draft, a contact question with a file, bookings, a fault report, an inbox message, a
push subscription, a paired watch; the staff side's slots and wall screens.

A, B and the co-applicant are Skatteverket test numbers no other test uses, so what other tests do
with the demo resident on the same platform cannot change what the matrix sees (and the matrix
changes nothing of theirs). The staff are the demo staff; a second contact agent, of an advisory
service, is given that role by the admin here."""

from __future__ import annotations

import base64
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bff_web.cookie import FernetSerializer
from fickan.contact.v1 import contact_pb2, contact_pb2_grpc
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan_common.grpc_client import ServiceClient

from ..support.mobile import MobileClient
from ..support.web import web_login

# Skatteverket's test personnummer (services/identity/tests/data/README.md), used by no other test.
RESIDENT_A = "197501079292"
CO_APPLICANT = "197501149285"
RESIDENT_B = "197502199255"
ADVISOR = "197503049293"  # made a contact agent of an advisory service below
# The demo staff (services/identity/identity/demo_people.json).
CASE_WORKER = "198501012382"  # unit ekonomiskt-bistand, where A's case goes
CASE_WORKER_OTHER_UNIT = "198501022381"  # unit aldreomsorg
CONTACT_AGENT = "198501032380"  # answer group ÄSSF, where A's question goes
ADMIN = "198501042389"

ADVISORY_SERVICE = "Budget- och skuldrådgivning"
OTHER_ADVISORY_SERVICES = ("Konsumentvägledning", "EU-information")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Who asks. The first eight are people with a BankID login; the last three are not.
PEOPLE = {
    "resident_a": RESIDENT_A,
    "resident_b": RESIDENT_B,
    "co_applicant": CO_APPLICANT,
    "case_worker": CASE_WORKER,
    "case_worker_other_unit": CASE_WORKER_OTHER_UNIT,
    "contact_agent": CONTACT_AGENT,
    "contact_agent_other_group": ADVISOR,
    "admin": ADMIN,
}
PRINCIPALS = (*PEOPLE, "watch", "no_token", "expired_token")


@dataclass(frozen=True)
class Marker:
    """A text only some may get back: A's (and whoever the route's rule says sees A's things, and
    `shared`, e.g. her co-applicant for the case), or, `staff_only`, only `shared` on any route."""

    text: str
    shared: frozenset[str] = frozenset()
    staff_only: bool = False


@dataclass
class Person:
    personal_number: str
    user_id: str
    token: str  # the mobile login's access token
    web: requests.Session  # a browser logged in on the web BFF
    csrf: str  # the web session's CSRF token


@dataclass
class World:
    platform: Any
    people: dict[str, Person]
    watch_token: str  # A's paired watch (opaque, what the watch holds)
    glance_token: str  # what the watch BFF trades it for (a JWT with scope "glance")
    expired_token: str  # A's own token, expired an hour ago, signed with identity's real key
    expired_cookie: str  # a web session cookie holding that expired token (and a CSRF token)
    expired_csrf: str
    anonymous_cookie: str  # the session cookie of a browser that never logged in (a CSRF token only)
    anonymous_csrf: str
    ids: dict[str, str] = field(default_factory=dict)  # A's things and the staff's, by name
    markers: dict[str, Marker] = field(default_factory=dict)  # what must reach nobody else, by name

    def url(self, bff: str) -> str:
        return self.platform.url(bff)


def grpc_client(platform: Any, service: str, stub: type) -> ServiceClient:
    return ServiceClient(platform.target(service), stub, timeout=10)


def csrf_of(browser: requests.Session, web: str) -> str:
    """The session's CSRF token, as every form of the session carries it."""
    page = browser.get(f"{web}/provrakning", timeout=10).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _ok(answer: requests.Response, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200,)), f"{answer.request.method} {answer.url}: {answer.text[:500]}"
    json_body = answer.headers.get("Content-Type", "").startswith("application/json")
    return answer.json() if answer.content and json_body else None


def _sign(mobile: MobileClient, token: str, application_id: str) -> dict[str, Any]:
    """BankID signing through the mobile BFF (the applications service submits or co-signs the case);
    the simulator plays the person's app. Returns the case as it then is."""
    started = _ok(mobile.call("POST", f"/applications/{application_id}/sign/start", token, json={}))
    for _ in range(50):
        answer = _ok(
            mobile.call(
                "POST", f"/applications/{application_id}/sign/collect", token, json={"orderRef": started["orderRef"]}
            )
        )
        if answer["status"] == "complete":
            return answer["application"]
        assert answer["status"] == "pending", answer
        time.sleep(0.1)
    raise AssertionError("signing did not complete")


def _upload(mobile: MobileClient, token: str, path: str, name: str) -> dict[str, Any]:
    return _ok(mobile.call("POST", path, token, files={"file": (name, PDF, "application/pdf")}), 201)


def _push_keys() -> dict[str, str]:
    """A browser's Web Push keys: its P-256 public key (uncompressed point) and a 16-byte secret."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": _b64(point), "auth": _b64(secrets.token_bytes(16))}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_like(token: str, keys_dir: Path, lifetime: int) -> str:
    """The token's claims with a new lifetime (negative: expired that long ago), signed with
    identity's current key (the newest file) as identity signs."""
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=min(now, now + lifetime) - 60, exp=now + lifetime, jti=uuid.uuid4().hex)
    newest = sorted(keys_dir.glob("*.pem"))[-1]
    return jwt.encode(claims, newest.read_bytes(), algorithm="ES256", headers={"kid": newest.stem})


def keys_dir(platform: Any) -> Path:
    return platform.var / "keys" / "identity"


def session_cookie(session_key: str, content: dict[str, Any]) -> str:
    """The web BFF's encrypted session cookie holding `content`."""
    return FernetSerializer(MultiFernet([Fernet(session_key)])).dumps(content)


def pair_watch(platform: Any, token: str) -> tuple[str, str]:
    """A watch paired by the resident of `token`: its watch token, and the glance token the watch BFF
    gets for it from identity."""
    watch, mobile = platform.url("watch"), MobileClient(platform.url("mobile"))
    pairing = requests.post(f"{watch}/v1/pairing", timeout=10).json()
    _ok(mobile.call("POST", "/devices/watch", token, json={"userCode": pairing["userCode"]}))
    # Polled first after the confirmation: no interval to wait out.
    paired = requests.post(f"{watch}/v1/pairing/poll", json={"deviceCode": pairing["deviceCode"]}, timeout=10).json()
    assert paired["status"] == "complete", paired
    identity = grpc_client(platform, "identity", identity_pb2_grpc.IdentityServiceStub)
    try:
        request = identity_pb2.ExchangeWatchTokenRequest(watch_token=paired["watchToken"])
        return paired["watchToken"], identity.call("ExchangeWatchToken", request).access_token
    finally:
        identity.close()


def build(platform: Any) -> World:
    with _Maker(platform) as make:
        make.advisor()
        make.logins()
        make.case()
        make.question()
        make.bookings()
        make.other_things_of_a()
        make.wall_screens()
        return make.world()


class _Maker:
    """Makes the world step by step through the BFFs (and, for the staff side, the services)."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.web, self.mobile = platform.url("web"), MobileClient(platform.url("mobile"))
        self.identity = grpc_client(platform, "identity", identity_pb2_grpc.IdentityServiceStub)
        self.contact = grpc_client(platform, "contact", contact_pb2_grpc.ContactServiceStub)
        self.people: dict[str, Person] = {}
        self.ids: dict[str, str] = {}
        self.marker = f"authz-a-{secrets.token_hex(6)}"  # in A's texts
        self.note = f"authz-note-{secrets.token_hex(6)}"  # in the agent's internal note
        self.watch_token = self.glance_token = ""

    def __enter__(self) -> _Maker:
        return self

    def __exit__(self, *_: object) -> None:
        self.identity.close()
        self.contact.close()

    @property
    def a(self) -> Person:
        return self.people["resident_a"]

    def advisor(self) -> None:
        """The admin makes the advisor a contact agent of an advisory service (before they log in)."""
        self.identity.call(
            "AssignRoles",
            identity_pb2.AssignRolesRequest(
                personal_number=ADVISOR,
                name="Rut Rådgivare",
                roles=["contact_agent"],
                answer_group=ADVISORY_SERVICE,
                reason="authorization matrix",
            ),
            token=self.mobile.login(ADMIN),
        )

    def logins(self) -> None:
        """Everyone logs in on the app and in a browser."""
        for key, number in PEOPLE.items():
            login = self.mobile.login_answer(number)
            browser = web_login(self.web, number)
            self.people[key] = Person(
                number, login["user"]["id"], login["accessToken"], browser, csrf_of(browser, self.web)
            )

    def case(self) -> None:
        """A's grundansökan with her partner as co-applicant, signed by both, so submitted (and
        received: a case of the case worker's unit); and a draft of another e-service."""
        mobile, a, co = self.mobile, self.a, self.people["co_applicant"]
        case = _ok(mobile.call("POST", "/applications", a.token, json={"kind": "eb_grundansokan"}), 201)
        path = f"/applications/{case['id']}"
        statement = _upload(mobile, a.token, f"{path}/attachments", "kontoutdrag.pdf")
        answers = {
            "period": case["period"] or date.today().strftime("%Y-%m"),
            "sysselsattning": "arbetssokande",
            "inskriven_af": "ja",
            "har_partner": "ja",
            "partner_personnummer": CO_APPLICANT,
            "boendeform": "utan_bostad",
            "har_inkomster": "nej",
            "har_tillgangar": "nej",
            "kontoutdrag": [statement["id"]],
            "samtycke_kontroll": "ja",
            "sanningsforsakran": "ja",
        }
        _ok(mobile.call("PUT", f"{path}/answers", a.token, json={"answers": answers, "version": case["version"]}))
        assert _sign(mobile, a.token, case["id"])["status"] == "signature_pending"
        signed = _sign(mobile, co.token, case["id"])
        assert signed["status"] != "signature_pending", signed
        self.ids.update(case=case["id"], case_attachment=statement["id"])
        draft = _ok(mobile.call("POST", "/applications", a.token, json={"kind": "ekonomiskt_bistand"}), 201)
        self.ids["draft"] = draft["id"]

    def question(self) -> None:
        """A's question to the contact centre (to the contact agent's group) with a file, and the
        agent's internal note in it (for the contact centre's eyes only)."""
        body = {"subject": "Min ansökan", "body": f"Fråga om min ansökan {self.marker}", "topic": "ekonomiskt-bistand"}
        question = _ok(self.mobile.call("POST", "/questions", self.a.token, json=body), 201)
        path = f"/questions/{question['id']}"
        _upload(self.mobile, self.a.token, f"{path}/attachments", "hyresavi.pdf")
        thread = _ok(self.mobile.call("GET", path, self.a.token))
        self.ids["question"] = question["id"]
        self.ids["question_attachment"] = next(e["attachmentId"] for e in thread["entries"] if e["attachmentId"])
        note = contact_pb2.WriteRequest(question_id=question["id"], body=f"Internt: {self.note}")
        self.contact.call("AddNote", note, token=self.people["contact_agent"].token)

    def bookings(self) -> None:
        """The advisor publishes times and A books one; one booking per service and resident, so the
        two A may cancel (on the web and in the app) are at services the admin publishes times for."""
        advisor, admin = self.people["contact_agent_other_group"].token, self.people["admin"].token
        slots = self._publish(advisor, ADVISORY_SERVICE)
        self.ids["booking"] = self._book(slots[0])
        self.ids["free_slot"] = slots[1]  # what residents may ask to move to
        self.ids["slot_to_withdraw"] = slots[2]  # the advisor's own
        self.ids["booking_cancel_web"] = self._book(self._publish(admin, OTHER_ADVISORY_SERVICES[0])[0])
        self.ids["booking_cancel_mobile"] = self._book(self._publish(admin, OTHER_ADVISORY_SERVICES[1], 3)[0])

    def _publish(self, token: str, group: str, days_ahead: int = 2) -> list[str]:
        """A day of the caller's times of `group`; the free ones, earliest first. (One advisor's times
        never overlap, so the admin's second service gets another day; the admin is a demo person
        other tests may have published times for, so what is free is asked afterwards.)"""
        day = (date.today() + timedelta(days=days_ahead)).isoformat()
        pattern = contact_pb2.PublishSlotsRequest(
            group=group,
            kind="on_site",
            weekdays=[1, 2, 3, 4, 5, 6, 7],
            start_time="08:00",
            end_time="16:00",
            slot_minutes=30,
            from_date=day,
            to_date=day,
            location="Stadshuset",
        )
        self.contact.call("PublishSlots", pattern, token=token)
        mine = self.contact.call("GetAdvisorDay", contact_pb2.AdvisorDayRequest(date=day), token=token)
        free = self.contact.call(
            "ListFreeSlots", contact_pb2.ListFreeSlotsRequest(group=group, from_date=day, limit=50)
        )
        return [s.slot_id for s in free.slots if s.slot_id in {m.slot_id for m in mine.slots}]

    def _book(self, slot_id: str) -> str:
        booked = self.mobile.call("POST", "/bookings", self.a.token, json={"slotId": slot_id, "note": self.marker})
        return _ok(booked, 201)["id"]

    def other_things_of_a(self) -> None:
        """A fault report (public by Open311's design: no marker in it), a push subscription, a second
        login (a device to end), a paired watch, a guide session, and her inbox messages (written by
        notifications' worker from the events): the one about her case, one about a booking."""
        mobile, a = self.mobile, self.a
        report = {"serviceCode": "potthal", "description": "Hål i cykelvägen", "address": "Storgatan 1"}
        self.ids["fault"] = _ok(mobile.call("POST", "/fault-reports", a.token, json=report), 201)["id"]
        push = {"endpoint": "https://push.invalid/authz", **_push_keys()}
        self.ids["push_subscription"] = _ok(mobile.call("POST", "/push/subscriptions", a.token, json=push), 201)["id"]
        spare = mobile.login(RESIDENT_A)
        self.ids["device"] = next(
            d["id"] for d in _ok(mobile.call("GET", "/devices", spare))["devices"] if d["current"]
        )
        self.watch_token, self.glance_token = pair_watch(self.platform, a.token)
        guide = _ok(mobile.call("GET", "/guides", None))["guides"][0]["id"]
        self.ids["guide"] = guide
        self.ids["guide_session"] = _ok(mobile.call("POST", f"/guides/{guide}/sessions", None), 201)["sessionId"]
        self.ids["message"] = mobile.wait_for_message(a.token, f"application:{self.ids['case']}")["id"]
        about_booking = f"booking:{self.ids['booking_cancel_mobile']}"
        self.ids["message_to_archive"] = mobile.wait_for_message(a.token, about_booking)["id"]

    def wall_screens(self) -> None:
        """The contact agent's wall screens: one to look at, one to revoke."""
        for name in ("screen", "screen_to_revoke"):
            made = self.contact.call(
                "CreateWallScreen",
                contact_pb2.CreateWallScreenRequest(name=name),
                token=self.people["contact_agent"].token,
            )
            self.ids[name], self.ids[f"{name}_token"] = made.screen_id, made.token

    def world(self) -> World:
        expired = signed_like(self.a.token, keys_dir(self.platform), -3600)
        session_key = (self.platform.var / "web_session_key").read_text().strip()
        expired_csrf, anonymous_csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expired_session = {"token": expired, "expires": int(time.time()) - 3600, "csrf": expired_csrf}
        ids, party = self.ids, frozenset({"co_applicant"})  # a party of the case
        markers = {
            "A's question text": Marker(self.marker),
            "A's user id": Marker(self.a.user_id),
            "A's personnummer": Marker(RESIDENT_A),
            "A's case id": Marker(ids["case"], party),
            "A's case attachment id": Marker(ids["case_attachment"], party),
            **{f"A's {name} id": Marker(ids[name]) for name in ("draft", "question", "booking", "message")},
            "A's question attachment id": Marker(ids["question_attachment"]),
            "the agent's internal note": Marker(self.note, frozenset({"contact_agent", "admin"}), staff_only=True),
        }
        return World(
            platform=self.platform,
            people=self.people,
            watch_token=self.watch_token,
            glance_token=self.glance_token,
            expired_token=expired,
            expired_cookie=session_cookie(session_key, expired_session),
            expired_csrf=expired_csrf,
            anonymous_cookie=session_cookie(session_key, {"csrf": anonymous_csrf}),
            anonymous_csrf=anonymous_csrf,
            ids=ids,
            markers=markers,
        )
