"""BankID orders, the part common to login, signing and phone identification: where BankID may send
the person back to, saving an order, asking BankID about it (at most every collect_interval), what a
pending or failed answer tells the person, cancelling, and what BankID's error codes mean to us.
login.py, signing.py and phone.py each start their own kind of order and complete it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, update
from sqlalchemy.orm import Session as DbSession

from fickan_common.db import Database
from fickan_common.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from fickan_common.texts import Text
from identity import texts
from identity.domain import bankid
from identity.store import LoginOrder, User, aware

log = logging.getLogger(__name__)


@dataclass
class CollectResult:
    status: str  # pending | failed | complete
    hint_code: str
    user_message: str
    user_message_en: str = ""
    qr_data: str = ""
    access_token: str = ""
    expires_in: int = 0
    user: User | None = None
    refresh_token: str = ""
    signature_id: str = ""
    reference: str = ""
    idle_timeout: int = 0


class BankIdOrders:
    def __init__(
        self,
        db: Database,
        bank: bankid.BankIdClient | None,
        collect_interval: float = 2.0,
        return_schemes: set[str] | None = None,
        return_hosts: set[str] | None = None,
    ) -> None:
        self.db = db
        self.bankid = bank
        # BankID wants collect every 2 s; polls in between get the last answer.
        self.collect_interval = timedelta(seconds=collect_interval)
        self.return_schemes = return_schemes if return_schemes is not None else {"fickan"}
        self.return_hosts = return_hosts or set()

    def bank(self) -> bankid.BankIdClient:
        if self.bankid is None:
            raise Unavailable(texts.BANKID_INTERNAL)
        return self.bankid

    def check_return_url(self, url: str) -> str | None:
        """BankID's app opens this address once the person has identified, so it may only lead back to
        us: the phone app's own scheme, https on one of the municipality's hosts (return_hosts), or
        http to this machine (local use). Anything else would let a phishing page start a login
        that BankID then sends to the phisher."""
        if not url:
            return None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            raise ValidationFailed(texts.RETURN_URL_MESSAGE, {"return_url": texts.RETURN_URL_MESSAGE}) from None
        local = parts.scheme == "http" and host in ("127.0.0.1", "localhost")
        ours = parts.scheme == "https" and host in self.return_hosts and not parts.username
        if len(url) > 500 or not (ours or local or parts.scheme in self.return_schemes):
            raise ValidationFailed(texts.RETURN_URL_MESSAGE, {"return_url": texts.RETURN_URL_MESSAGE})
        return url

    def save(self, answer: dict[str, Any], purpose: str, device: str, **values: Any) -> LoginOrder:
        order = LoginOrder(
            order_ref=answer["orderRef"],
            purpose=purpose,
            device=device,
            qr_start_token=answer.get("qrStartToken", ""),
            qr_start_secret=answer.get("qrStartSecret", ""),
            status="pending",
            started_at=datetime.now(UTC),
            **values,
        )
        with self.db.transaction() as session:
            session.add(order)
        return order

    @staticmethod
    def qr(order: LoginOrder) -> str:
        """The animated QR content for this second (empty for phone orders, which have none)."""
        if not order.qr_start_token:
            return ""
        seconds = max(0, int((datetime.now(UTC) - aware(order.started_at)).total_seconds()))
        return bankid.qr_content(order.qr_start_token, order.qr_start_secret, seconds)

    @staticmethod
    def error(exc: bankid.BankIdError, starting: bool = False, gone: Text = texts.ORDER_GONE) -> DomainError:
        """BankID's errorCodes as its guidelines say to treat them: alreadyInProgress is told to the
        user (RFA4); an unknown or finished order (invalidParameters on collect/cancel) is gone; the
        rest is BankID or us being unavailable (RFA5), never the resident's fault."""
        log.warning("bankid error", extra={"fields": {"error_code": exc.error_code}})
        if exc.error_code == "alreadyInProgress":
            return Conflict(texts.BANKID_IN_PROGRESS)
        if exc.error_code in ("notFound", "invalidParameters") and not starting:
            return NotFound(gone)
        if exc.error_code == "invalidParameters":
            return ValidationFailed(texts.PNR_MESSAGE, {"personal_number": texts.PNR_MESSAGE})
        if exc.error_code == "tooManyRequests":
            return RateLimited(texts.TOO_MANY)
        return Unavailable(texts.BANKID_INTERNAL)

    @staticmethod
    def order(session: DbSession, order_ref: str, purpose: str, gone: Text = texts.ORDER_GONE) -> LoginOrder:
        try:
            uuid.UUID(order_ref)
        except ValueError:
            raise ValidationFailed(texts.INVALID_ORDER, {"order_ref": texts.INVALID_ORDER}) from None
        order = session.get(LoginOrder, order_ref)
        if order is None or order.purpose != purpose:
            raise NotFound(gone)
        return order

    def collect(self, order_ref: str, purpose: str, gone: Text) -> tuple[LoginOrder, dict[str, Any] | None]:
        """The order and BankID's answer, or None for the answer when BankID was asked less than
        collect_interval ago (the caller repeats the last known status)."""
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            order = self.order(session, order_ref, purpose, gone)
            if order.status != "pending":
                raise NotFound(gone)
            # Claim this collect atomically: of polls arriving together, one asks BankID.
            claimed = session.execute(
                update(LoginOrder)
                .where(
                    LoginOrder.order_ref == order_ref,
                    LoginOrder.status == "pending",
                    or_(
                        LoginOrder.last_collected_at.is_(None),
                        LoginOrder.last_collected_at <= now - self.collect_interval,
                    ),
                )
                .values(last_collected_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        if not claimed:
            return order, None
        try:
            answer = self.bank().collect(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code in ("notFound", "invalidParameters"):
                self.finish(order_ref, "failed")
            raise self.error(exc, gone=gone) from None
        if answer.get("status") == "pending":
            with self.db.transaction() as session:
                session.execute(
                    update(LoginOrder)
                    .where(LoginOrder.order_ref == order_ref)
                    .values(last_hint=str(answer.get("hintCode", ""))[:40])
                )
        elif answer.get("status") != "complete":
            self.finish(order_ref, "failed", str(answer.get("hintCode", ""))[:40])
        return order, answer

    def finish(self, order_ref: str, status: str, hint: str = "") -> None:
        with self.db.transaction() as session:
            session.execute(
                update(LoginOrder)
                .where(LoginOrder.order_ref == order_ref)
                .values(status=status, finished_at=datetime.now(UTC), last_hint=hint)
            )

    def progress(self, order: LoginOrder, answer: dict[str, Any] | None) -> CollectResult | None:
        """The result for a pending or failed answer (None when it completed)."""
        same_device = order.device == "mobile"
        if answer is None or answer.get("status") == "pending":
            hint = order.last_hint if answer is None else str(answer.get("hintCode", ""))
            hint = hint or "outstandingTransaction"
            return CollectResult(
                "pending",
                hint,
                bankid.user_message("pending", hint, same_device),
                bankid.user_message("pending", hint, same_device, "en"),
                qr_data=self.qr(order),
            )
        if answer.get("status") != "complete":
            hint = str(answer.get("hintCode", ""))
            log.info("bankid order failed", extra={"fields": {"purpose": order.purpose, "hint_code": hint}})
            return CollectResult(
                "failed",
                hint,
                bankid.user_message("failed", hint, same_device),
                bankid.user_message("failed", hint, same_device, "en"),
            )
        return None

    def cancel(self, order_ref: str, purpose: str, gone: Text, owner: str | None = None) -> None:
        with self.db.transaction() as session:
            order = self.order(session, order_ref, purpose, gone)
            if owner is not None and order.user_id != owner:
                raise PermissionDenied(texts.NOT_YOURS)
            if order.status != "pending":
                raise NotFound(gone)
            order.status, order.finished_at = "failed", datetime.now(UTC)
        try:
            self.bank().cancel(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code not in ("notFound", "invalidParameters"):
                raise self.error(exc, gone=gone) from None
