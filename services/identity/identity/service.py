"""Use cases of identity: BankID login orders, users and tokens."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.errors import Conflict, DomainError, NotFound, Unavailable, ValidationFailed
from fickan_common.timestamps import to_timestamp
from identity.domain import bankid, personnummer
from identity.keys import SigningKeys
from identity.store import OUTBOX, LoginOrder, User

log = logging.getLogger(__name__)

DEVICES = {"web", "mobile", "watch"}
PNR_MESSAGE = "Skriv ett giltigt personnummer med 12 siffror, till exempel 19900101-2385."


@dataclass
class CollectResult:
    status: str  # pending | failed | complete
    hint_code: str
    user_message: str
    qr_data: str = ""
    access_token: str = ""
    expires_in: int = 0
    user: User | None = None


class Identity:
    def __init__(
        self,
        db: Database,
        keys: SigningKeys,
        bankid_client: bankid.BankIdClient,
        access_token_ttl: int = 900,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    ) -> None:
        self.db = db
        self.keys = keys
        self.bankid = bankid_client
        self.ttl = access_token_ttl
        self.on_events = on_events

    def start_login(self, personal_number: str, device: str, end_user_ip: str) -> tuple[LoginOrder, str]:
        if device not in DEVICES:
            raise ValidationFailed("Okänd enhet.", {"device": "Okänd enhet."})
        try:
            pnr = personnummer.parse(personal_number)
        except personnummer.InvalidPersonnummer:
            raise ValidationFailed(PNR_MESSAGE, {"personal_number": PNR_MESSAGE}) from None
        try:
            answer = self.bankid.auth(end_user_ip or "127.0.0.1", pnr.canonical)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc) from None
        order = LoginOrder(
            order_ref=answer["orderRef"],
            device=device,
            qr_start_token=answer["qrStartToken"],
            qr_start_secret=answer["qrStartSecret"],
            status="pending",
            started_at=datetime.now(UTC),
        )
        with self.db.transaction() as session:
            session.add(order)
        order.auto_start_token = answer["autoStartToken"]  # type: ignore[attr-defined]
        return order, self._qr(order)

    @staticmethod
    def _qr(order: LoginOrder) -> str:
        started = order.started_at if order.started_at.tzinfo else order.started_at.replace(tzinfo=UTC)
        seconds = max(0, int((datetime.now(UTC) - started).total_seconds()))
        return bankid.qr_content(order.qr_start_token, order.qr_start_secret, seconds)

    @staticmethod
    def _bankid_error(exc: bankid.BankIdError) -> DomainError:
        message = bankid.user_message("failed", exc.error_code)
        if exc.error_code == "alreadyInProgress":
            return Conflict(message)
        if exc.error_code == "notFound":
            return NotFound("Inloggningen finns inte eller är redan avslutad. Börja om.")
        if exc.error_code == "invalidParameters":
            return ValidationFailed(PNR_MESSAGE, {"personal_number": PNR_MESSAGE})
        return Unavailable(message)

    def _order(self, session, order_ref: str) -> LoginOrder:  # type: ignore[no-untyped-def]
        try:
            uuid.UUID(order_ref)
        except ValueError:
            raise ValidationFailed("Ogiltig order.", {"order_ref": "Ogiltig order."}) from None
        order = session.get(LoginOrder, order_ref)
        if order is None:
            raise NotFound("Inloggningen finns inte eller är redan avslutad. Börja om.")
        return order

    def collect_login(self, order_ref: str) -> CollectResult:
        with self.db.transaction() as session:
            order = self._order(session, order_ref)
            if order.status != "pending":
                raise NotFound("Inloggningen finns inte eller är redan avslutad. Börja om.")
        try:
            answer = self.bankid.collect(order_ref)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc) from None
        status = answer.get("status", "")
        hint = answer.get("hintCode", "")
        if status == "pending":
            return CollectResult("pending", hint, bankid.user_message(status, hint), qr_data=self._qr(order))
        if status != "complete":
            with self.db.transaction() as session:
                row = self._order(session, order_ref)
                row.status, row.finished_at = "failed", datetime.now(UTC)
            return CollectResult("failed", hint, bankid.user_message("failed", hint))
        return self._complete(order_ref, answer["completionData"]["user"])

    def _complete(self, order_ref: str, bankid_user: dict) -> CollectResult:
        pnr = personnummer.parse(bankid_user["personalNumber"]).canonical
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            order = self._order(session, order_ref)
            user = session.scalars(select(User).where(User.personal_number == pnr)).first()
            if user is None:
                user = User(
                    id=str(uuid.uuid4()),
                    personal_number=pnr,
                    name=bankid_user.get("name", ""),
                    roles=["resident"],
                    created_at=now,
                )
                session.add(user)
            user.last_login_at = now
            order.status, order.finished_at, order.user_id = "complete", now, user.id
            env = OUTBOX.add(
                session,
                "user_logged_in",
                events_pb2.UserLoggedIn(user_id=user.id, device=order.device, logged_in_at=to_timestamp(now)),
            )
        token = self.keys.sign(
            user.id, self.ttl, name=user.name, roles=list(user.roles), device=order.device, sid=uuid.uuid4().hex
        )
        self.on_events([env["event_id"]])
        log.info("login complete", extra={"fields": {"user_id": user.id, "device": order.device}})
        return CollectResult("complete", "", "Du är inloggad.", access_token=token, expires_in=self.ttl, user=user)

    def cancel_login(self, order_ref: str) -> None:
        with self.db.transaction() as session:
            order = self._order(session, order_ref)
            if order.status != "pending":
                raise NotFound("Inloggningen finns inte eller är redan avslutad. Börja om.")
            order.status, order.finished_at = "failed", datetime.now(UTC)
        try:
            self.bankid.cancel(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code != "notFound":
                raise self._bankid_error(exc) from None

    def user(self, user_id: str) -> User:
        with self.db.transaction() as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound("Användaren finns inte.")
            return user

    def ensure_user(self, personal_number: str, name: str, roles: list[str]) -> User:
        """Create or update a user (demo data, and later the admin's role assignment)."""
        pnr = personnummer.parse(personal_number).canonical
        with self.db.transaction() as session:
            user = session.scalars(select(User).where(User.personal_number == pnr)).first()
            if user is None:
                user = User(id=str(uuid.uuid4()), personal_number=pnr, created_at=datetime.now(UTC))
                session.add(user)
            user.name, user.roles = name, roles
        return user
