"""Sessions, their tokens and their end.

A login opens a session (per device) and gives a short-lived access token plus a refresh token.
Each refresh token works once: using it gives a new pair and marks it used. Using a used one again
means it was copied, so the whole session is revoked (every token of it stops working). Sessions
end after an idle time and an absolute time, both per device; logout revokes at once.
Only the SHA-256 of a refresh token is stored (it is 256 random bits, so no salt is needed).

A revoked session (or paired watch) is announced with a session_revoked event, which every BFF and
service follows, so its access tokens stop working everywhere before they expire. Listing and
revoking one's own devices is devices.py; a watch's own tokens are pairing.py.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from fickan.identity.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.errors import Conflict, Unauthenticated
from fickan_common.timestamps import to_timestamp
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.keys import SigningKeys
from identity.store import OUTBOX, RefreshToken, Session, User, WatchPairing, aware

log = logging.getLogger(__name__)

DEFAULT_IDLE = {"web": 30 * 60, "mobile": 14 * 24 * 3600, "watch": 30 * 24 * 3600}
DEFAULT_ABSOLUTE = {"web": 12 * 3600, "mobile": 90 * 24 * 3600, "watch": 180 * 24 * 3600}
REFRESH_RACE_GRACE = 10  # seconds in which a second use of a refresh token is a race, not reuse
WATCH_GLANCE_TTL = 300  # seconds a watch's glance token lives (identity.pairing)


@dataclass(frozen=True)
class SessionPolicy:
    idle: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_IDLE))
    absolute: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ABSOLUTE))

    def idle_for(self, device: str) -> int:
        return self.idle.get(device, DEFAULT_IDLE["web"])

    def absolute_for(self, device: str) -> int:
        return self.absolute.get(device, DEFAULT_ABSOLUTE["web"])


def new_refresh_token() -> tuple[str, str]:
    """(the token to hand out, the hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str
    # Seconds the session may now go unused (no refresh) before it ends: the device's idle limit.
    idle_timeout: int = 0


class Sessions:
    def __init__(
        self,
        db: Database,
        keys: SigningKeys,
        work: UnitOfWork,
        access_token_ttl: int = 900,
        policy: SessionPolicy | None = None,
    ) -> None:
        self.db = db
        self.keys = keys
        self.work = work  # a write transaction whose events are published after it
        self.ttl = access_token_ttl
        self.policy = policy or SessionPolicy()

    def access_token(self, user: User, device: str, sid: str, ttl: int | None = None, **extra: object) -> str:
        claims: dict[str, object] = {"name": user.name, "roles": list(user.roles), "device": device, "sid": sid}
        if user.unit:
            claims["unit"] = user.unit
        if user.answer_group:
            claims["group"] = user.answer_group
        claims.update(extra)
        return self.keys.sign(user.id, ttl or self.ttl, **claims)

    def open(self, session: DbSession, user: User, device: str, now: datetime) -> TokenPair:
        """Inside the caller's transaction (a completing login): a new session and its first pair."""
        sid = uuid.uuid4().hex
        session.add(
            Session(
                id=sid,
                user_id=user.id,
                device=device,
                created_at=now,
                last_used_at=now,
                expires_at=now + timedelta(seconds=self.policy.absolute_for(device)),
            )
        )
        refresh, digest = new_refresh_token()
        session.add(RefreshToken(token_hash=digest, session_id=sid, issued_at=now))
        return TokenPair(self.access_token(user, device, sid), self.ttl, refresh, sid, self.policy.idle_for(device))

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new access token and a new refresh token for an unspent refresh token of a live session.
        A spent one (reuse: it was copied) revokes the whole session, unless it was spent within
        the last REFRESH_RACE_GRACE seconds (a race of the client's own requests: refused, no revoke)."""
        if not refresh_token or len(refresh_token) > 200:
            raise Unauthenticated(texts.SESSION_ENDED)
        digest = token_hash(refresh_token)
        now = datetime.now(UTC)
        pair, problem, used_at = None, "", None
        with self.db.transaction() as session:
            row = session.get(RefreshToken, digest)
            if row is None:
                raise Unauthenticated(texts.SESSION_ENDED)
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
                problem = self.problem(live, now)
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
                        self.policy.idle_for(live.device),
                    )
        if not spent:
            used_at = used_at and aware(used_at)
            if used_at and (now - used_at).total_seconds() <= REFRESH_RACE_GRACE:
                # Two requests of one client refreshed at once (a page and its script): the other
                # one won and holds the new pair. Not theft; this caller keeps its current token.
                raise Conflict(texts.ALREADY_REFRESHED)
            self.revoke(row.session_id, "refresh_token_reused")
            log.warning("refresh token reused: session revoked", extra={"fields": {"sid": row.session_id}})
            raise Unauthenticated(texts.SESSION_ENDED)
        if pair is None:
            self.revoke(row.session_id, problem or "missing")
            raise Unauthenticated(texts.SESSION_ENDED)
        return pair

    def problem(self, live: Session | None, now: datetime) -> str:
        """Why this session is over ("" while it lives): missing, revoked (its reason), or a limit."""
        if live is None:
            return "missing"
        if live.revoked_at is not None:
            return live.revoked_reason or "revoked"
        if now >= aware(live.expires_at):
            return "absolute_limit"
        if (now - aware(live.last_used_at)).total_seconds() > self.policy.idle_for(live.device):
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

    def revoke(self, sid: str, reason: str) -> None:
        with self.work() as session:
            live = session.get(Session, sid)
            if live is not None and live.revoked_at is None:
                now = datetime.now(UTC)
                live.revoked_at, live.revoked_reason = now, reason
                self.announce_revoked(session, sid, live.user_id, reason, now)

    def revoke_all(self, session: DbSession, user_id: str, reason: str) -> list[str]:
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

    def revoked(self) -> list[tuple[str, datetime]]:
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
                self.revoke(sid, "logout")
            return
        if session_id:
            with self.db.transaction() as session:
                live = session.get(Session, session_id)
                owned = live is not None and live.user_id == user_id
            if owned:
                self.revoke(session_id, "logout")
