"""Rules of reading the inbox: page sizes and who may touch a message."""

from __future__ import annotations

import uuid

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from notifications import texts

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def page_size(limit: int) -> int:
    """1..100 as asked; 0 means the default."""
    if limit == 0:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(texts.INVALID_LIMIT, {"limit": texts.LIMIT_RANGE.format(max=MAX_LIMIT)})
    return limit


def require_message_id(message_id: str) -> str:
    try:
        return str(uuid.UUID(message_id))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed(texts.INVALID_MESSAGE_ID, {"message_id": texts.INVALID_ID}) from None


def require_recipient(principal: Principal, recipient_id: str) -> None:
    """Everyone, staff too, reads only the messages sent to them."""
    if principal.user_id != recipient_id:
        raise PermissionDenied(texts.NOT_YOUR_MESSAGE)
