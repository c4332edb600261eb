"""A person's devices: the live sessions (web, mobile) and paired watches they can see on their
account page, and revoking one of them (announced as session_revoked, like every revocation in
sessions.py). Pairing a watch is pairing.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from fickan_common.errors import NotFound, ValidationFailed
from fickan_common.tokens import Principal
from identity import texts
from identity.sessions import Sessions
from identity.store import Session, WatchPairing, aware


class Devices:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.db = sessions.db
        self.work = sessions.work  # a write transaction whose events are published after it

    def of(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's live sessions and paired watches, newest use first."""
        now = datetime.now(UTC)
        devices: list[dict[str, Any]] = []
        with self.db.transaction() as session:
            for live in session.scalars(select(Session).where(Session.user_id == principal.user_id)):
                if not self.sessions.problem(live, now):
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

    def revoke(self, principal: Principal, device_id: str) -> None:
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
                    self.sessions.announce_revoked(session, live.id, live.user_id, "revoked_by_user", now)
            elif kind == "watch":
                watch = session.get(WatchPairing, ident) if len(ident) <= 36 else None
                if watch is None or watch.user_id != principal.user_id:
                    raise NotFound(message)
                if watch.revoked_at is None:
                    watch.revoked_at, watch.status = now, "revoked"
                    self.sessions.announce_revoked(session, f"watch:{watch.id}", watch.user_id, "revoked_by_user", now)
            else:
                raise ValidationFailed(message, {"device_id": message})
