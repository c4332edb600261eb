"""What contact does with the events it consumes (the worker calls these; tests call them with an
envelope as it arrives from the broker). Each is idempotent: a repeated event changes nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import ParseError
from sqlalchemy.orm import Session

from contact.service import CaseMove, record_case_status
from contact.store import INBOX
from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan_common.db import Database
from fickan_common.events import handle_once, parse_data
from fickan_common.timestamps import from_timestamp

log = logging.getLogger(__name__)


def handle_case_status_changed(db: Database, body: dict[str, Any]) -> bool:
    """Keeps contact's view of the resident's cases; a repeated event changes nothing."""
    try:
        event = parse_data(body, applications_events.CaseStatusChanged)
    except ParseError as exc:
        log.warning("malformed event dropped", extra={"fields": {"event_id": body.get("event_id"), "error": str(exc)}})
        return False
    at = from_timestamp(event.at) or datetime.now(UTC)
    if not event.application_id or not event.to_status:
        log.warning("malformed event dropped", extra={"fields": {"event_id": body.get("event_id")}})
        return False

    said = event.HasField("open")
    move = CaseMove(
        event.application_id,
        tuple(event.resident_ids),
        event.to_status,
        at,
        open=event.open if said else None,
        sent=event.sent if said else None,
        decision_due=from_timestamp(event.decision_due) if event.HasField("decision_due") else None,
    )

    def apply(session: Session) -> None:
        record_case_status(session, move)

    return handle_once(db, INBOX, "contact.case_status_changed", body, apply)
