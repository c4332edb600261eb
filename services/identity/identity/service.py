"""Use cases of identity: BankID orders (login, signing, phone identification), users and their
sessions. Watch pairing, staff roles and the access log have modules of their own and use this."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from fickan.identity.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.bankid_status import BankIdStatus, WatchedBankId
from identity.domain import bankid, personnummer
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.sessions import SessionPolicy, new_refresh_token, token_hash
from identity.store import OUTBOX, LoginOrder, RefreshToken, Session, Signature, User, WatchPairing

log = logging.getLogger(__name__)

DEVICES = {"web", "mobile", "watch"}
# The messages people see are in identity.texts (Swedish and English); these names are theirs.
ORDER_GONE = texts.ORDER_GONE
SIGN_GONE = texts.SIGN_GONE
SESSION_ENDED = texts.SESSION_ENDED
TOO_MANY = texts.TOO_MANY
REFUSED_START = texts.REFUSED_START
TOO_MANY_FAILED_COLLECTS = texts.TOO_MANY_FAILED_COLLECTS
PNR_MESSAGE = texts.PNR_MESSAGE
RETURN_URL_MESSAGE = texts.RETURN_URL_MESSAGE
NOT_YOURS = texts.NOT_YOURS
STAFF_ONLY = texts.STAFF_ONLY
ALREADY_REFRESHED = texts.ALREADY_REFRESHED
REFRESH_RACE_GRACE = 10  # seconds in which a second use of a refresh token is a race, not reuse
WATCH_GLANCE_TTL = 300  # seconds a watch's glance token lives (identity.pairing)
MAX_VISIBLE_TEXT = 4000  # characters of text to sign (BankID takes 40 000 bytes of base64)


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


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str
    # Seconds the session may now go unused (no refresh) before it ends: the device's idle limit.
    idle_timeout: int = 0


def aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_personnummer(value: str, field: str = "personal_number") -> str:
    try:
        return personnummer.parse(value).canonical
    except personnummer.InvalidPersonnummer:
        raise ValidationFailed(PNR_MESSAGE, {field: PNR_MESSAGE}) from None


class Identity:
    def __init__(
        self,
        db: Database,
        keys: SigningKeys,
        bankid_client: bankid.BankIdClient | None,
        access_token_ttl: int = 900,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        sessions: SessionPolicy | None = None,
        limiter: LoginLimiter | None = None,
        collect_interval: float = 2.0,
        return_schemes: Iterable[str] = ("fickan",),
        return_hosts: Iterable[str] = (),
    ) -> None:
        self.db = db
        self.keys = keys
        # Every BankID call tells bankid_status what BankID answered (its maintenance notices).
        self.bankid_status = BankIdStatus(db)
        self.bankid = WatchedBankId(bankid_client, self.bankid_status) if bankid_client is not None else None
        self.ttl = access_token_ttl
        self.on_events = on_events
        self.work = UnitOfWork(db, on_events)  # a write transaction whose events are published after it
        self.sessions = sessions or SessionPolicy()
        self.limiter = limiter or LoginLimiter()
        # BankID wants collect every 2 s; polls in between get the last answer.
        self.collect_interval = timedelta(seconds=collect_interval)
        self.return_schemes = set(return_schemes)
        self.return_hosts = {h.lower() for h in return_hosts}

    # -- BankID orders, common to login, signing and phone identification ---------------------------
    def _bank(self) -> bankid.BankIdClient:
        if self.bankid is None:
            raise Unavailable(texts.BANKID_INTERNAL)
        return self.bankid

    def _check_return_url(self, url: str) -> str | None:
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
            raise ValidationFailed(RETURN_URL_MESSAGE, {"return_url": RETURN_URL_MESSAGE}) from None
        local = parts.scheme == "http" and host in ("127.0.0.1", "localhost")
        ours = parts.scheme == "https" and host in self.return_hosts and not parts.username
        if len(url) > 500 or not (ours or local or parts.scheme in self.return_schemes):
            raise ValidationFailed(RETURN_URL_MESSAGE, {"return_url": RETURN_URL_MESSAGE})
        return url

    def _save_order(self, answer: dict[str, Any], purpose: str, device: str, **values: Any) -> LoginOrder:
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
    def _bankid_error(exc: bankid.BankIdError, starting: bool = False, gone: str = ORDER_GONE) -> DomainError:
        """BankID's errorCodes as its guidelines say to treat them: alreadyInProgress is told to the
        user (RFA4); an unknown or finished order (invalidParameters on collect/cancel) is gone; the
        rest is BankID or us being unavailable (RFA5), never the resident's fault."""
        log.warning("bankid error", extra={"fields": {"error_code": exc.error_code}})
        if exc.error_code == "alreadyInProgress":
            return Conflict(texts.BANKID_IN_PROGRESS)
        if exc.error_code in ("notFound", "invalidParameters") and not starting:
            return NotFound(gone)
        if exc.error_code == "invalidParameters":
            return ValidationFailed(PNR_MESSAGE, {"personal_number": PNR_MESSAGE})
        if exc.error_code == "tooManyRequests":
            return RateLimited(TOO_MANY)
        return Unavailable(texts.BANKID_INTERNAL)

    @staticmethod
    def _order(session: DbSession, order_ref: str, purpose: str, gone: str = ORDER_GONE) -> LoginOrder:
        try:
            uuid.UUID(order_ref)
        except ValueError:
            raise ValidationFailed(texts.INVALID_ORDER, {"order_ref": texts.INVALID_ORDER}) from None
        order = session.get(LoginOrder, order_ref)
        if order is None or order.purpose != purpose:
            raise NotFound(gone)
        return order

    def _collect(self, order_ref: str, purpose: str, gone: str) -> tuple[LoginOrder, dict[str, Any] | None]:
        """The order and BankID's answer, or None for the answer when BankID was asked less than
        collect_interval ago (the caller repeats the last known status)."""
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            order = self._order(session, order_ref, purpose, gone)
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
            answer = self._bank().collect(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code in ("notFound", "invalidParameters"):
                self._finish(order_ref, "failed")
            raise self._bankid_error(exc, gone=gone) from None
        if answer.get("status") == "pending":
            with self.db.transaction() as session:
                session.execute(
                    update(LoginOrder)
                    .where(LoginOrder.order_ref == order_ref)
                    .values(last_hint=str(answer.get("hintCode", ""))[:40])
                )
        elif answer.get("status") != "complete":
            self._finish(order_ref, "failed", str(answer.get("hintCode", ""))[:40])
        return order, answer

    def _finish(self, order_ref: str, status: str, hint: str = "") -> None:
        with self.db.transaction() as session:
            session.execute(
                update(LoginOrder)
                .where(LoginOrder.order_ref == order_ref)
                .values(status=status, finished_at=datetime.now(UTC), last_hint=hint)
            )

    def _progress(self, order: LoginOrder, answer: dict[str, Any] | None) -> CollectResult | None:
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

    def _cancel(self, order_ref: str, purpose: str, gone: str, owner: str | None = None) -> None:
        with self.db.transaction() as session:
            order = self._order(session, order_ref, purpose, gone)
            if owner is not None and order.user_id != owner:
                raise PermissionDenied(NOT_YOURS)
            if order.status != "pending":
                raise NotFound(gone)
            order.status, order.finished_at = "failed", datetime.now(UTC)
        try:
            self._bank().cancel(order_ref)
        except bankid.BankIdError as exc:
            if exc.error_code not in ("notFound", "invalidParameters"):
                raise self._bankid_error(exc, gone=gone) from None

    # -- login ----------------------------------------------------------------------------------------
    def start_login(
        self, personal_number: str, device: str, end_user_ip: str, return_url: str = "", client_key: str = ""
    ) -> tuple[LoginOrder, str]:
        """A BankID login order. Without a personnummer, whoever scans the QR code (or opens BankID
        on this device) logs in. The order gets a collect secret (order.collect_secret, handed to the
        client once, kept here only as a hash): collecting or cancelling needs it."""
        if device not in DEVICES - {"watch"}:
            raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.UNKNOWN_DEVICE})
        pnr = parse_personnummer(personal_number) if personal_number else None
        return_to = self._check_return_url(return_url)
        refused = self.limiter.start_refused(end_user_ip or "-", pnr or "", client_key[:200])
        if refused:
            log.warning("login start refused: rate limit", extra={"fields": {"device": device, "limit": refused}})
            raise RateLimited(REFUSED_START[refused])
        try:
            answer = self._bank().auth(end_user_ip or "127.0.0.1", pnr, return_url=return_to)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc, starting=True) from None
        collect_secret = secrets.token_urlsafe(32)
        order = self._save_order(answer, "login", device, collect_secret_hash=token_hash(collect_secret))
        order.auto_start_token = answer.get("autoStartToken", "")  # type: ignore[attr-defined]
        order.collect_secret = collect_secret  # type: ignore[attr-defined]
        return order, self.qr(order)

    def _check_collect_secret(self, order_ref: str, collect_secret: str, end_user_ip: str) -> None:
        """The order must be collected (or cancelled) by the client that started it: an order_ref
        without its secret is treated as an order that does not exist, and counts as a failed
        collect of the caller's address (guessing or replaying a leaked order_ref)."""
        ip = end_user_ip or "-"
        if self.limiter.collects_refused(ip):
            raise RateLimited(TOO_MANY_FAILED_COLLECTS)
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
            raise NotFound(ORDER_GONE)

    def collect_login(self, order_ref: str, collect_secret: str = "", end_user_ip: str = "") -> CollectResult:
        self._check_collect_secret(order_ref, collect_secret, end_user_ip)
        order, answer = self._collect(order_ref, "login", ORDER_GONE)
        result = self._progress(order, answer)
        if result is not None:
            return result
        assert answer is not None
        return self._complete_login(order_ref, answer["completionData"]["user"])

    def _complete_login(self, order_ref: str, bankid_user: dict[str, Any]) -> CollectResult:
        pnr = personnummer.parse(bankid_user["personalNumber"]).canonical
        now = datetime.now(UTC)
        with self.work() as session:
            order = self._order(session, order_ref, "login")
            if order.status != "pending":
                raise NotFound(ORDER_GONE)
            user = self._user_by_pnr(session, pnr, bankid_user.get("name", ""))
            user.last_login_at = now
            order.status, order.finished_at, order.user_id = "complete", now, user.id
            OUTBOX.add(
                session,
                "user_logged_in",
                events_pb2.UserLoggedIn(user_id=user.id, device=order.device, logged_in_at=to_timestamp(now)),
            )
            pair = self._open_session(session, user, order.device, now)
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

    def cancel_login(self, order_ref: str, collect_secret: str = "", end_user_ip: str = "") -> None:
        self._check_collect_secret(order_ref, collect_secret, end_user_ip)
        self._cancel(order_ref, "login", ORDER_GONE)

    @staticmethod
    def new_user(session: DbSession, pnr: str, name: str) -> User:
        """A new resident user, or the one a concurrent request made a moment ago (the personnummer
        is unique: the insert runs in a savepoint so losing that race costs nothing)."""
        user = User(
            id=str(uuid.uuid4()),
            personal_number=pnr,
            name=name,
            roles=["resident"],
            unit="",
            answer_group="",
            created_at=datetime.now(UTC),
        )
        try:
            with session.begin_nested():
                session.add(user)
        except IntegrityError:
            user = session.scalars(select(User).where(User.personal_number == pnr)).one()
        return user

    def _user_by_pnr(self, session: DbSession, pnr: str, name: str) -> User:
        """The user with this personnummer, made a resident on first sight. BankID's name wins."""
        user = session.scalars(select(User).where(User.personal_number == pnr)).first()
        if user is None:
            user = self.new_user(session, pnr, name)
        elif name and user.name != name:
            user.name = name
        return user

    # -- signing ----------------------------------------------------------------------------------
    def start_sign(
        self,
        principal: Principal,
        text: str,
        reference: str,
        device: str,
        end_user_ip: str,
        return_url: str = "",
    ) -> tuple[LoginOrder, str]:
        """The caller signs `text` with their own BankID (the order requires their personnummer)."""
        if principal.device not in ("web", "mobile") or "glance" in principal.scope:
            raise PermissionDenied(texts.SIGN_ONLY_WEB_OR_APP)
        if device not in ("web", "mobile"):
            raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.UNKNOWN_DEVICE})
        text = text.strip()
        if not text or len(text) > MAX_VISIBLE_TEXT:
            message = texts.SIGN_TEXT_LENGTH.format(max=MAX_VISIBLE_TEXT)
            raise ValidationFailed(message, {"user_visible_data": message})
        if not reference or len(reference) > 100:
            raise ValidationFailed(texts.SIGN_REFERENCE_MISSING, {"reference": texts.MISSING})
        return_to = self._check_return_url(return_url)
        user = self.user(principal.user_id)
        try:
            answer = self._bank().sign(end_user_ip or "127.0.0.1", text, user.personal_number, return_url=return_to)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc, starting=True) from None
        order = self._save_order(
            answer,
            "sign",
            device,
            user_id=user.id,
            reference=reference,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        order.auto_start_token = answer.get("autoStartToken", "")  # type: ignore[attr-defined]
        return order, self.qr(order)

    def collect_sign(self, principal: Principal, order_ref: str) -> CollectResult:
        with self.db.transaction() as session:
            if self._order(session, order_ref, "sign", SIGN_GONE).user_id != principal.user_id:
                raise PermissionDenied(NOT_YOURS)
        order, answer = self._collect(order_ref, "sign", SIGN_GONE)
        result = self._progress(order, answer)
        if result is not None:
            result.reference = order.reference
            return result
        assert answer is not None
        return self._complete_sign(order_ref, answer["completionData"])

    def _complete_sign(self, order_ref: str, completion: dict[str, Any]) -> CollectResult:
        now = datetime.now(UTC)
        with self.work() as session:
            order = self._order(session, order_ref, "sign", SIGN_GONE)
            user = session.get(User, order.user_id)
            signer = personnummer.parse(completion["user"]["personalNumber"]).canonical
            if user is None or signer != user.personal_number:
                # BankID enforced the requirement; a mismatch here means something is badly wrong.
                order.status, order.finished_at = "failed", now
                log.error("signature by another person refused", extra={"fields": {"purpose": "sign"}})
                return CollectResult("failed", "personMismatch", bankid.RFA[22], bankid.RFA_EN[22])
            signature = Signature(
                id=str(uuid.uuid4()),
                user_id=user.id,
                reference=order.reference,
                order_ref=order_ref,
                text_sha256=order.text_sha256,
                signature=str(completion.get("signature", "")),
                ocsp_response=str(completion.get("ocspResponse", "")),
                signed_at=now,
            )
            session.add(signature)
            order.status, order.finished_at = "complete", now
            OUTBOX.add(
                session,
                "signature_completed",
                events_pb2.SignatureCompleted(
                    signature_id=signature.id,
                    user_id=user.id,
                    reference=order.reference,
                    signed_at=to_timestamp(now),
                    text_sha256=order.text_sha256,
                ),
            )
        log.info("signature complete", extra={"fields": {"user_id": user.id, "signature_id": signature.id}})
        return CollectResult(
            "complete",
            "",
            "Du har skrivit under.",
            "You have signed.",
            signature_id=signature.id,
            reference=order.reference,
        )

    def cancel_sign(self, principal: Principal, order_ref: str) -> None:
        self._cancel(order_ref, "sign", SIGN_GONE, owner=principal.user_id)

    def signature(self, principal: Principal, signature_id: str) -> Signature:
        """One of the caller's own signatures (a service checks it on the caller's behalf)."""
        try:
            uuid.UUID(signature_id)
        except ValueError:
            raise ValidationFailed(texts.INVALID_SIGNATURE, {"signature_id": texts.INVALID_SIGNATURE}) from None
        with self.db.transaction() as session:
            found = session.get(Signature, signature_id)
            if found is None or found.user_id != principal.user_id:
                raise NotFound(texts.SIGNATURE_NOT_FOUND)
            return found

    def resolve_person(self, principal: Principal, personal_number: str) -> tuple[str, str]:
        """(user id, masked number) of a person, made a resident user on first sight. A resident
        names a co-applicant this way; rate-limited per caller against trawling."""
        if not principal.is_resident or "glance" in principal.scope:
            raise PermissionDenied(texts.RESIDENTS_ONLY)
        pnr = parse_personnummer(personal_number)
        if not self.limiter.allow("-", "resolve:" + principal.user_id):
            raise RateLimited(texts.TOO_MANY_TRIES)
        with self.db.transaction() as session:
            user = self._user_by_pnr(session, pnr, "")
            user_id = user.id
        return user_id, personnummer.parse(pnr).masked()

    # -- phone identification (a contact-centre agent checks who is calling) -------------------
    def start_phone_auth(self, principal: Principal, personal_number: str, call_initiator: str) -> LoginOrder:
        if not principal.has_role("contact_agent"):
            raise PermissionDenied(STAFF_ONLY)
        if call_initiator not in ("user", "RP"):
            raise ValidationFailed(texts.WHO_CALLED, {"call_initiator": texts.WHO_CALLED_FIELD})
        pnr = parse_personnummer(personal_number)
        try:
            answer = self._bank().phone_auth(pnr, call_initiator)
        except bankid.BankIdError as exc:
            raise self._bankid_error(exc, starting=True) from None
        return self._save_order(answer, "phone", "phone", user_id=principal.user_id)

    def collect_phone_auth(self, principal: Principal, order_ref: str) -> tuple[CollectResult, User | None]:
        with self.db.transaction() as session:
            if self._order(session, order_ref, "phone").user_id != principal.user_id:
                raise PermissionDenied(texts.NOT_YOUR_IDENTIFICATION)
        order, answer = self._collect(order_ref, "phone", ORDER_GONE)
        result = self._progress(order, answer)
        if result is not None:
            return result, None
        assert answer is not None
        bankid_user = answer["completionData"]["user"]
        with self.db.transaction() as session:
            caller = self._user_by_pnr(
                session, personnummer.parse(bankid_user["personalNumber"]).canonical, bankid_user.get("name", "")
            )
            row = self._order(session, order_ref, "phone")
            row.status, row.finished_at, row.result_user_id = "complete", datetime.now(UTC), caller.id
        return CollectResult("complete", "", "Personen är identifierad.", "The caller is identified."), caller

    # -- sessions and tokens ----------------------------------------------------------------------
    def access_token(self, user: User, device: str, sid: str, ttl: int | None = None, **extra: object) -> str:
        claims: dict[str, object] = {"name": user.name, "roles": list(user.roles), "device": device, "sid": sid}
        if user.unit:
            claims["unit"] = user.unit
        if user.answer_group:
            claims["group"] = user.answer_group
        claims.update(extra)
        return self.keys.sign(user.id, ttl or self.ttl, **claims)

    def _open_session(self, session: DbSession, user: User, device: str, now: datetime) -> TokenPair:
        sid = uuid.uuid4().hex
        session.add(
            Session(
                id=sid,
                user_id=user.id,
                device=device,
                created_at=now,
                last_used_at=now,
                expires_at=now + timedelta(seconds=self.sessions.absolute_for(device)),
            )
        )
        refresh, digest = new_refresh_token()
        session.add(RefreshToken(token_hash=digest, session_id=sid, issued_at=now))
        return TokenPair(self.access_token(user, device, sid), self.ttl, refresh, sid, self.sessions.idle_for(device))

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new access token and a new refresh token for an unspent refresh token of a live session.
        A spent one (reuse: it was copied) revokes the whole session, unless it was spent within
        the last REFRESH_RACE_GRACE seconds (a race of the client's own requests: refused, no revoke)."""
        if not refresh_token or len(refresh_token) > 200:
            raise Unauthenticated(SESSION_ENDED)
        digest = token_hash(refresh_token)
        now = datetime.now(UTC)
        pair, problem, used_at = None, "", None
        with self.db.transaction() as session:
            row = session.get(RefreshToken, digest)
            if row is None:
                raise Unauthenticated(SESSION_ENDED)
            # Spend it atomically: of two uses at once, exactly one sees used_at still empty.
            spent = session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not spent:
                # Read again, not from the row above: a concurrent winner may have committed since
                # (PostgreSQL let this UPDATE wait for it), and its time tells a race from a reuse.
                used_at = session.scalar(select(RefreshToken.used_at).where(RefreshToken.token_hash == digest))
            else:
                # In the same transaction, so a logout or revocation in between cannot be missed.
                live = session.get(Session, row.session_id, with_for_update=True)
                problem = self._session_problem(live, now)
                user = session.get(User, live.user_id) if live is not None and not problem else None
                if live is not None and not problem and user is None:
                    problem = "missing"
                if user is not None and live is not None:
                    live.last_used_at = now
                    refresh, new_digest = new_refresh_token()
                    session.add(RefreshToken(token_hash=new_digest, session_id=live.id, issued_at=now))
                    pair = TokenPair(
                        self.access_token(user, live.device, live.id),
                        self.ttl,
                        refresh,
                        live.id,
                        self.sessions.idle_for(live.device),
                    )
        if not spent:
            used_at = used_at and aware(used_at)
            if used_at and (now - used_at).total_seconds() <= REFRESH_RACE_GRACE:
                # Two requests of one client refreshed at once (a page and its script): the other
                # one won and holds the new pair. Not theft; this caller keeps its current token.
                raise Conflict(ALREADY_REFRESHED)
            self.revoke_session(row.session_id, "refresh_token_reused")
            log.warning("refresh token reused: session revoked", extra={"fields": {"sid": row.session_id}})
            raise Unauthenticated(SESSION_ENDED)
        if pair is None:
            self.revoke_session(row.session_id, problem or "missing")
            raise Unauthenticated(SESSION_ENDED)
        return pair

    def _session_problem(self, live: Session | None, now: datetime) -> str:
        if live is None:
            return "missing"
        if live.revoked_at is not None:
            return live.revoked_reason or "revoked"
        if now >= aware(live.expires_at):
            return "absolute_limit"
        if (now - aware(live.last_used_at)).total_seconds() > self.sessions.idle_for(live.device):
            return "idle_limit"
        return ""

    # -- revocation: a revoked session's access tokens stop working everywhere -----------------------
    @property
    def forget_revoked_after(self) -> timedelta:
        """How long a revoked session must be remembered: until its last access token has expired
        (web and mobile tokens, and the watch's glance tokens), with a minute of clock leeway."""
        return timedelta(seconds=max(self.ttl, WATCH_GLANCE_TTL) + 60)

    def announce_revoked(self, session: DbSession, sid: str, user_id: str, reason: str, now: datetime) -> str:
        """Inside the revoking transaction: the session_revoked event every BFF and service follows."""
        env = OUTBOX.add(
            session,
            "session_revoked",
            events_pb2.SessionRevoked(
                session_id=sid,
                user_id=user_id,
                reason=reason,
                revoked_at=to_timestamp(now),
                forget_after=to_timestamp(now + self.forget_revoked_after),
            ),
        )
        return env["event_id"]

    def revoke_session(self, sid: str, reason: str) -> None:
        with self.work() as session:
            live = session.get(Session, sid)
            if live is not None and live.revoked_at is None:
                now = datetime.now(UTC)
                live.revoked_at, live.revoked_reason = now, reason
                self.announce_revoked(session, sid, live.user_id, reason, now)

    def revoke_all_sessions(self, session: DbSession, user_id: str, reason: str) -> list[str]:
        """Inside the caller's unit of work: every session and paired watch of the user ends (its
        session_revoked events are published after the commit). Returns their ids."""
        now = datetime.now(UTC)
        sids = list(session.scalars(select(Session.id).where(Session.user_id == user_id, Session.revoked_at.is_(None))))
        watches = list(
            session.scalars(
                select(WatchPairing.id).where(WatchPairing.user_id == user_id, WatchPairing.revoked_at.is_(None))
            )
        )
        session.execute(
            update(Session)
            .where(Session.user_id == user_id, Session.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(WatchPairing)
            .where(WatchPairing.user_id == user_id, WatchPairing.revoked_at.is_(None))
            .values(revoked_at=now, status="revoked")
            .execution_options(synchronize_session=False)
        )
        return [
            self.announce_revoked(session, sid, user_id, reason, now)
            for sid in [*sids, *(f"watch:{w}" for w in watches)]
        ]

    def revoked_sessions(self) -> list[tuple[str, datetime]]:
        """Sessions and watches revoked so recently that tokens of theirs may still be unexpired, with
        when to forget them: what a BFF or service loads before following session_revoked."""
        now = datetime.now(UTC)
        since = now - self.forget_revoked_after
        with self.db.read() as session:
            sessions = session.execute(select(Session.id, Session.revoked_at).where(Session.revoked_at > since))
            watches = session.execute(
                select(WatchPairing.id, WatchPairing.revoked_at).where(WatchPairing.revoked_at > since)
            )
            return [(sid, aware(at) + self.forget_revoked_after) for sid, at in sessions] + [
                (f"watch:{wid}", aware(at) + self.forget_revoked_after) for wid, at in watches
            ]

    def logout(self, refresh_token: str = "", session_id: str = "", user_id: str = "") -> None:
        """Revokes the session of a refresh token, or the caller's own session (from the access
        token's sid). Unknown tokens are ignored: logging out twice is not an error."""
        if refresh_token:
            with self.db.transaction() as session:
                row = session.get(RefreshToken, token_hash(refresh_token)) if len(refresh_token) <= 200 else None
                sid = row.session_id if row else ""
            if sid:
                self.revoke_session(sid, "logout")
            return
        if session_id:
            with self.db.transaction() as session:
                live = session.get(Session, session_id)
                owned = live is not None and live.user_id == user_id
            if owned:
                self.revoke_session(session_id, "logout")

    def list_devices(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's live sessions and paired watches, newest use first."""
        now = datetime.now(UTC)
        devices: list[dict[str, Any]] = []
        with self.db.transaction() as session:
            for live in session.scalars(select(Session).where(Session.user_id == principal.user_id)):
                if not self._session_problem(live, now):
                    devices.append(
                        {
                            "device_id": f"session:{live.id}",
                            "kind": live.device,
                            "created_at": aware(live.created_at),
                            "last_used_at": aware(live.last_used_at),
                            "current": live.id == principal.session_id,
                        }
                    )
            pairings = select(WatchPairing).where(
                WatchPairing.user_id == principal.user_id, WatchPairing.status == "paired"
            )
            for watch in session.scalars(pairings):
                devices.append(
                    {
                        "device_id": f"watch:{watch.id}",
                        "kind": "watch",
                        "created_at": aware(watch.confirmed_at or watch.created_at),
                        "last_used_at": aware(watch.last_used_at or watch.confirmed_at or watch.created_at),
                        "current": principal.session_id == f"watch:{watch.id}",
                    }
                )
        return sorted(devices, key=lambda d: d["last_used_at"], reverse=True)

    def revoke_device(self, principal: Principal, device_id: str) -> None:
        kind, _, ident = device_id.partition(":")
        message = texts.DEVICE_NOT_FOUND
        now = datetime.now(UTC)
        with self.work() as session:
            if kind == "session":
                live = session.get(Session, ident) if len(ident) <= 32 else None
                if live is None or live.user_id != principal.user_id:
                    raise NotFound(message)
                if live.revoked_at is None:
                    live.revoked_at, live.revoked_reason = now, "revoked_by_user"
                    self.announce_revoked(session, live.id, live.user_id, "revoked_by_user", now)
            elif kind == "watch":
                watch = session.get(WatchPairing, ident) if len(ident) <= 36 else None
                if watch is None or watch.user_id != principal.user_id:
                    raise NotFound(message)
                if watch.revoked_at is None:
                    watch.revoked_at, watch.status = now, "revoked"
                    self.announce_revoked(session, f"watch:{watch.id}", watch.user_id, "revoked_by_user", now)
            else:
                raise ValidationFailed(message, {"device_id": message})

    # -- users ------------------------------------------------------------------------------------
    def user(self, user_id: str) -> User:
        with self.db.transaction() as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound(texts.USER_NOT_FOUND)
            return user

    def ensure_user(
        self, personal_number: str, name: str, roles: list[str], unit: str = "", answer_group: str = ""
    ) -> User:
        """Create or update a user (the demo data and the staff command line)."""
        pnr = parse_personnummer(personal_number)
        with self.db.transaction() as session:
            user = session.scalars(select(User).where(User.personal_number == pnr)).first()
            if user is None:
                user = User(id=str(uuid.uuid4()), personal_number=pnr, created_at=datetime.now(UTC))
                session.add(user)
            user.name, user.roles, user.unit, user.answer_group = name, roles, unit, answer_group
        return user
