"""BankID: the animated QR, the messages residents see (BankID's RFA texts) and the simulator's
rules (an RP API v6 test double; `identity.bankid.simulator_server` serves it over HTTP).

The simulator runs only when the setting FICKAN_BANKID_SIMULATOR says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


def qr_content(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """bankid.<qrStartToken>.<seconds>.<hex HMAC-SHA256(qrStartSecret, seconds)>"""
    digest = hmac.new(qr_start_secret.encode(), str(seconds).encode(), hashlib.sha256).hexdigest()
    return f"bankid.{qr_start_token}.{seconds}.{digest}"


# The texts BankID's guidelines prescribe (the "RFA" messages), by number.
RFA = {
    1: "Starta BankID-appen.",
    2: "Du har inte BankID-appen installerad. Kontakta din bank.",
    3: "Åtgärden avbruten. Försök igen.",
    4: "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
    5: "Internt tekniskt fel. Försök igen.",
    6: "Åtgärden avbruten.",
    8: "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. "
    "Om du inte har något giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.",
    9: "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
    13: "Försöker starta BankID-appen.",
    14: "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
    "har hittats har du sannolikt inget BankID som går att använda för den aktuella "
    "identifieringen/underskriften i den här enheten. Om du inte har något BankID kan du skaffa ett hos "
    "din bank. Om du har ett BankID på en annan enhet kan du starta din BankID-app där.",
    16: "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller "
    "skaffa ett nytt hos din bank.",
    "17A": "BankID-appen verkar inte finnas i din dator eller telefon. Installera den och skaffa ett "
    "BankID hos din bank. Installera appen från din appbutik eller https://install.bankid.com.",
    "17B": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att "
    "BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa ett "
    "BankID hos din bank. Installera appen från din appbutik eller https://install.bankid.com.",
    21: "Identifiering eller underskrift pågår.",
    22: "Okänt fel. Försök igen.",
    23: "Fotografera och läs av din ID-handling med BankID-appen.",
}
# BankID's English versions of the same texts, for the second language.
RFA_EN = {
    1: "Start your BankID app.",
    2: "The BankID app is not installed. Please contact your bank.",
    3: "Action cancelled. Please try again.",
    4: "An identification or signing for this personal number is already started. Please try again.",
    5: "Internal error. Please try again.",
    6: "Action cancelled.",
    8: "The BankID app is not responding. Please check that it is started and that you have internet access. "
    "If you don't have a valid BankID you can get one from your bank. Try again.",
    9: "Enter your security code in the BankID app and select Identify or Sign.",
    13: "Trying to start your BankID app.",
    14: "Searching for BankID, it may take a little while … If a few seconds have passed and still no BankID has "
    "been found, you probably don't have a BankID which can be used for this identification/signing on this "
    "device. If you don't have a BankID you can get one from your bank. If you have a BankID on another device "
    "you can start the BankID app on that device.",
    16: "The BankID you are trying to use is blocked or too old. Please use another BankID or get a new one from "
    "your bank.",
    "17A": "The BankID app couldn't be found on your computer or mobile device. Please install it and get a BankID "
    "from your bank. Install the app from your app store or https://install.bankid.com.",
    "17B": "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID app is up "
    "to date. If you don't have the BankID app, you need to install it and get a BankID from your bank. Install "
    "the app from your app store or https://install.bankid.com.",
    21: "Identification or signing in progress.",
    22: "Unknown error. Please try again.",
    23: "Process your machine-readable travel document using the BankID app.",
}
# hintCodes the RFA list has no number for (phone orders, newer codes): our own plain Swedish.
OWN_TEXTS = {
    "userCallConfirm": "Bekräfta i BankID-appen att du pratar med oss i telefon.",
    "userDeclinedCall": "Du har avböjt samtalet i BankID-appen. Åtgärden avbröts.",
    "notSupportedByUserApp": "Din BankID-app stöder inte det här. Uppdatera BankID-appen och försök igen.",
    "transactionRiskBlocked": "BankID stoppade åtgärden av säkerhetsskäl. Försök igen senare.",
}
OWN_TEXTS_EN = {
    "userCallConfirm": "Confirm in the BankID app that you are talking to us on the phone.",
    "userDeclinedCall": "You declined the call in the BankID app. The action was cancelled.",
    "notSupportedByUserApp": "Your BankID app does not support this. Update the BankID app and try again.",
    "transactionRiskBlocked": "BankID stopped the action for security reasons. Please try again later.",
}

# status/hintCode -> RFA number; same_device picks the variant BankID prescribes for each start mode.
_PENDING = {"noClient": 1, "started": 14, "userSign": 9, "userMrtd": 23}
_FAILED = {"expiredTransaction": 8, "certificateErr": 16, "userCancel": 6, "cancelled": 3}
# Errors of the RP API (errorCode) that the user is told about; the rest are our own faults (RFA22).
_ERRORS = {"alreadyInProgress": 4, "internalError": 5, "maintenance": 5, "requestTimeout": 5, "tooManyRequests": 5}


def rfa_number(status: str, hint_code: str, same_device: bool = False) -> int | str | None:
    """The RFA message BankID prescribes for a collect answer (status + hintCode) or an errorCode;
    None for codes the RFA list has no number for."""
    if status == "pending":
        if hint_code == "outstandingTransaction":
            return 13 if same_device else 1
        return _PENDING.get(hint_code)
    if hint_code == "startFailed":
        return "17A" if same_device else "17B"
    return _FAILED.get(hint_code) or _ERRORS.get(hint_code)


def user_message(status: str, hint_code: str, same_device: bool = False, lang: str = "sv") -> str:
    """The text to show for a collect answer or an errorCode, in Swedish (or English). Unknown
    hintCodes get the generic texts (RFA21 while pending, RFA22 when failed)."""
    texts, own = (RFA_EN, OWN_TEXTS_EN) if lang == "en" else (RFA, OWN_TEXTS)
    number = rfa_number(status, hint_code, same_device)
    if number is not None:
        return texts[number]
    return own.get(hint_code, texts[21 if status == "pending" else 22])


class BankIdError(Exception):
    def __init__(self, error_code: str, details: str = "") -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details


class BankIdClient(Protocol):
    """What identity needs of BankID; identity.bankid.client.RpClient is the real one."""

    def auth(
        self,
        end_user_ip: str,
        personal_number: str | None = None,
        user_visible_data: str | None = None,
        return_url: str | None = None,
    ) -> dict[str, Any]: ...

    def sign(
        self,
        end_user_ip: str,
        user_visible_data: str,
        personal_number: str | None = None,
        user_non_visible_data: str | None = None,
        return_url: str | None = None,
    ) -> dict[str, Any]: ...

    def phone_auth(self, personal_number: str, call_initiator: str = "RP") -> dict[str, Any]: ...

    def collect(self, order_ref: str) -> dict[str, Any]: ...

    def cancel(self, order_ref: str) -> dict[str, Any]: ...


@dataclass
class Scenario:
    """What the simulator does with an order once the app has it: `after` pending collects (with
    `pending_hint`), then the outcome: "complete" or a failed hintCode (any code, so clients can be
    tried on unknown ones)."""

    outcome: str = "complete"
    after: int = 1
    pending_hint: str = "userSign"


@dataclass
class _Order:
    order_ref: str
    kind: str  # auth | sign | phone/auth | phone/sign
    personal_number: str  # who completes it ("" until the app has it)
    name: str
    end_user_ip: str
    started: float
    scenario: Scenario
    user_visible_data: str = ""
    required_person: str = ""  # requirement.personalNumber, if the order had one
    opened: bool = False  # the app has the order (scanned, autostarted, or the person's own)
    return_url: str = ""  # where the app sends the person when done (same-device start)
    collects: int = 0
    finished: bool = False
    result: dict[str, Any] | None = None  # the final answer, once given
    qr_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    qr_start_secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    auto_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))


class Simulator:
    """A BankID test double answering like the RP API v6 (same fields, statuses, hintCodes and
    errorCodes). It plays both BankID's server and the person's BankID app:

    - an order for a given personnummer is opened by that person's app by itself, and completes
      after `pending_collects` pending answers;
    - an order without one waits (outstandingTransaction) until a QR code of it is scanned (`scan`,
      which checks the code like the app does) or it is started on the same device (`autostart`),
      as the person the tester picks.

    A tester picks other outcomes per person or per order (`set_scenario`) and can make the next calls
    fail with an errorCode (`fail_next`). Orders expire after 3 minutes."""

    ORDER_LIFETIME = 180.0
    QR_MAX_AGE = 10  # seconds a scanned QR code may lag behind the order's clock

    def __init__(
        self,
        pending_collects: int = 1,
        names: dict[str, str] | None = None,
        default_person: str = "199001012385",
    ) -> None:
        self.pending_collects = pending_collects
        self.names = names or {}
        self.default_person = default_person
        self._orders: dict[str, _Order] = {}
        self._by_person: dict[str, Scenario] = {}
        self._failures: list[tuple[str, str]] = []  # (errorCode, details) for the next calls
        self._lock = threading.Lock()
        # While on, every RP call answers `maintenance` (503), as BankID does during maintenance.
        self.maintenance = False

    # -- tester controls --------------------------------------------------------------------------
    def set_scenario(
        self,
        outcome: str = "complete",
        after: int | None = None,
        personal_number: str | None = None,
        order_ref: str | None = None,
        pending_hint: str = "userSign",
    ) -> None:
        scenario = Scenario(outcome, self.pending_collects if after is None else max(0, after), pending_hint)
        with self._lock:
            if order_ref:
                order = self._orders.get(order_ref)
                if order is None or order.finished:
                    raise BankIdError("invalidParameters", "No such order")
                order.scenario = scenario
                order.collects = 0
                if personal_number:
                    self._assign(order, personal_number)
                    order.opened = True
            elif personal_number:
                self._by_person[personal_number] = scenario
            else:
                raise BankIdError("invalidParameters", "personalNumber or orderRef is needed")

    def fail_next(self, error_code: str, times: int = 1, details: str = "") -> None:
        with self._lock:
            self._failures.extend([(error_code, details or error_code)] * times)

    def reset(self) -> None:
        with self._lock:
            self.maintenance = False
            self._orders.clear()
            self._by_person.clear()
            self._failures.clear()

    def set_maintenance(self, on: bool) -> None:
        with self._lock:
            self.maintenance = on

    def _injected_failure(self) -> None:
        if self.maintenance:
            raise BankIdError("maintenance", "BankID is under maintenance (simulated)")
        if self._failures:
            code, details = self._failures.pop(0)
            raise BankIdError(code, details)

    # -- the RP API ---------------------------------------------------------------------------------
    def auth(self, end_user_ip: str, personal_number: str | None = None, **_: Any) -> dict[str, Any]:
        return self.start("auth", end_user_ip, personal_number)

    def sign(
        self, end_user_ip: str, user_visible_data: str, personal_number: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return self.start("sign", end_user_ip, personal_number, user_visible_data)

    def phone_auth(self, personal_number: str, call_initiator: str = "RP") -> dict[str, Any]:
        return self.start("phone/auth", "127.0.0.1", personal_number)

    def start(
        self,
        kind: str,
        end_user_ip: str,
        personal_number: str | None,
        user_visible_data: str = "",
        return_url: str = "",
    ) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            self._injected_failure()
            if personal_number:
                for order in self._orders.values():
                    if order.required_person == personal_number and not order.finished:
                        if now - order.started < self.ORDER_LIFETIME:
                            # BankID refuses a second order for a person with one pending, and aborts both.
                            order.finished = True
                            order.result = {"orderRef": order.order_ref, "status": "failed", "hintCode": "cancelled"}
                            raise BankIdError("alreadyInProgress", "Order already in progress for pno")
            scenario = self._by_person.get(personal_number or "") or Scenario(after=self.pending_collects)
            order = _Order(
                order_ref=str(uuid.uuid4()),
                kind=kind,
                personal_number="",
                name="",
                end_user_ip=end_user_ip,
                started=now,
                scenario=scenario,
                user_visible_data=user_visible_data,
                required_person=personal_number or "",
                opened=bool(personal_number),
                return_url=return_url,
            )
            if personal_number:
                self._assign(order, personal_number)
            self._orders[order.order_ref] = order
        answer = {"orderRef": order.order_ref}
        if not kind.startswith("phone/"):
            answer.update(
                autoStartToken=order.auto_start_token,
                qrStartToken=order.qr_start_token,
                qrStartSecret=order.qr_start_secret,
            )
        return answer

    def collect(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            self._injected_failure()
            order = self._orders.get(order_ref)
            if order is None or (order.finished and order.result is None):
                raise BankIdError("invalidParameters", "No such order")
            if order.finished:
                # A final answer is given once; after it the order is gone, as at BankID.
                result, order.result = order.result, None
                return result  # type: ignore[return-value]
            if time.monotonic() - order.started > self.ORDER_LIFETIME:
                order.finished = True
                return {"orderRef": order_ref, "status": "failed", "hintCode": "expiredTransaction"}
            if not order.opened:
                return {"orderRef": order_ref, "status": "pending", "hintCode": "outstandingTransaction"}
            order.collects += 1
            if order.collects <= order.scenario.after:
                return {"orderRef": order_ref, "status": "pending", "hintCode": order.scenario.pending_hint}
            order.finished = True
            if order.scenario.outcome != "complete":
                return {"orderRef": order_ref, "status": "failed", "hintCode": order.scenario.outcome}
            return {"orderRef": order_ref, "status": "complete", "completionData": self._completion(order)}

    def cancel(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            self._injected_failure()
            order = self._orders.get(order_ref)
            if order is None or order.finished:
                raise BankIdError("invalidParameters", "No such order")
            order.finished = True
        return {}

    # -- the person's BankID app ----------------------------------------------------------------
    def scan(self, qr_data: str, personal_number: str | None = None, outcome: str = "complete") -> str:
        """The app scans a QR code: it must be one of a pending order's codes, and fresh (the app
        refuses old ones). Returns the orderRef."""
        parts = qr_data.split(".")
        if len(parts) != 4 or parts[0] != "bankid" or not parts[2].isdigit():
            raise BankIdError("invalidParameters", "Not a BankID QR code")
        with self._lock:
            order = next((o for o in self._orders.values() if o.qr_start_token == parts[1]), None)
            if order is None or order.finished:
                raise BankIdError("invalidParameters", "No such order")
            seconds = int(parts[2])
            if not hmac.compare_digest(qr_content(order.qr_start_token, order.qr_start_secret, seconds), qr_data):
                raise BankIdError("invalidParameters", "The QR code does not verify")
            elapsed = time.monotonic() - order.started
            if not elapsed - self.QR_MAX_AGE <= seconds <= elapsed + 1:
                raise BankIdError("invalidParameters", "The QR code is too old")
            self._open(order, personal_number, outcome)
            return order.order_ref

    def autostart(
        self, auto_start_token: str, personal_number: str | None = None, outcome: str = "complete"
    ) -> tuple[str, str]:
        """The app is opened on the same device with bankid:///?autostarttoken=...; returns the
        orderRef and the returnUrl the app opens when the person is done ("" if none)."""
        with self._lock:
            order = next((o for o in self._orders.values() if o.auto_start_token == auto_start_token), None)
            if order is None or order.finished:
                raise BankIdError("invalidParameters", "No such order")
            self._open(order, personal_number, outcome)
            return order.order_ref, order.return_url

    def pending_orders(self) -> list[dict[str, Any]]:
        """Orders waiting for the app, for the simulator's own page (no personal data)."""
        now = time.monotonic()
        with self._lock:
            return [
                {"orderRef": o.order_ref, "kind": o.kind, "age": int(now - o.started), "opened": o.opened}
                for o in self._orders.values()
                if not o.finished and now - o.started < self.ORDER_LIFETIME
            ]

    def _open(self, order: _Order, personal_number: str | None, outcome: str) -> None:
        person = personal_number or order.required_person or self.default_person
        if order.required_person and person != order.required_person:
            # The order is for someone else: the app finds no usable BankID for it.
            order.scenario = Scenario("startFailed", 0)
        else:
            order.scenario = Scenario(outcome, min(order.scenario.after, 1), "userSign")
        self._assign(order, person)
        order.opened = True
        order.collects = 0

    def _assign(self, order: _Order, person: str) -> None:
        order.personal_number = person
        order.name = self.names.get(person, "Test Testsson")

    @staticmethod
    def _completion(order: _Order) -> dict[str, Any]:
        given, _, surname = order.name.partition(" ")
        signed = f"<simulated kind='{order.kind}'>{order.user_visible_data}</simulated>"
        return {
            "user": {
                "personalNumber": order.personal_number,
                "name": order.name,
                "givenName": given,
                "surname": surname,
            },
            "device": {"ipAddress": order.end_user_ip, "uhi": secrets.token_urlsafe(16)},
            "stepUp": {"mrtd": False},
            "bankIdIssueDate": "2026-01-01Z",  # BankID writes the date with a Z
            "signature": base64.b64encode(signed.encode()).decode(),
            "ocspResponse": base64.b64encode(b"simulated ocsp").decode(),
        }
