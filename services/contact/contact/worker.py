"""The worker process (nameko): the outbox relay, and what contact learns from applications' events
(which residents have an open case, so a question is linked to it).

Run: nameko run --config config.yaml contact.worker
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import ParseError
from nameko.timer import timer
from sqlalchemy.orm import Session

from contact import settings as settings_module
from contact.service import record_case_status
from contact.store import IDEMPOTENCY, INBOX, OUTBOX
from fickan.applications.events.v1 import events_pb2 as applications_events
from fickan_common.db import Database
from fickan_common.events import handle_once, parse_data
from fickan_common.logs import setup_logging
from fickan_common.timestamps import from_timestamp
from fickan_common.worker import WorkerRuntime, event_handler

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.service.log_level)
log = logging.getLogger(__name__)

CASE_STATUS_CHANGED = "case_status_changed"


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

    def apply(session: Session) -> None:
        record_case_status(session, event.application_id, event.resident_ids, event.to_status, at)

    return handle_once(db, INBOX, "contact.case_status_changed", body, apply)


class ContactWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.service.database_url), OUTBOX, idempotency=IDEMPOTENCY)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=3600)
    def forget_old_answers(self) -> None:
        self.runtime.forget_old_answers()

    @event_handler("applications", CASE_STATUS_CHANGED, requeue_on_error=True)
    def on_case_status_changed(self, body: dict[str, Any]) -> None:
        handle_case_status_changed(self.runtime.db, body)
