"""The identity worker process (nameko): the outbox relay.

Run: nameko run --config config.yaml identity.worker
"""

from __future__ import annotations

from nameko.timer import timer

from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime
from identity import settings as settings_module
from identity.store import OUTBOX

_settings = settings_module.load().service
setup_logging(f"{settings_module.NAME}-worker", _settings.log_level)


class IdentityWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.database_url), OUTBOX)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()
