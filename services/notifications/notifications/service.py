"""Use cases of the api process: the caller's own inbox and feed, preferences and push
subscriptions; for admins, the dead letters and the service messages (shown to everyone)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, select

from fickan_common.db import Database
from fickan_common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fickan_common.texts import Text
from fickan_common.tokens import Principal
from notifications import feed, texts
from notifications.domain import inbox, messages
from notifications.domain import preferences as prefs
from notifications.domain import service_messages as notices
from notifications.store import (
    DeliveryRow,
    FeedEntry,
    FeedHead,
    Message,
    Preferences,
    PushSubscriptionRow,
    ServiceMessageRow,
)

MAX_SUBSCRIPTIONS = 10  # per resident: browsers, phones, watches
FEED_PAGE = 100
PROVIDERS = ("webpush", "apns", "fcm")
DEVICES = ("web", "mobile", "watch")
CONFIRM_PATH = "/mina-sidor/aviseringar/bekrafta"


@dataclass(frozen=True)
class FeedItem:
    seq: int
    kind: str
    message: Message | None
    reference: str
    status: str
    at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64url_bytes(value: str, length: int, name: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise ValidationFailed(texts.SUBSCRIPTION_INVALID, {name: texts.INVALID_KEY})
    return value


class Notifications:
    def __init__(
        self,
        db: Database,
        public_url: str = "http://127.0.0.1:8080",
        http_push_hosts: str = "",
        providers: tuple[str, ...] = ("webpush",),
    ) -> None:
        self.db = db
        self.public_url = public_url.rstrip("/")
        # Push services a test may reach over plain http (a local double); everything else must be https.
        self.http_push_hosts = {h.strip() for h in http_push_hosts.split(",") if h.strip()}
        self.providers = providers

    # The inbox. ---------------------------------------------------------------------------------

    def list_messages(self, principal: Principal, limit: int, archived: bool = False) -> list[Message]:
        size = inbox.page_size(limit)
        with self.db.read() as session:
            rows = session.scalars(
                select(Message)
                .where(Message.recipient_id == principal.user_id, Message.archived.is_(archived))
                .order_by(Message.created_at.desc(), Message.id)
                .limit(size)
            )
            return list(rows)

    def _own_message(self, principal: Principal, message_id: str, change) -> Message:  # type: ignore[no-untyped-def]
        message_id = inbox.require_message_id(message_id)
        with self.db.transaction() as session:
            message = session.get(Message, message_id, with_for_update=True)
            if message is None:
                raise NotFound(texts.MESSAGE_NOT_FOUND)
            inbox.require_recipient(principal, message.recipient_id)
            change(message)
        return message

    def mark_read(self, principal: Principal, message_id: str) -> Message:
        return self._own_message(principal, message_id, lambda m: setattr(m, "read", True))

    def archive(self, principal: Principal, message_id: str) -> Message:
        def change(message: Message) -> None:
            message.archived = True
            message.read = True

        return self._own_message(principal, message_id, change)

    def unread_count(self, principal: Principal) -> int:
        with self.db.read() as session:
            return _unread(session, principal.user_id)

    def newest_unread(self, principal: Principal, limit: int = 3) -> list[Message]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(Message)
                    .where(
                        Message.recipient_id == principal.user_id,
                        Message.read.is_(False),
                        Message.archived.is_(False),
                    )
                    .order_by(Message.created_at.desc(), Message.id)
                    .limit(limit)
                )
            )

    # The feed. ----------------------------------------------------------------------------------

    def feed_head(self, recipient_id: str) -> int:
        with self.db.read() as session:
            head = session.get(FeedHead, recipient_id)
            return head.seq if head else 0

    def feed_after(self, recipient_id: str, after_seq: int) -> tuple[list[FeedItem], int]:
        """The resident's feed entries after `after_seq` (oldest first, a page), and the unread count."""
        with self.db.read() as session:
            entries = session.scalars(
                select(FeedEntry)
                .where(FeedEntry.recipient_id == recipient_id, FeedEntry.seq > after_seq)
                .order_by(FeedEntry.seq)
                .limit(FEED_PAGE)
            ).all()
            ids = [e.message_id for e in entries if e.message_id]
            found = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))} if ids else {}
            items = [
                FeedItem(e.seq, e.kind, found.get(e.message_id or ""), e.reference, e.status, e.created_at)
                for e in entries
            ]
            return items, (_unread(session, recipient_id) if items else 0)

    # Preferences. -------------------------------------------------------------------------------

    def get_preferences(self, principal: Principal) -> prefs.Choices:
        with self.db.read() as session:
            return feed.choices_of(session, principal.user_id)

    def update_preferences(
        self,
        principal: Principal,
        language: str,
        email: str,
        channels: list[tuple[str, bool, bool]],
        quiet_start: str,
        quiet_end: str,
        ignore_quiet_hours: bool,
    ) -> prefs.Choices:
        if language not in messages.LANGUAGES:
            raise ValidationFailed(texts.LANGUAGE, {"language": texts.LANGUAGE_FIELD})
        address = prefs.email_address(email)
        start, end = prefs.clock(quiet_start, "quiet_start"), prefs.clock(quiet_end, "quiet_end")
        chosen: dict[str, dict[str, bool]] = {}
        for kind, by_email, by_push in channels:
            if kind and kind not in messages.TEMPLATES:
                raise ValidationFailed(
                    texts.UNKNOWN_KIND, {"channels": texts.UNKNOWN_KIND_FIELD.format(kind=kind[:40])}
                )
            chosen[kind] = {"email": by_email, "push": by_push}
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = session.get(Preferences, principal.user_id, with_for_update=True)
            if row is None:
                row = Preferences(recipient_id=principal.user_id, email="", email_confirmed=False, email_token_hash="")
                session.add(row)
            row.language, row.channels = language, chosen
            row.quiet_start, row.quiet_end, row.ignore_quiet_hours = start, end, ignore_quiet_hours
            if address.lower() != (row.email or "").lower():
                row.email, row.email_confirmed, row.email_token_hash = address, False, ""
                if address:
                    token = secrets.token_urlsafe(24)
                    row.email_token_hash = _token_hash(token)
                    link = f"{self.public_url}{CONFIRM_PATH}?token={token}"
                    feed.confirmation_mail(session, principal.user_id, address, link, language, now)
            session.flush()
            return feed.choices_of(session, principal.user_id)

    def confirm_email(self, principal: Principal, token: str) -> prefs.Choices:
        token = (token or "").strip()
        with self.db.transaction() as session:
            row = session.get(Preferences, principal.user_id, with_for_update=True)
            if row is None or not token or not row.email_token_hash or row.email_token_hash != _token_hash(token):
                raise ValidationFailed(
                    texts.LINK_EXPIRED,
                    {"token": texts.LINK_INVALID},
                )
            row.email_confirmed, row.email_token_hash = True, ""
            session.flush()
            return feed.choices_of(session, principal.user_id)

    # Push subscriptions. ------------------------------------------------------------------------

    def register_push(
        self, principal: Principal, provider: str, endpoint: str, p256dh: str, auth: str, device: str
    ) -> PushSubscriptionRow:
        provider = provider or "webpush"
        if provider not in PROVIDERS:
            raise ValidationFailed(texts.UNKNOWN_PROVIDER, {"provider": texts.PROVIDER_FIELD})
        if provider not in self.providers:
            raise ValidationFailed(
                texts.PROVIDER_NOT_IN_USE,
                {"provider": texts.NOT_AVAILABLE},
            )
        if device not in DEVICES:
            raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.DEVICE_FIELD})
        self._check_endpoint(endpoint)
        if provider == "webpush":
            _b64url_bytes(p256dh, 65, "p256dh")
            _b64url_bytes(auth, 16, "auth")
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            # The same browser under a new login: it now belongs to this resident.
            session.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.endpoint == endpoint))
            count = session.execute(
                select(func.count())
                .select_from(PushSubscriptionRow)
                .where(PushSubscriptionRow.recipient_id == principal.user_id)
            ).scalar_one()
            if count >= MAX_SUBSCRIPTIONS:
                raise ValidationFailed(
                    texts.TOO_MANY_DEVICES.format(max=MAX_SUBSCRIPTIONS),
                    {"endpoint": texts.TOO_MANY_DEVICES_FIELD},
                )
            row = PushSubscriptionRow(
                id=str(uuid.uuid4()),
                recipient_id=principal.user_id,
                provider=provider,
                device=device,
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                created_at=now,
            )
            session.add(row)
        return row

    def _check_endpoint(self, endpoint: str) -> None:
        parts = urlsplit(endpoint or "")
        allowed = parts.scheme == "https" or (parts.scheme == "http" and parts.netloc in self.http_push_hosts)
        if not allowed or not parts.netloc or parts.username or parts.password:
            raise ValidationFailed(
                texts.ENDPOINT_HTTPS,
                {"endpoint": texts.INVALID_ADDRESS},
            )

    def remove_push(self, principal: Principal, subscription_id: str) -> None:
        subscription_id = inbox.require_message_id(subscription_id)
        with self.db.transaction() as session:
            row = session.get(PushSubscriptionRow, subscription_id, with_for_update=True)
            if row is None:
                raise NotFound(texts.SUBSCRIPTION_NOT_FOUND)
            if row.recipient_id != principal.user_id:
                raise PermissionDenied(texts.NOT_YOUR_DEVICE)
            session.delete(row)

    # Dead letters (admins). ---------------------------------------------------------------------

    @staticmethod
    def _require_admin(principal: Principal, message: Text = texts.ADMINS_DEAD_LETTERS) -> None:
        if not principal.has_role("admin"):
            raise PermissionDenied(message)

    def dead_letters(self, principal: Principal, limit: int) -> list[DeliveryRow]:
        self._require_admin(principal)
        size = inbox.page_size(limit)
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(DeliveryRow)
                    .where(DeliveryRow.status == "dead")
                    .order_by(DeliveryRow.created_at.desc())
                    .limit(size)
                )
            )

    def replay(self, principal: Principal, delivery_id: str) -> DeliveryRow:
        self._require_admin(principal)
        delivery_id = inbox.require_message_id(delivery_id)
        with self.db.transaction() as session:
            row = session.get(DeliveryRow, delivery_id, with_for_update=True)
            if row is None:
                raise NotFound(texts.DELIVERY_NOT_FOUND)
            if row.status == "dead":  # a second replay of the same letter changes nothing
                row.status, row.attempts, row.lease_until = "pending", 0, None
                row.next_attempt_at = datetime.now(UTC)
        return row

    # Service messages (planned maintenance, disruptions). -------------------------------------------

    def current_notices(self, now: datetime | None = None) -> list[ServiceMessageRow]:
        """What everyone is shown now: notices on now, and planned ones starting within a week;
        those on now first. Public (the login page shows them too)."""
        now = now or datetime.now(UTC)
        with self.db.read() as session:
            rows = session.scalars(
                select(ServiceMessageRow)
                .where(
                    ServiceMessageRow.ends_at > now,
                    ServiceMessageRow.ended_at.is_(None),
                    ServiceMessageRow.starts_at <= now + notices.ANNOUNCE_AHEAD,
                )
                .order_by(ServiceMessageRow.starts_at)
                .limit(notices.MAX_SHOWN)
            )
            return sorted(rows, key=lambda r: (_aware(r.starts_at) > now, _aware(r.starts_at)))

    def all_notices(self, principal: Principal, limit: int = 50) -> list[ServiceMessageRow]:
        """For admins: every notice not yet over, and the latest ended ones."""
        self._require_admin(principal, texts.ADMINS_NOTICES)
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(ServiceMessageRow)
                    .order_by(
                        or_(ServiceMessageRow.ended_at.is_not(None), ServiceMessageRow.ends_at <= datetime.now(UTC)),
                        ServiceMessageRow.starts_at.desc(),
                    )
                    .limit(inbox.page_size(limit))
                )
            )

    def publish_notice(
        self, principal: Principal, kind: str, text_sv: str, text_en: str, starts_at: str, ends_at: str
    ) -> ServiceMessageRow:
        self._require_admin(principal, texts.ADMINS_PUBLISH)
        now = datetime.now(UTC)
        draft = notices.check(kind, text_sv, text_en, starts_at, ends_at, now)
        with self.db.transaction() as session:
            shown = session.scalar(
                select(func.count())
                .select_from(ServiceMessageRow)
                .where(ServiceMessageRow.ends_at > now, ServiceMessageRow.ended_at.is_(None))
            )
            if shown >= notices.MAX_SHOWN:
                raise Conflict(texts.NOTICES_FULL.format(max=notices.MAX_SHOWN))
            row = ServiceMessageRow(
                id=str(uuid.uuid4()),
                kind=draft.kind,
                text_sv=draft.text_sv,
                text_en=draft.text_en,
                starts_at=draft.starts_at,
                ends_at=draft.ends_at,
                created_by=principal.user_id,
                created_at=now,
                ended_by="",
            )
            session.add(row)
        return row

    def end_notice(self, principal: Principal, notice_id: str) -> ServiceMessageRow:
        """Ends a notice now (a second end changes nothing)."""
        self._require_admin(principal, texts.ADMINS_NOTICES)
        notice_id = inbox.require_message_id(notice_id)
        with self.db.transaction() as session:
            row = session.get(ServiceMessageRow, notice_id, with_for_update=True)
            if row is None:
                raise NotFound(texts.NOTICE_NOT_FOUND)
            if row.ended_at is None:
                row.ended_at, row.ended_by = datetime.now(UTC), principal.user_id
        return row


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _unread(session, recipient_id: str) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        select(func.count())
        .select_from(Message)
        .where(Message.recipient_id == recipient_id, Message.read.is_(False), Message.archived.is_(False))
    ).scalar_one()
