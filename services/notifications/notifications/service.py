"""Use cases of the api process: reading the caller's own inbox."""

from __future__ import annotations

from sqlalchemy import func, select

from fickan_common.db import Database
from fickan_common.errors import NotFound
from fickan_common.tokens import Principal
from notifications.domain import inbox
from notifications.store import Message


class Notifications:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list_messages(self, principal: Principal, limit: int) -> list[Message]:
        size = inbox.page_size(limit)
        with self.db.read() as session:
            rows = session.scalars(
                select(Message)
                .where(Message.recipient_id == principal.user_id)
                .order_by(Message.created_at.desc(), Message.id)
                .limit(size)
            )
            return list(rows)

    def mark_read(self, principal: Principal, message_id: str) -> Message:
        message_id = inbox.require_message_id(message_id)
        with self.db.transaction() as session:
            message = session.get(Message, message_id, with_for_update=True)
            if message is None:
                raise NotFound("Meddelandet finns inte.")
            inbox.require_recipient(principal, message.recipient_id)
            message.read = True
        return message

    def unread_count(self, principal: Principal) -> int:
        with self.db.read() as session:
            return session.execute(
                select(func.count())
                .select_from(Message)
                .where(Message.recipient_id == principal.user_id, Message.read.is_(False))
            ).scalar_one()
