"""Use cases of identity: BankID login orders, users and tokens."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from fickan.identity.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.errors import (
    Conflict,
    DomainError,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from fickan_common.timestamps import to_timestamp
from identity.domain import bankid, personnummer
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.sessions import SessionPolicy, new_refresh_token, token_hash
from identity.store import OUTBOX, LoginOrder, RefreshToken, Session, User

log = logging.getLogger(__name__)

DEVICES = {"web", "mobile", "watch"}
ORDER_GONE = "Inloggningen finns inte eller är redan avslutad. Börja om."
SESSION_ENDED = "Din inloggning har gått ut. Logga in igen."
TOO_MANY = "För många inloggningsförsök. Vänta en stund och försök igen."
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
    refresh_token: str = ""


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str


class Identity:
    def __init__(
        self,
        db: Database,
        keys: SigningKeys,
        bankid_client: bankid.BankIdClient,
        access_token_ttl: int = 900,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        sessions: SessionPolicy | None = None,
        limiter: LoginLimiter | None = None,
    ) -> None:
        self.db = db
        self.keys = keys
        self.bankid = bankid_client
        self.ttl = access_token_ttl
        self.on_events = on_events
        self.sessions = sessions or SessionPolicy()
        self.limiter = limiter or LoginLimiter()

    def start_login(self, personal_number: str, device: str, end_user_ip: str) -> tuple[LoginOrder, str]:
        if device not in DEVICES:
            raise ValidationFailed("Okänd enhet.", {"device": "Okänd enhet."})
        try:
            pnr = personnummer.parse(personal_number)
        except personnummer.InvalidPersonnummer:
            raise ValidationFailed(PNR_MESSAGE, {"personal_number": PNR_MESSAGE}) from None
        if not self.limiter.allow(end_user_ip or "-", pnr.canonical):
            log.warning("login start refused: rate limit", extra={"fields": {"device": device}})
            raise RateLimited(TOO_MANY)
        try:
            answer = self.bankid.auth(end_user_ip or "127.0.0.1", pnr.canonical)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc, starting=True) from None
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
    def _bankid_error(exc: bankid.BankIdError, starting: bool = False) -> DomainError:
        """BankID's errorCodes as the guidelines say to treat them: alreadyInProgress is told to the
        user (RFA4); an unknown or finished order (invalidParameters on collect/cancel) is gone; the
        rest is BankID or us being unavailable (RFA5), never the resident's fault."""
        message = bankid.user_message("failed", exc.error_code)
        log.warning("bankid error", extra={"fields": {"error_code": exc.error_code}})
        if exc.error_code == "alreadyInProgress":
            return Conflict(message)
        if exc.error_code in ("notFound", "invalidParameters") and not starting:
            return NotFound(ORDER_GONE)
        if exc.error_code == "invalidParameters":
            return ValidationFailed(PNR_MESSAGE, {"personal_number": PNR_MESSAGE})
        return Unavailable(bankid.RFA[5])

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
            message = bankid.user_message(status, hint, same_device=order.device == "mobile")
            return CollectResult("pending", hint, message, qr_data=self._qr(order))
        if status != "complete":
            with self.db.transaction() as session:
                row = self._order(session, order_ref)
                row.status, row.finished_at = "failed", datetime.now(UTC)
            return CollectResult("failed", hint, bankid.user_message("failed", hint, order.device == "mobile"))
        return self._complete(order_ref, answer["completionData"]["user"])

    def _complete(self, order_ref: str, bankid_user: dict) -> CollectResult:
        pnr = personnummer.parse(bankid_user["personalNumber"]).canonical
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            order = self._order(session, order_ref)
            if order.status != "pending":
                raise NotFound(ORDER_GONE)
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
            pair = self._open_session(session, user, order.device, now)
        self.on_events([env["event_id"]])
        log.info("login complete", extra={"fields": {"user_id": user.id, "device": order.device}})
        return CollectResult(
            "complete",
            "",
            "Du är inloggad.",
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            user=user,
            refresh_token=pair.refresh_token,
        )

    # -- sessions and refresh tokens ----------------------------------------------------------------
    def _access_token(self, user: User, device: str, sid: str, **extra: object) -> str:
        return self.keys.sign(
            user.id, self.ttl, name=user.name, roles=list(user.roles), device=device, sid=sid, **extra
        )

    def _open_session(self, session, user: User, device: str, now: datetime) -> TokenPair:  # type: ignore[no-untyped-def]
        sid = uuid.uuid4().hex
        session.add(
            Session(
                id=sid,
                user_id=user.id,
                device=device,
                created_at=now,
                last_used_at=now,
                expires_at=datetime.fromtimestamp(now.timestamp() + self.sessions.absolute_for(device), UTC),
            )
        )
        refresh, digest = new_refresh_token()
        session.add(RefreshToken(token_hash=digest, session_id=sid, issued_at=now))
        return TokenPair(self._access_token(user, device, sid), self.ttl, refresh, sid)

    @staticmethod
    def _aware(value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new access token and a new refresh token for an unspent refresh token of a live session.
        A spent one (reuse: it was copied) revokes the whole session."""
        if not refresh_token or len(refresh_token) > 200:
            raise Unauthenticated(SESSION_ENDED)
        digest = token_hash(refresh_token)
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = session.get(RefreshToken, digest)
            if row is None:
                raise Unauthenticated(SESSION_ENDED)
            live = session.get(Session, row.session_id)
            # Spend it atomically: of two uses at once, exactly one sees used_at still empty.
            spent = session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
        if not spent:
            self._revoke(row.session_id, "refresh_token_reused")
            log.warning("refresh token reused: session revoked", extra={"fields": {"sid": row.session_id}})
            raise Unauthenticated(SESSION_ENDED)
        problem = self._session_problem(live, now)
        if problem:
            self._revoke(row.session_id, problem)
            raise Unauthenticated(SESSION_ENDED)
        with self.db.transaction() as session:
            live = session.get(Session, row.session_id)
            user = session.get(User, live.user_id)
            if user is None:
                raise Unauthenticated(SESSION_ENDED)
            live.last_used_at = now
            refresh, new_digest = new_refresh_token()
            session.add(RefreshToken(token_hash=new_digest, session_id=live.id, issued_at=now))
            pair = TokenPair(self._access_token(user, live.device, live.id), self.ttl, refresh, live.id)
        return pair

    def _session_problem(self, live: Session | None, now: datetime) -> str:
        if live is None:
            return "missing"
        if live.revoked_at is not None:
            return live.revoked_reason or "revoked"
        if now >= self._aware(live.expires_at):
            return "absolute_limit"
        if (now - self._aware(live.last_used_at)).total_seconds() > self.sessions.idle_for(live.device):
            return "idle_limit"
        return ""

    def _revoke(self, sid: str, reason: str) -> None:
        with self.db.transaction() as session:
            live = session.get(Session, sid)
            if live is not None and live.revoked_at is None:
                live.revoked_at, live.revoked_reason = datetime.now(UTC), reason

    def logout(self, refresh_token: str = "", session_id: str = "", user_id: str = "") -> None:
        """Revokes the session of a refresh token, or the caller's own session (from the access
        token's sid). Unknown tokens are ignored: logging out twice is not an error."""
        if refresh_token:
            with self.db.transaction() as session:
                row = session.get(RefreshToken, token_hash(refresh_token))
                sid = row.session_id if row else ""
            if sid:
                self._revoke(sid, "logout")
            return
        if session_id:
            with self.db.transaction() as session:
                live = session.get(Session, session_id)
                owned = live is not None and live.user_id == user_id
            if owned:
                self._revoke(session_id, "logout")

    def session_active(self, session_id: str) -> bool:
        with self.db.transaction() as session:
            return not self._session_problem(session.get(Session, session_id), datetime.now(UTC))

    def cancel_login(self, order_ref: str) -> None:
        with self.db.transaction() as session:
            order = self._order(session, order_ref)
            if order.status != "pending":
                raise NotFound(ORDER_GONE)
            order.status, order.finished_at = "failed", datetime.now(UTC)
        try:
            self.bankid.cancel(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code not in ("notFound", "invalidParameters"):
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
