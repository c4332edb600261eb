"""The resident's inbox."""

from __future__ import annotations

import logging
from typing import Any

from bff_mobile.api import call
from bff_mobile.schemas.inbox import InboxQuerySchema, InboxSchema, MessageSchema
from bff_mobile.views.common import api, services, time_of
from fickan.notifications.v1 import notifications_pb2 as notes_pb

log = logging.getLogger(__name__)


def _message(message: notes_pb.Message) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "subject": message.subject,
        "body": message.body,
        "read": message.read,
        "created_at": time_of(message, "created_at"),
        "reference": message.reference,
    }


# --- Inbox and questions ---------------------------------------------------------------------
@api.route(
    "/inbox",
    "GET",
    summary="My messages and how many are unread",
    tag="inbox",
    query=InboxQuerySchema,
    response=InboxSchema,
    errors=(400, 503),
)
def inbox(query: dict[str, Any]) -> dict[str, Any]:
    notifications = services().notifications
    request = notes_pb.ListMessagesRequest(limit=query["limit"], archived=query.get("archived", False))
    messages = call(notifications, "ListMessages", request)
    unread = call(notifications, "GetUnreadCount", notes_pb.GetUnreadCountRequest())
    return {"messages": [_message(m) for m in messages.messages], "unread": unread.unread}


@api.route(
    "/inbox/<message_id>/read",
    "POST",
    summary="Mark a message read",
    tag="inbox",
    response=MessageSchema,
    errors=(400, 404, 503),
)
def mark_read(message_id: str) -> dict[str, Any]:
    message = call(services().notifications, "MarkRead", notes_pb.MarkReadRequest(message_id=message_id))
    return _message(message)
