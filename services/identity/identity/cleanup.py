"""Retention: what identity keeps only as long as it is needed.

Finished BankID orders go after a day (the QR secret is useless by then, and the order says who
logged in when, which the session rows already say); pairing requests that were never confirmed go
after a day; sessions ended or expired more than 90 days ago go with their refresh tokens.
The access log and signatures are kept: they are the municipality's records.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select

from fickan_common.db import Database
from identity.store import LoginOrder, RefreshToken, Session, WatchPairing

log = logging.getLogger(__name__)


def clean_up(db: Database, now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    day_ago, quarter_ago = now - timedelta(days=1), now - timedelta(days=90)
    with db.transaction() as session:
        orders = session.execute(delete(LoginOrder).where(LoginOrder.started_at < day_ago)).rowcount
        pairings = session.execute(
            delete(WatchPairing).where(
                WatchPairing.status.in_(("pending", "expired", "confirmed")), WatchPairing.created_at < day_ago
            )
        ).rowcount
        old = select(Session.id).where(or_(Session.revoked_at < quarter_ago, Session.expires_at < quarter_ago))
        tokens = session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(old))).rowcount
        sessions = session.execute(delete(Session).where(Session.id.in_(old))).rowcount
    counts = {"orders": orders, "pairings": pairings, "sessions": sessions, "refresh_tokens": tokens}
    log.info("cleanup", extra={"fields": counts})
    return counts
