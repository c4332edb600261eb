"""The worker process (nameko): the scheduled Kolada import and the outbox relay.

Run: nameko run --config config.yaml insights.worker
"""

from __future__ import annotations

import logging

from nameko.timer import timer

from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime
from insights import importer
from insights import settings as settings_module
from insights.domain import catalogue as catalogue_module
from insights.kolada import KoladaClient, KoladaError
from insights.store import IDEMPOTENCY, OUTBOX

log = logging.getLogger(__name__)

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.service.log_level)


def kolada_client(settings: settings_module.InsightsSettings) -> KoladaClient:
    return KoladaClient(
        settings.kolada_url, settings.kolada_interval, settings.kolada_retries, timeout=settings.kolada_timeout
    )


class InsightsWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.service.database_url), OUTBOX, idempotency=IDEMPOTENCY)
    settings = _settings

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=3600)
    def forget_old_answers(self) -> None:
        self.runtime.forget_old_answers()

    @timer(interval=600, eager=True)
    def import_when_due(self) -> None:
        """Imports from Kolada when the last good import is older than the setting (at start too)."""
        settings = self.settings
        db = self.runtime.db
        assert db is not None
        if not importer.due(db, settings.import_every_hours):
            return
        try:
            importer.run_import(
                db,
                kolada_client(settings),
                catalogue_module.load(settings.comparisons_file),
                settings.municipality,
                importer.years_back(settings.years),
            )
        except KoladaError:
            pass  # recorded as a failed import with its reason; the next tick tries again
