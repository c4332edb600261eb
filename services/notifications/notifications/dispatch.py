"""Sending the deliveries (the worker's timer): each one is claimed with a lease, sent outside any
transaction, then marked — sent, retried later with backoff, dead after the last try (an admin sees
it and can replay it), or skipped when its target is gone.

Exactly once as the resident sees it: the claim is a conditional UPDATE, so two workers never send
one delivery; a worker killed mid-send leaves a lease that runs out, and the retry carries the same
e-mail Message-ID and the same push tag/topic, so a mail client or a device that got the first
shows one. Quiet hours move a delivery to their end instead of sending it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import delete, func, or_, select, update

from fickan_common.db import Database
from notifications import feed
from notifications.channels import (
    Mail,
    Push,
    PushProvider,
    Refused,
    SendFailed,
    SmtpMailer,
    Subscription,
    TargetGone,
    message_id_for,
)
from notifications.domain import messages
from notifications.domain.preferences import quiet_until
from notifications.store import DeliveryRow, PushSubscriptionRow

log = logging.getLogger(__name__)

DELIVERIES = Counter(
    "fickan_notifications_deliveries_total", "deliveries by channel and outcome", ["channel", "outcome"]
)
LATENCY = Histogram(
    "fickan_notifications_event_to_delivery_seconds",
    "from the event that caused a message to its e-mail or push being sent",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 36000),
)
DEAD_LETTERS = Gauge(
    "fickan_notifications_dead_letters", "deliveries that gave up and wait for an admin to replay them"
)
MAX_BACKOFF = 3600.0


def link_for(public_url: str, reference: str) -> str:
    """Where a notice about `reference` leads in the web app (never anything but an id)."""
    kind, _, ident = reference.partition(":")
    if kind == "application" and ident:
        return f"{public_url}/ansokan/{ident}"
    return f"{public_url}/inkorg"


class Dispatcher:
    def __init__(
        self,
        db: Database,
        mailer: SmtpMailer | None,
        providers: dict[str, PushProvider],
        public_url: str,
        max_attempts: int = 8,
        retry_base: float = 5.0,
        lease: float = 60.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.providers = providers
        self.public_url = public_url.rstrip("/")
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.lease = timedelta(seconds=lease)
        self.clock = clock
        self._running = threading.Lock()

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_base * 2 ** (attempts - 1), MAX_BACKOFF))

    def run_once(self, now: datetime | None = None, limit: int = 50) -> int:
        """Send what is due; returns how many were sent. One run at a time per process."""
        if not self._running.acquire(blocking=False):
            return 0
        try:
            now = now or self.clock()
            with self.db.read() as session:
                due = session.scalars(
                    select(DeliveryRow.id)
                    .where(
                        DeliveryRow.status == "pending",
                        DeliveryRow.next_attempt_at <= now,
                        or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now),
                    )
                    .order_by(DeliveryRow.next_attempt_at)
                    .limit(limit)
                ).all()
            sent = sum(self.deliver(delivery_id, now) for delivery_id in due)
            with self.db.read() as session:
                DEAD_LETTERS.set(session.scalar(select(func.count()).where(DeliveryRow.status == "dead")) or 0)
            return sent
        finally:
            self._running.release()

    def deliver(self, delivery_id: str, now: datetime) -> bool:
        with self.db.transaction() as session:
            claimed = session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    DeliveryRow.status == "pending",
                    DeliveryRow.next_attempt_at <= now,
                    or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now),
                )
                .values(lease_until=now + self.lease)
            ).rowcount
            if not claimed:
                return False
            row = session.get(DeliveryRow, delivery_id)
            assert row is not None
            choices = feed.choices_of(session, row.recipient_id)
            lang = messages.language(row.payload.get("language", choices.language))
            texts = messages.CHANNEL_TEXTS[lang]
            channel, kind = row.channel, row.kind
            if kind != "email_confirmation":
                until = quiet_until(choices, now)
                if until is not None:
                    row.next_attempt_at, row.lease_until = until.astimezone(UTC), None
                    log.info("delivery waits for the end of quiet hours", extra={"fields": {"channel": channel}})
                    return False
                # The resident may have changed their mind since the message was made.
                still_wanted = (
                    choices.sends_email(kind) and choices.email.lower() == row.target.lower()
                    if channel == "email"
                    else choices.wants(kind, "push")
                )
                if not still_wanted:
                    row.status, row.lease_until, row.last_error = "skipped", None, "turned off by the resident"
                    return False
            event_at = row.event_at
            if channel == "email":
                if kind == "email_confirmation":
                    body = texts["confirm_body"].format(link=row.payload.get("link", ""))
                    subject = texts["confirm_subject"]
                else:
                    body = texts["email_body"].format(
                        link=link_for(self.public_url, row.payload.get("reference", "")),
                        settings=f"{self.public_url}/mina-sidor/aviseringar",
                    )
                    subject = texts["email_subject"]
                outgoing: Mail | tuple[PushProvider, Subscription, Push] = Mail(
                    row.target, subject, body, message_id_for(row.id)
                )
            else:
                sub = session.get(PushSubscriptionRow, row.target)
                provider = self.providers.get(sub.provider) if sub else None
                if sub is None or provider is None:
                    row.status, row.lease_until = "skipped", None
                    row.last_error = "the device no longer has a subscription" if sub is None else "no such provider"
                    return False
                outgoing = (
                    provider,
                    Subscription(sub.endpoint, sub.p256dh, sub.auth),
                    Push(
                        texts["push_title"],
                        texts["push_body"],
                        link_for(self.public_url, row.payload.get("reference", "")),
                        row.message_id,
                    ),
                )
        outcome, error = self._send(outgoing)
        return self._settle(delivery_id, channel, outcome, error, now, event_at)

    def _send(self, outgoing) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        try:
            if isinstance(outgoing, Mail):
                if self.mailer is None:
                    raise SendFailed("no mail server configured")
                self.mailer.send(outgoing)
            else:
                provider, subscription, push = outgoing
                provider.send(subscription, push)
        except SendFailed as exc:
            return "failed", str(exc)
        except TargetGone as exc:
            return "gone", str(exc)
        except Refused as exc:
            return "refused", str(exc)
        except Exception as exc:
            log.exception("delivery raised")
            return "failed", type(exc).__name__
        return "sent", ""

    def _settle(self, delivery_id: str, channel: str, outcome: str, error: str, now: datetime, event_at) -> bool:  # type: ignore[no-untyped-def]
        finished = self.clock() if now is None else max(now, self.clock())
        with self.db.transaction() as session:
            row = session.get(DeliveryRow, delivery_id, with_for_update=True)
            assert row is not None
            row.lease_until = None
            if outcome == "sent":
                row.status, row.sent_at, row.last_error = "sent", finished, ""
                row.attempts += 1
                if row.kind == "email_confirmation":
                    row.payload = {}  # the link's token is not kept once mailed
                DELIVERIES.labels(channel, "sent").inc()
                at = event_at if event_at.tzinfo else event_at.replace(tzinfo=UTC)
                LATENCY.labels(channel).observe(max((finished - at).total_seconds(), 0.0))
                return True
            row.attempts += 1
            row.last_error = error[:500]
            if outcome == "gone":
                row.status = "skipped"
                session.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.id == row.target))
                DELIVERIES.labels(channel, "gone").inc()
                log.info("push subscription gone, removed")
            elif outcome == "refused" or row.attempts >= self.max_attempts:
                row.status = "dead"
                DELIVERIES.labels(channel, "dead").inc()
                log.warning("delivery dead", extra={"fields": {"channel": channel, "error": row.last_error}})
            else:
                row.next_attempt_at = now + self.backoff(row.attempts)
                DELIVERIES.labels(channel, "retried").inc()
                log.info("delivery failed, will retry", extra={"fields": {"channel": channel, "error": row.last_error}})
            DELIVERIES.labels(channel, "failed").inc()
            return False
