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
# hintCodes the RFA list has no number for (phone orders, newer codes): our own plain Swedish.
OWN_TEXTS = {
    "userCallConfirm": "Bekräfta i BankID-appen att du pratar med oss i telefon.",
    "userDeclinedCall": "Du har avböjt samtalet i BankID-appen. Åtgärden avbröts.",
    "notSupportedByUserApp": "Din BankID-app stöder inte det här. Uppdatera BankID-appen och försök igen.",
    "transactionRiskBlocked": "BankID stoppade åtgärden av säkerhetsskäl. Försök igen senare.",
}

# status/hintCode -> RFA number; same_device picks the variant BankID prescribes for each start mode.
_PENDING = {"noClient": 1, "started": 14, "userSign": 9, "userMrtd": 23}
_FAILED = {"expiredTransaction": 8, "certificateErr": 16, "userCancel": 6, "cancelled": 3}
# Errors of the RP API (errorCode) that the user is told about; the rest are our own faults (RFA22).
_ERRORS = {"alreadyInProgress": 4, "internalError": 5, "maintenance": 5, "requestTimeout": 5, "tooManyRequests": 5}


def user_message(status: str, hint_code: str, same_device: bool = False) -> str:
    """The Swedish text BankID prescribes for a collect answer (status + hintCode) or an errorCode.
    Unknown hintCodes get the generic texts (RFA21 while pending, RFA22 when failed)."""
    if status == "pending":
        if hint_code == "outstandingTransaction":
            return RFA[13 if same_device else 1]
        if hint_code in _PENDING:
            return RFA[_PENDING[hint_code]]
        return OWN_TEXTS.get(hint_code, RFA[21])
    if hint_code == "startFailed":
        return RFA["17A" if same_device else "17B"]
    if hint_code in _FAILED:
        return RFA[_FAILED[hint_code]]
    if hint_code in _ERRORS:
        return RFA[_ERRORS[hint_code]]
    return OWN_TEXTS.get(hint_code, RFA[22])


UNKNOWN_PENDING = RFA[21]
UNKNOWN_FAILED = RFA[22]


class BankIdError(Exception):
    def __init__(self, error_code: str, details: str = "") -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details


class BankIdClient(Protocol):
    def auth(self, end_user_ip: str, personal_number: str | None) -> dict[str, Any]: ...
    def collect(self, order_ref: str) -> dict[str, Any]: ...
    def cancel(self, order_ref: str) -> dict[str, Any]: ...


FAILED_HINTS = {
    "expiredTransaction",
    "certificateErr",
    "userCancel",
    "cancelled",
    "startFailed",
    "userDeclinedCall",
    "notSupportedByUserApp",
    "transactionRiskBlocked",
}


@dataclass
class Scenario:
    """What the simulator does with an order: `after` pending collects (with `pending_hint`), then
    the outcome: "complete" or a failed hintCode (any code, so clients can be tried on unknown ones)."""

    outcome: str = "complete"
    after: int = 1
    pending_hint: str = "userSign"


@dataclass
class _Order:
    order_ref: str
    kind: str  # auth | sign | phone/auth | phone/sign
    personal_number: str
    name: str
    end_user_ip: str
    started: float
    scenario: Scenario
    user_visible_data: str = ""
    collects: int = 0
    finished: bool = False
    result: dict[str, Any] | None = None  # the final answer, once given
    qr_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    qr_start_secret: str = field(default_factory=lambda: str(uuid.uuid4()))


class Simulator:
    """A BankID test double answering like the RP API v6 (same fields, statuses, hintCodes and
    errorCodes). By default every order completes as the person asked for after `pending_collects`
    pending answers; a tester picks other outcomes per person or per order (`set_scenario`) and can
    make the next calls fail with an errorCode (`fail_next`). Orders expire after 3 minutes."""

    ORDER_LIFETIME = 180.0

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
            elif personal_number:
                self._by_person[personal_number] = scenario
            else:
                raise BankIdError("invalidParameters", "personalNumber or orderRef is needed")

    def fail_next(self, error_code: str, times: int = 1, details: str = "") -> None:
        with self._lock:
            self._failures.extend([(error_code, details or error_code)] * times)

    def reset(self) -> None:
        with self._lock:
            self._orders.clear()
            self._by_person.clear()
            self._failures.clear()

    def _injected_failure(self) -> None:
        if self._failures:
            code, details = self._failures.pop(0)
            raise BankIdError(code, details)

    # -- the RP API ---------------------------------------------------------------------------------
    def auth(self, end_user_ip: str, personal_number: str | None) -> dict[str, Any]:
        return self.start("auth", end_user_ip, personal_number)

    def sign(self, end_user_ip: str, personal_number: str | None, user_visible_data: str) -> dict[str, Any]:
        return self.start("sign", end_user_ip, personal_number, user_visible_data)

    def start(
        self, kind: str, end_user_ip: str, personal_number: str | None, user_visible_data: str = ""
    ) -> dict[str, Any]:
        person = personal_number or self.default_person
        now = time.monotonic()
        with self._lock:
            self._injected_failure()
            for order in self._orders.values():
                if order.personal_number == person and not order.finished:
                    if now - order.started < self.ORDER_LIFETIME:
                        # BankID refuses a second order for a person with one pending, and aborts both.
                        order.finished = True
                        order.result = {"orderRef": order.order_ref, "status": "failed", "hintCode": "cancelled"}
                        raise BankIdError("alreadyInProgress", "Order already in progress for pno")
            scenario = self._by_person.get(person) or Scenario(after=self.pending_collects)
            order = _Order(
                order_ref=str(uuid.uuid4()),
                kind=kind,
                personal_number=person,
                name=self.names.get(person, "Test Testsson"),
                end_user_ip=end_user_ip,
                started=now,
                scenario=scenario,
                user_visible_data=user_visible_data,
            )
            self._orders[order.order_ref] = order
        answer = {"orderRef": order.order_ref}
        if not kind.startswith("phone/"):
            answer.update(
                autoStartToken=str(uuid.uuid4()),
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
            order.collects += 1
            if order.collects <= order.scenario.after:
                return {"orderRef": order_ref, "status": "pending", "hintCode": order.scenario.pending_hint}
            order.finished = True
            if order.scenario.outcome != "complete":
                return {"orderRef": order_ref, "status": "failed", "hintCode": order.scenario.outcome}
            return {"orderRef": order_ref, "status": "complete", "completionData": self._completion(order)}

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
            "bankIdIssueDate": "2026-01-01",
            "signature": base64.b64encode(signed.encode()).decode(),
            "ocspResponse": base64.b64encode(b"simulated ocsp").decode(),
        }

    def cancel(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            self._injected_failure()
            order = self._orders.get(order_ref)
            if order is None or order.finished:
                raise BankIdError("invalidParameters", "No such order")
            order.finished = True
        return {}
