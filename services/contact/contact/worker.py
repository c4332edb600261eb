"""The worker process (nameko): the outbox relay now; event handlers and timers as they come.

Run: nameko run --config config.yaml contact.worker
"""

from __future__ import annotations

from nameko.timer import timer

from contact import settings as settings_module
from contact.store import IDEMPOTENCY, OUTBOX
from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.log_level)


class ContactWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.database_url), OUTBOX, idempotency=IDEMPOTENCY)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=3600)
    def forget_old_answers(self) -> None:
        self.runtime.forget_old_answers()
