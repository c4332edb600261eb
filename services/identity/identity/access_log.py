"""The access log: who at the municipality read or changed a resident's data, when and why.

Services announce each staff read or change as a resident_data_accessed event (fickan_common.access);
the identity worker keeps them here, once per event. identity's own staff actions are recorded
directly. A resident reads the entries about themself; nothing in an entry is case content.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import ParseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fickan.identity.events.v1 import events_pb2
from fickan_common.access import staff_role
from fickan_common.db import Database
from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.events import handle_once, parse_data
from fickan_common.tokens import Principal
from identity import texts
from identity.store import INBOX, AccessLogEntry

log = logging.getLogger(__name__)

ACTIONS = ("read", "change")
MAX_ENTRIES = 500


class AccessLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record_in(
        self,
        session: Session,
        subjects: list[str],
        actor: Principal,
        action: str,
        resource: str,
        description: str,
        reason: str,
        source: str,
        record_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        record_id = record_id or str(uuid.uuid4())
        for subject in sorted(set(subjects)):
            session.add(
                AccessLogEntry(
                    id=str(uuid.uuid4()),
                    record_id=record_id,
                    subject_id=subject,
                    actor_id=actor.user_id,
                    actor_name=actor.name[:200],
                    actor_role=staff_role(actor),
                    actor_unit=actor.unit[:60],
                    action=action,
                    resource=resource[:100],
                    description=description[:300],
                    reason=reason[:500],
                    source=source[:30],
                    at=at or datetime.now(UTC),
                )
            )

    def record(
        self, actor: Principal, subjects: list[str], action: str, resource: str, description: str, reason: str
    ) -> None:
        """A staff member's read or change made outside a service with its own outbox (the BFFs)."""
        if not staff_role(actor):
            raise PermissionDenied(texts.STAFF_ONLY)
        errors = {}
        if not subjects or any(not s or len(s) > 36 for s in subjects):
            errors["subject_ids"] = texts.ACCESS_SUBJECTS_MISSING
        if action not in ACTIONS:
            errors["action"] = texts.ACCESS_ACTION
        if not resource or not description:
            errors["resource"] = texts.ACCESS_RESOURCE_MISSING
        if errors:
            raise ValidationFailed(texts.ACCESS_NOT_LOGGED, errors)
        with self.db.transaction() as session:
            self.record_in(session, subjects, actor, action, resource, description, reason, "bff")

    def handle_event(self, source: str, body: dict[str, Any]) -> bool:
        """A resident_data_accessed event from `source`, kept once. Malformed events are dropped
        (logged): redelivering them would never help."""
        try:
            message: events_pb2.ResidentDataAccessed = parse_data(body, events_pb2.ResidentDataAccessed)
        except (ParseError, AttributeError):
            log.error("malformed access record dropped", extra={"fields": {"source": source}})
            return False
        if not message.subject_ids or not message.actor_id or message.action not in ACTIONS:
            log.error("incomplete access record dropped", extra={"fields": {"source": source}})
            return False
        actor = Principal(
            user_id=message.actor_id,
            roles=(message.actor_role,),
            name=message.actor_name,
            unit=message.actor_unit,
        )
        at = message.at.ToDatetime(tzinfo=UTC) if message.HasField("at") else datetime.now(UTC)

        def apply(session: Session) -> None:
            self.record_in(
                session,
                list(message.subject_ids),
                actor,
                message.action,
                message.resource,
                message.description,
                message.reason,
                source,
                record_id=body["event_id"],
                at=at,
            )

        return handle_once(self.db, INBOX, f"access_log.{source}", body, apply)

    def for_resident(self, principal: Principal, resource: str = "") -> list[AccessLogEntry]:
        """The entries about the caller, newest first."""
        query = select(AccessLogEntry).where(AccessLogEntry.subject_id == principal.user_id)
        if resource:
            query = query.where(AccessLogEntry.resource == resource)
        with self.db.transaction() as session:
            return list(session.scalars(query.order_by(AccessLogEntry.at.desc()).limit(MAX_ENTRIES)))
