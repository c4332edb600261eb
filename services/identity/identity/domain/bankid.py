"""BankID login orders: the animated QR, the messages residents see, and a minimal simulator.

The simulator answers like BankID's RP API v6 auth/collect/cancel (same field names and statuses)
so the full HTTP client of the identity issue can replace it without changing the use cases.
It runs only when the setting FICKAN_BANKID_SIMULATOR says so.
"""

from __future__ import annotations

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


# What BankID's guidelines tell the user (RFA texts), by status/hintCode. Unknown codes fall back.
USER_MESSAGES = {
    "outstandingTransaction": "Starta BankID-appen.",  # RFA13
    "noClient": "Starta BankID-appen.",  # RFA1
    "started": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget "
    "BankID har hittats har du sannolikt inget BankID som går att använda för den aktuella "
    "identifieringen/underskriften i den här enheten.",  # RFA14/15
    "userSign": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",  # RFA9
    "userMrtd": "Läs av ditt id-kort eller pass med BankID-appen.",
    "userCallConfirm": "Bekräfta samtalet i BankID-appen.",
    "expiredTransaction": "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
    "internetanslutning. Försök sedan igen.",  # RFA8
    "certificateErr": "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat "
    "BankID eller skaffa ett nytt hos din internetbank.",  # RFA16
    "userCancel": "Åtgärden avbröts.",  # RFA6
    "cancelled": "Åtgärden avbröts. Försök igen.",  # RFA3
    "startFailed": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. "
    "Kontrollera att BankID-appen är uppdaterad.",  # RFA17
    "alreadyInProgress": "En identifiering eller underskrift för det här personnumret är redan "
    "påbörjad. Försök igen.",  # RFA4
    "internalError": "Internt tekniskt fel. Försök igen.",  # RFA5
}
UNKNOWN_PENDING = "Identifiering eller underskrift pågår."  # RFA21
UNKNOWN_FAILED = "Internt tekniskt fel. Försök igen."  # RFA22


def user_message(status: str, hint_code: str) -> str:
    if hint_code in USER_MESSAGES:
        return USER_MESSAGES[hint_code]
    return UNKNOWN_PENDING if status == "pending" else UNKNOWN_FAILED


class BankIdError(Exception):
    def __init__(self, error_code: str, details: str = "") -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details


class BankIdClient(Protocol):
    def auth(self, end_user_ip: str, personal_number: str | None) -> dict[str, Any]: ...
    def collect(self, order_ref: str) -> dict[str, Any]: ...
    def cancel(self, order_ref: str) -> dict[str, Any]: ...


@dataclass
class _Order:
    order_ref: str
    personal_number: str
    name: str
    started: float
    collects: int = 0
    finished: bool = False
    qr_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    qr_start_secret: str = field(default_factory=lambda: str(uuid.uuid4()))


class Simulator:
    """An in-process BankID test double for local use and tests: every order completes as the
    person asked for after `pending_collects` pending answers; orders expire after 3 minutes."""

    ORDER_LIFETIME = 180.0

    def __init__(self, pending_collects: int = 1, names: dict[str, str] | None = None) -> None:
        self.pending_collects = pending_collects
        self.names = names or {}
        self._orders: dict[str, _Order] = {}
        self._lock = threading.Lock()

    def auth(self, end_user_ip: str, personal_number: str | None) -> dict[str, Any]:
        if not personal_number:
            raise BankIdError("invalidParameters", "the simulator needs the person to log in")
        now = time.monotonic()
        with self._lock:
            for order in self._orders.values():
                if order.personal_number == personal_number and not order.finished:
                    if now - order.started < self.ORDER_LIFETIME:
                        # BankID refuses a second order for a person with one pending.
                        order.finished = True
                        raise BankIdError("alreadyInProgress", "an order for this person is in progress")
            order = _Order(
                order_ref=str(uuid.uuid4()),
                personal_number=personal_number,
                name=self.names.get(personal_number, "Test Testsson"),
                started=now,
            )
            self._orders[order.order_ref] = order
        return {
            "orderRef": order.order_ref,
            "autoStartToken": str(uuid.uuid4()),
            "qrStartToken": order.qr_start_token,
            "qrStartSecret": order.qr_start_secret,
        }

    def collect(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            order = self._orders.get(order_ref)
            if order is None or order.finished:
                raise BankIdError("notFound", "no such order")
            if time.monotonic() - order.started > self.ORDER_LIFETIME:
                order.finished = True
                return {"orderRef": order_ref, "status": "failed", "hintCode": "expiredTransaction"}
            order.collects += 1
            if order.collects <= self.pending_collects:
                return {"orderRef": order_ref, "status": "pending", "hintCode": "userSign"}
            order.finished = True
            given, _, surname = order.name.partition(" ")
            return {
                "orderRef": order_ref,
                "status": "complete",
                "completionData": {
                    "user": {
                        "personalNumber": order.personal_number,
                        "name": order.name,
                        "givenName": given,
                        "surname": surname,
                    },
                    "device": {"ipAddress": "127.0.0.1", "uhi": secrets.token_urlsafe(16)},
                    "bankIdIssueDate": "2026-01-01",
                    "signature": "c2ltdWxhdG9y",
                    "ocspResponse": "c2ltdWxhdG9y",
                },
            }

    def cancel(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            order = self._orders.get(order_ref)
            if order is None or order.finished:
                raise BankIdError("notFound", "no such order")
            order.finished = True
        return {}
