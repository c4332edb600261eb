"""Rules of reading the inbox: page sizes and who may touch a message."""

from __future__ import annotations

import uuid

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def page_size(limit: int) -> int:
    """1..100 as asked; 0 means the default."""
    if limit == 0:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed("Ogiltigt antal meddelanden.", {"limit": f"Ange ett tal mellan 1 och {MAX_LIMIT}."})
    return limit


def require_message_id(message_id: str) -> str:
    try:
        return str(uuid.UUID(message_id))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed("Ogiltigt meddelande-id.", {"message_id": "Ogiltigt id."}) from None


def require_recipient(principal: Principal, recipient_id: str) -> None:
    """Everyone, staff too, reads only the messages sent to them."""
    if principal.user_id != recipient_id:
        raise PermissionDenied("Du har inte behörighet till det här meddelandet.")
