"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer; and the live
feed (Subscribe), a server stream per open client woken by the feed listener."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

import grpc
import jwt

from fickan.notifications.v1 import notifications_pb2 as pb
from fickan.notifications.v1 import notifications_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.errors import ValidationFailed
from fickan_common.grpc_server import current_principal, method_paths
from fickan_common.idempotency import IdempotencyStore
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import RevokedSessions
from notifications import settings as settings_module
from notifications import texts
from notifications.channels import vapid_public_key
from notifications.domain import service_messages as notices
from notifications.domain.preferences import Choices
from notifications.live import FeedListener, Hub
from notifications.service import FeedItem, Notifications
from notifications.store import IDEMPOTENCY, DeliveryRow, Message, PushSubscriptionRow, ServiceMessageRow

SERVICE = "fickan.notifications.v1.NotificationsService"


def message_message(message: Message) -> pb.Message:
    return pb.Message(
        message_id=message.id,
        subject=message.subject,
        body=message.body,
        read=message.read,
        created_at=to_timestamp(message.created_at),
        reference=message.reference,
        archived=message.archived,
        kind=message.kind,
        short=message.short,
        seq=message.seq,
    )


def preferences_message(choices: Choices) -> pb.Preferences:
    return pb.Preferences(
        language=choices.language,
        email=choices.email,
        email_confirmed=choices.email_confirmed,
        channels=[
            pb.ChannelChoice(kind=kind, email=bool(c.get("email", True)), push=bool(c.get("push", True)))
            for kind, c in sorted(choices.channels.items())
        ],
        quiet_start=choices.quiet_start,
        quiet_end=choices.quiet_end,
        ignore_quiet_hours=choices.ignore_quiet_hours,
    )


def delivery_message(row: DeliveryRow) -> pb.Delivery:
    return pb.Delivery(
        delivery_id=row.id,
        channel=row.channel,
        kind=row.kind,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=to_timestamp(row.created_at),
        next_attempt_at=to_timestamp(row.next_attempt_at),
    )


def subscription_message(row: PushSubscriptionRow) -> pb.PushSubscription:
    return pb.PushSubscription(
        subscription_id=row.id, provider=row.provider, device=row.device, created_at=to_timestamp(row.created_at)
    )


def notice_message(row: ServiceMessageRow, now: datetime) -> pb.ServiceMessage:
    starts, ends = _utc(row.starts_at), _utc(row.ends_at)
    return pb.ServiceMessage(
        message_id=row.id,
        kind=row.kind,
        text=row.text_sv,
        text_en=row.text_en,
        starts_at=to_timestamp(starts),
        ends_at=to_timestamp(ends),
        active=starts <= now < ends and row.ended_at is None,
        short=notices.short(row.kind, starts, ends, now, "sv"),
        short_en=notices.short(row.kind, starts, ends, now, "en"),
        ended=row.ended_at is not None,
        created_at=to_timestamp(_utc(row.created_at)),
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def feed_event(item: FeedItem, unread: int) -> pb.FeedEvent:
    event = pb.FeedEvent(
        seq=item.seq,
        kind=item.kind,
        reference=item.reference,
        status=item.status,
        unread=unread,
        at=to_timestamp(item.at),
    )
    if item.message is not None:
        event.message.CopyFrom(message_message(item.message))
    return event


def token_expiry(token: str) -> float:
    """When the (already verified) token expires, as a Unix time."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims.get("exp", 0))


class NotificationsServicer(pb_grpc.NotificationsServiceServicer):
    def __init__(
        self,
        notifications: Notifications,
        hub: Hub | None = None,
        heartbeat: float = 15.0,
        poll: float = 5.0,
        vapid_key: str = "",
        revoked: RevokedSessions | None = None,
    ) -> None:
        self.notifications = notifications
        # The sessions identity revoked (the process's revocation feed): an open stream of one ends.
        self.revoked = revoked
        self.hub = hub or Hub()
        self.heartbeat = heartbeat
        self.poll = poll
        self.vapid_key = vapid_key

    def ListMessages(self, request, context):  # noqa: N802
        messages = self.notifications.list_messages(current_principal(), request.limit, request.archived)
        return pb.ListMessagesResponse(messages=[message_message(m) for m in messages])

    def MarkRead(self, request, context):  # noqa: N802
        return message_message(self.notifications.mark_read(current_principal(), request.message_id))

    def Archive(self, request, context):  # noqa: N802
        return message_message(self.notifications.archive(current_principal(), request.message_id))

    def GetUnreadCount(self, request, context):  # noqa: N802
        principal = current_principal()
        return pb.GetUnreadCountResponse(
            unread=self.notifications.unread_count(principal),
            newest=[
                pb.Message(
                    message_id=m.id,
                    short=m.short,
                    kind=m.kind,
                    reference=m.reference,
                    created_at=to_timestamp(m.created_at),
                    seq=m.seq,
                )
                for m in self.notifications.newest_unread(principal)
            ],
        )

    def Subscribe(self, request, context) -> Iterator[pb.FeedEvent]:  # noqa: N802
        """First an immediate heartbeat (the client knows it is in), then what came after
        `after_seq`, then each new entry; a heartbeat when nothing happened for a while. The
        stream ends when the caller's token expires (the client comes back with a fresh one and
        its last seq), when identity revokes its session (seen at the next wake-up, at most a
        heartbeat later; the reconnect is refused) or when the client goes."""
        principal = current_principal()
        if request.after_seq < 0:
            raise ValidationFailed(texts.INVALID_POSITION, {"after_seq": texts.AT_LEAST_ZERO})
        expires = token_expiry(principal.token)
        head = self.notifications.feed_head(principal.user_id)
        # 0 means "from now"; a number beyond the head (another database, a reset) starts from now too.
        last = head if request.after_seq == 0 or request.after_seq > head else request.after_seq
        wake = self.hub.register(principal.user_id)
        try:
            unread = self.notifications.unread_count(principal)
            yield pb.FeedEvent(seq=0, kind="heartbeat", unread=unread)
            quiet_since = time.monotonic()
            while context.is_active() and time.time() < expires and not self._revoked(principal):
                wake.clear()
                items, counted = self.notifications.feed_after(principal.user_id, last)
                for item in items:
                    unread = counted
                    yield feed_event(item, unread)
                    last = item.seq
                if items:
                    quiet_since = time.monotonic()
                    continue  # maybe more than one page
                if time.monotonic() - quiet_since >= self.heartbeat:
                    # cheap: the count as last known (a read elsewhere is not an entry of the feed)
                    yield pb.FeedEvent(seq=0, kind="heartbeat", unread=unread)
                    quiet_since = time.monotonic()
                wait = min(self.poll, self.heartbeat - (time.monotonic() - quiet_since), expires - time.time())
                wake.wait(max(wait, 0.0))
        finally:
            self.hub.unregister(principal.user_id, wake)

    def _revoked(self, principal) -> bool:  # type: ignore[no-untyped-def]
        return bool(self.revoked is not None and principal.session_id and self.revoked.is_revoked(principal.session_id))

    def GetPreferences(self, request, context):  # noqa: N802
        return preferences_message(self.notifications.get_preferences(current_principal()))

    def UpdatePreferences(self, request, context):  # noqa: N802
        choices = self.notifications.update_preferences(
            current_principal(),
            request.language or "sv",
            request.email,
            [(c.kind, c.email, c.push) for c in request.channels],
            request.quiet_start or "22:00",
            request.quiet_end or "07:00",
            request.ignore_quiet_hours,
        )
        return preferences_message(choices)

    def ConfirmEmail(self, request, context):  # noqa: N802
        return preferences_message(self.notifications.confirm_email(current_principal(), request.token))

    def GetPushConfig(self, request, context):  # noqa: N802
        return pb.PushConfig(vapid_public_key=self.vapid_key)

    def RegisterPushSubscription(self, request, context):  # noqa: N802
        row = self.notifications.register_push(
            current_principal(),
            request.provider,
            request.endpoint,
            request.p256dh,
            request.auth,
            request.device or "web",
        )
        return subscription_message(row)

    def RemovePushSubscription(self, request, context):  # noqa: N802
        self.notifications.remove_push(current_principal(), request.subscription_id)
        return pb.RemovePushSubscriptionResponse()

    def ListDeadLetters(self, request, context):  # noqa: N802
        rows = self.notifications.dead_letters(current_principal(), request.limit)
        return pb.ListDeadLettersResponse(deliveries=[delivery_message(r) for r in rows])

    def ReplayDeadLetter(self, request, context):  # noqa: N802
        return delivery_message(self.notifications.replay(current_principal(), request.delivery_id))

    def ListServiceMessages(self, request, context):  # noqa: N802
        now = datetime.now(UTC)
        rows = self.notifications.current_notices(now)
        return pb.ListServiceMessagesResponse(messages=[notice_message(r, now) for r in rows])

    def ListAllServiceMessages(self, request, context):  # noqa: N802
        now = datetime.now(UTC)
        rows = self.notifications.all_notices(current_principal(), request.limit)
        return pb.ListServiceMessagesResponse(messages=[notice_message(r, now) for r in rows])

    def PublishServiceMessage(self, request, context):  # noqa: N802
        row = self.notifications.publish_notice(
            current_principal(), request.kind, request.text, request.text_en, request.starts_at, request.ends_at
        )
        return notice_message(row, datetime.now(UTC))

    def EndServiceMessage(self, request, context):  # noqa: N802
        row = self.notifications.end_notice(current_principal(), request.message_id)
        return notice_message(row, datetime.now(UTC))


# A paired watch's glance token may read the unread count (with the short forms) and the stream.
GLANCE_METHODS = method_paths(SERVICE, ["GetUnreadCount", "Subscribe"])
# Service messages are for everyone, logged in or not (the login page shows them).
PUBLIC_METHODS = method_paths(SERVICE, ["ListServiceMessages"])
# Most commands are idempotent by themselves (marking read twice, the same endpoint registered again,
# the same preferences again, a replay of a letter no longer dead, ending an ended notice);
# publishing a notice is not: a double click must publish it once.
COMMANDS = method_paths(SERVICE, ["PublishServiceMessage", "EndServiceMessage"])


def register(
    notifications: Notifications, servicer: NotificationsServicer | None = None
) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_NotificationsServiceServicer_to_server(servicer or NotificationsServicer(notifications), server)
        return [pb.DESCRIPTOR.services_by_name["NotificationsService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.database_url)
    hub = Hub()
    listener = FeedListener(settings.amqp_uri, hub).start()
    notifications = Notifications(db, settings.public_url, settings.push_allow_http_hosts)
    verifier = identity_verifier(settings.identity_target, settings.amqp_uri, "notifications")
    servicer = NotificationsServicer(
        notifications,
        hub,
        settings.stream_heartbeat,
        settings.stream_poll,
        vapid_public_key(settings.vapid_key_file),
        revoked=verifier.revoked,
    )

    def stop() -> None:
        listener.stop()
        db.dispose()

    run_api(
        settings,
        register(notifications, servicer),
        verifier,
        on_stop=stop,
        public_methods=PUBLIC_METHODS,
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
        # Each open stream holds a server thread while it waits (grpcio's sync server); they are
        # made as needed, so this is a ceiling, not a cost.
        max_workers=settings.stream_max + 16,
    )


if __name__ == "__main__":
    main()
