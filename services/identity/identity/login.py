"""Logging in with BankID: starting a login order (rate-limited, see limits.py), collecting it with
the collect secret only the starting client holds, and on completion the user (made a resident on
first sight), a user_logged_in event and a new session (sessions.py). Cancelling ends the order."""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan_common.errors import NotFound, RateLimited, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.domain import bankid, personnummer
from identity.limits import LoginLimiter
from identity.orders import BankIdOrders, CollectResult
from identity.sessions import Sessions, token_hash
from identity.store import OUTBOX, LoginOrder
from identity.users import Users, parse_personnummer

log = logging.getLogger(__name__)

DEVICES = {"web", "mobile", "watch"}


class Login:
    def __init__(
        self, orders: BankIdOrders, users: Users, sessions: Sessions, limiter: LoginLimiter, work: UnitOfWork
    ) -> None:
        self.orders = orders
        self.db = orders.db
        self.users = users
        self.sessions = sessions
        self.limiter = limiter
        self.work = work  # a write transaction whose events are published after it

    def start(
        self, personal_number: str, device: str, end_user_ip: str, return_url: str = "", client_key: str = ""
    ) -> tuple[LoginOrder, str]:
        """A BankID login order. Without a personnummer, whoever scans the QR code (or opens BankID
        on this device) logs in. The order gets a collect secret (order.collect_secret, handed to the
        client once, kept here only as a hash): collecting or cancelling needs it."""
        if device not in DEVICES - {"watch"}:
            raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.UNKNOWN_DEVICE})
        pnr = parse_personnummer(personal_number) if personal_number else None
        return_to = self.orders.check_return_url(return_url)
        refused = self.limiter.start_refused(end_user_ip or "-", pnr or "", client_key[:200])
        if refused:
            log.warning("login start refused: rate limit", extra={"fields": {"device": device, "limit": refused}})
            raise RateLimited(texts.REFUSED_START[refused])
        try:
            answer = self.orders.bank().auth(end_user_ip or "127.0.0.1", pnr, return_url=return_to)
        except bankid.BankIdError as exc:
            raise self.orders.error(exc, starting=True) from None
        collect_secret = secrets.token_urlsafe(32)
        order = self.orders.save(answer, "login", device, collect_secret_hash=token_hash(collect_secret))
        order.auto_start_token = answer.get("autoStartToken", "")  # type: ignore[attr-defined]
        order.collect_secret = collect_secret  # type: ignore[attr-defined]
        return order, self.orders.qr(order)

    def _check_collect_secret(self, order_ref: str, collect_secret: str, end_user_ip: str) -> None:
        """The order must be collected (or cancelled) by the client that started it: an order_ref
        without its secret is treated as an order that does not exist, and counts as a failed
        collect of the caller's address (guessing or replaying a leaked order_ref)."""
        ip = end_user_ip or "-"
        if self.limiter.collects_refused(ip):
            raise RateLimited(texts.TOO_MANY_FAILED_COLLECTS)
        try:
            uuid.UUID(order_ref)
        except ValueError:
            self.limiter.failed_collect(ip)
            raise ValidationFailed(texts.INVALID_ORDER, {"order_ref": texts.INVALID_ORDER}) from None
        with self.db.read() as session:
            stored = session.scalar(
                select(LoginOrder.collect_secret_hash).where(
                    LoginOrder.order_ref == order_ref, LoginOrder.purpose == "login"
                )
            )
        given = token_hash(collect_secret) if collect_secret and len(collect_secret) <= 100 else ""
        if not stored or not given or not hmac.compare_digest(stored, given):
            self.limiter.failed_collect(ip)
            raise NotFound(texts.ORDER_GONE)

    def collect(self, order_ref: str, collect_secret: str = "", end_user_ip: str = "") -> CollectResult:
        self._check_collect_secret(order_ref, collect_secret, end_user_ip)
        order, answer = self.orders.collect(order_ref, "login", texts.ORDER_GONE)
        result = self.orders.progress(order, answer)
        if result is not None:
            return result
        assert answer is not None
        return self._complete(order_ref, answer["completionData"]["user"])

    def _complete(self, order_ref: str, bankid_user: dict[str, Any]) -> CollectResult:
        pnr = personnummer.parse(bankid_user["personalNumber"]).canonical
        now = datetime.now(UTC)
        with self.work() as session:
            order = self.orders.order(session, order_ref, "login")
            if order.status != "pending":
                raise NotFound(texts.ORDER_GONE)
            user = self.users.by_personnummer(session, pnr, bankid_user.get("name", ""))
            user.last_login_at = now
            order.status, order.finished_at, order.user_id = "complete", now, user.id
            OUTBOX.add(
                session,
                "user_logged_in",
                events_pb2.UserLoggedIn(user_id=user.id, device=order.device, logged_in_at=to_timestamp(now)),
            )
            pair = self.sessions.open(session, user, order.device, now)
        log.info("login complete", extra={"fields": {"user_id": user.id, "device": order.device}})
        return CollectResult(
            "complete",
            "",
            "Du är inloggad.",
            "You are logged in.",
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            user=user,
            refresh_token=pair.refresh_token,
            idle_timeout=pair.idle_timeout,
        )

    def cancel(self, order_ref: str, collect_secret: str = "", end_user_ip: str = "") -> None:
        self._check_collect_secret(order_ref, collect_secret, end_user_ip)
        self.orders.cancel(order_ref, "login", texts.ORDER_GONE)
