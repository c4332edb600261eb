"""The identity worker process (nameko): the outbox relay, the access log fed by every service's
resident_data_accessed events, and the cleanup of finished BankID orders and stale pairings.

Run: nameko run --config config.yaml identity.worker
"""

from __future__ import annotations

from typing import Any

from nameko.timer import timer

from fickan_common.access import EVENT as ACCESS_EVENT
from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime, event_handler
from identity import settings as settings_module
from identity.access_log import AccessLog
from identity.cleanup import clean_up
from identity.store import IDEMPOTENCY, OUTBOX

_settings = settings_module.load().service
setup_logging(f"{settings_module.NAME}-worker", _settings.log_level)


class IdentityWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.database_url), OUTBOX, idempotency=IDEMPOTENCY)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=3600)
    def forget_old_answers(self) -> None:
        self.runtime.forget_old_answers()

    @timer(interval=3600)
    def clean_up(self) -> None:
        clean_up(self.runtime.db)

    # The services whose staff reads are logged. A new service adds a handler here.
    @event_handler("applications", ACCESS_EVENT, requeue_on_error=True)
    def on_applications_access(self, body: dict[str, Any]) -> None:
        AccessLog(self.runtime.db).handle_event("applications", body)

    @event_handler("contact", ACCESS_EVENT, requeue_on_error=True)
    def on_contact_access(self, body: dict[str, Any]) -> None:
        AccessLog(self.runtime.db).handle_event("contact", body)
