"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc

from fickan.notifications.v1 import notifications_pb2 as pb
from fickan.notifications.v1 import notifications_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.grpc_server import current_principal
from fickan_common.timestamps import to_timestamp
from notifications import settings as settings_module
from notifications.service import Notifications
from notifications.store import Message


def message_message(message: Message) -> pb.Message:
    return pb.Message(
        message_id=message.id,
        subject=message.subject,
        body=message.body,
        read=message.read,
        created_at=to_timestamp(message.created_at),
        reference=message.reference,
    )


class NotificationsServicer(pb_grpc.NotificationsServiceServicer):
    def __init__(self, notifications: Notifications) -> None:
        self.notifications = notifications

    def ListMessages(self, request, context):  # noqa: N802
        messages = self.notifications.list_messages(current_principal(), request.limit)
        return pb.ListMessagesResponse(messages=[message_message(m) for m in messages])

    def MarkRead(self, request, context):  # noqa: N802
        return message_message(self.notifications.mark_read(current_principal(), request.message_id))

    def GetUnreadCount(self, request, context):  # noqa: N802
        return pb.GetUnreadCountResponse(unread=self.notifications.unread_count(current_principal()))


# A paired watch's glance token may read how many messages are unread, nothing more.
GLANCE_METHODS = {"/fickan.notifications.v1.NotificationsService/GetUnreadCount"}


def register(notifications: Notifications) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_NotificationsServiceServicer_to_server(NotificationsServicer(notifications), server)
        return [pb.DESCRIPTOR.services_by_name["NotificationsService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.database_url)
    run_api(
        settings,
        register(Notifications(db)),
        identity_verifier(settings.identity_target, settings.amqp_uri, "notifications"),
        on_stop=db.dispose,
        glance_methods=GLANCE_METHODS,
    )


if __name__ == "__main__":
    main()
