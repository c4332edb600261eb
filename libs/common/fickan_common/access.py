"""The access log's sending side: every staff read or change of a resident's data is announced as a
resident_data_accessed event in the same transaction as the read (or change), through the
service's own outbox. identity keeps the log, and the resident can read who looked at what."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from fickan.identity.events.v1 import events_pb2
from fickan_common.events import Outbox
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal

EVENT = "resident_data_accessed"
# The staff role an entry names, most specific first.
STAFF_ROLES = ("case_worker", "contact_agent", "admin")


def staff_role(principal: Principal) -> str:
    return next((r for r in STAFF_ROLES if principal.has_role(r)), "")


def is_staff(principal: Principal) -> bool:
    return bool(staff_role(principal))


def record_staff_access(
    session: Session,
    outbox: Outbox,
    principal: Principal,
    subjects: Iterable[str],
    action: str,
    resource: str,
    description: str,
    reason: str = "",
) -> dict[str, Any]:
    """Adds the access record to the outbox (action: read | change). Returns the envelope."""
    message = events_pb2.ResidentDataAccessed(
        subject_ids=sorted({s for s in subjects if s}),
        actor_id=principal.user_id,
        actor_name=principal.name,
        actor_role=staff_role(principal),
        actor_unit=principal.unit,
        action=action,
        resource=resource,
        description=description,
        reason=reason[:500],
        at=to_timestamp(datetime.now(UTC)),
    )
    return outbox.add(session, EVENT, message)
