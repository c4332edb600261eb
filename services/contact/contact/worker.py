"""The worker process (nameko): the outbox relay, and what contact learns from applications' events
(which residents have an open case, so a question is linked to it).

Run: nameko run --config config.yaml contact.worker
"""

from __future__ import annotations

from typing import Any

from nameko.timer import timer

from contact import settings as settings_module
from contact.handlers import handle_case_status_changed
from contact.store import IDEMPOTENCY, OUTBOX
from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime, event_handler

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.service.log_level)

CASE_STATUS_CHANGED = "case_status_changed"


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
