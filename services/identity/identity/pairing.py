"""Watch pairing, shaped like OAuth's device authorization grant (RFC 8628).

A watch cannot run BankID. It asks for a pairing and gets a secret device code (which it keeps) and a
short user code (which it shows). The resident, logged in on web or mobile, types the user code. The
watch, polling with its device code, then gets its own watch token once: long-lived, revocable
(by the resident, or with all their sessions), and good for one thing only, trading it for a
short-lived access token with scope "glance". Only hashes of the device code and watch token are
stored.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from fickan_common.errors import NotFound, PermissionDenied, RateLimited, Unauthenticated, ValidationFailed
from fickan_common.tokens import Principal
from identity import texts
from identity.limits import LoginLimiter, LoginLimits
from identity.service import Identity
from identity.sessions import WATCH_GLANCE_TTL, token_hash
from identity.store import User, WatchPairing, aware

log = logging.getLogger(__name__)

# RFC 8628 §6.1: consonants only (no vowels, so no words), no look-alikes.
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
CODE_LENGTH = 8
PAIRING_TTL = 600  # seconds the watch's code is valid
POLL_INTERVAL = 5  # seconds between the watch's polls
WATCH_ACCESS_TTL = WATCH_GLANCE_TTL  # seconds an exchanged glance token lives; revocation takes effect within it
CODE_WRONG = texts.CODE_WRONG
WATCH_UNPAIRED = texts.WATCH_UNPAIRED


@dataclass
class PairingStarted:
    device_code: str
    user_code: str  # as shown: XXXX-XXXX
    expires_in: int
    interval: int


@dataclass
class PollResult:
    status: str  # authorization_pending | slow_down | expired | complete
    watch_token: str = ""
    name: str = ""


def normalise_code(value: str) -> str:
    """What the resident typed, as stored: upper case, no dash or spaces."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


class WatchPairings:
    def __init__(self, identity: Identity, confirm_limiter: LoginLimiter | None = None) -> None:
        self.identity = identity
        self.db = identity.db
        # Guessing codes: at most 10 tries per resident per 10 minutes (20^8 codes, 10 minutes each).
        self.confirm_limiter = confirm_limiter or LoginLimiter(
            LoginLimits(per_ip=0, per_person=10, per_client=0, orders_per_minute=0, window=600)
        )

    def start(self) -> PairingStarted:
        device_code = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            # A code that is in use right now is never handed out twice.
            while True:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                taken = session.scalars(
                    select(WatchPairing.id).where(
                        WatchPairing.user_code == code, WatchPairing.status.in_(("pending", "confirmed"))
                    )
                ).first()
                if not taken:
                    break
            session.add(
                WatchPairing(
                    id=str(uuid.uuid4()),
                    device_code_hash=token_hash(device_code),
                    user_code=code,
                    status="pending",
                    created_at=now,
                    expires_at=now + timedelta(seconds=PAIRING_TTL),
                    interval=POLL_INTERVAL,
                )
            )
        return PairingStarted(device_code, shown(code), PAIRING_TTL, POLL_INTERVAL)

    def poll(self, device_code: str) -> PollResult:
        if not device_code or len(device_code) > 100:
            raise ValidationFailed(texts.INVALID_CODE, {"device_code": texts.INVALID_CODE})
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            pairing = session.scalars(
                select(WatchPairing).where(WatchPairing.device_code_hash == token_hash(device_code)).with_for_update()
            ).first()
            if pairing is None:
                raise NotFound(texts.PAIRING_NOT_FOUND)
            if pairing.status in ("paired", "revoked", "expired"):
                # The token is handed out once; a second fetch means the device code leaked.
                return PollResult("expired")
            if pairing.status == "pending" and now >= aware(pairing.expires_at):
                pairing.status = "expired"
                return PollResult("expired")
            last = pairing.last_polled_at
            pairing.last_polled_at = now
            if last is not None and (now - aware(last)).total_seconds() < pairing.interval - 0.5:
                pairing.interval += 5  # RFC 8628 §3.5: slow_down adds 5 seconds
                return PollResult("slow_down")
            if pairing.status == "pending":
                return PollResult("authorization_pending")
            # confirmed: hand out the watch token, once
            watch_token = secrets.token_urlsafe(32)
            pairing.watch_token_hash = token_hash(watch_token)
            pairing.status = "paired"
            user = session.get(User, pairing.user_id)
            name = user.name if user else ""
        log.info("watch paired", extra={"fields": {"pairing": pairing.id}})
        return PollResult("complete", watch_token, name)

    def confirm(self, principal: Principal, user_code: str) -> str:
        """The resident confirms the code the watch shows. Returns the watch's device id."""
        if not principal.is_resident or principal.device not in ("web", "mobile"):
            raise PermissionDenied(texts.PAIR_WHEN_LOGGED_IN)
        code = normalise_code(user_code)
        if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
            raise ValidationFailed(CODE_WRONG, {"user_code": CODE_WRONG})
        if not self.confirm_limiter.allow("-", principal.user_id):
            raise RateLimited(texts.TOO_MANY_TRIES)
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            # Locked: of two residents typing the same code at once, one pairs the watch.
            pairing = session.scalars(
                select(WatchPairing)
                .where(WatchPairing.user_code == code, WatchPairing.status == "pending")
                .with_for_update()
            ).first()
            if pairing is None or now >= aware(pairing.expires_at):
                raise NotFound(CODE_WRONG)
            pairing.status, pairing.user_id, pairing.confirmed_at = "confirmed", principal.user_id, now
            return f"watch:{pairing.id}"

    def exchange(self, watch_token: str) -> tuple[str, int]:
        """A glance-only access token for a watch token of a live pairing."""
        if not watch_token or len(watch_token) > 100:
            raise Unauthenticated(WATCH_UNPAIRED)
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            pairing = session.scalars(
                select(WatchPairing).where(WatchPairing.watch_token_hash == token_hash(watch_token))
            ).first()
            if pairing is None or pairing.status != "paired" or pairing.revoked_at is not None:
                raise Unauthenticated(WATCH_UNPAIRED)
            user = session.get(User, pairing.user_id)
            if user is None:
                raise Unauthenticated(WATCH_UNPAIRED)
            if pairing.last_used_at is None or (now - aware(pairing.last_used_at)).total_seconds() > 60:
                session.execute(update(WatchPairing).where(WatchPairing.id == pairing.id).values(last_used_at=now))
            # Only what a glance needs: the resident role, the watch device and scope "glance".
            token = self.identity.keys.sign(
                user.id,
                WATCH_ACCESS_TTL,
                name=user.name,
                roles=["resident"],
                device="watch",
                sid=f"watch:{pairing.id}",
                scope="glance",
            )
        return token, WATCH_ACCESS_TTL
