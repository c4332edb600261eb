"""The worker process (nameko): receives every sent case (calculation, random check, decision
proposal, automatic decision where allowed), pays on the payment day, tells residents when the
monthly period opens, and relays the outbox.

Run: nameko run --config config.yaml applications.worker
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from nameko.timer import timer

from applications import settings as settings_module
from applications import targets
from applications.casework import Casework
from applications.retention import Retention
from applications.store import IDEMPOTENCY, OUTBOX
from fickan_common.context import correlation_id, new_correlation_id, valid_correlation_id
from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime, event_handler

_settings = settings_module.load()
_settings.configure_domain()
setup_logging(f"{settings_module.NAME}-worker", _settings.service.log_level)
log = logging.getLogger(__name__)


class ApplicationsWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.service.database_url), OUTBOX, idempotency=IDEMPOTENCY)

    def _casework(self) -> Casework:
        assert self.runtime.db is not None and self.runtime.publisher is not None
        return Casework(self.runtime.db, self._publish_soon, _settings.casework, today=_settings.today)

    def _publish_soon(self, event_ids: Iterable[str]) -> None:
        """Publish the events just committed, in the background (the handler acknowledges its message
        meanwhile); what fails stays in the outbox for the relay."""
        self.runtime.publish_soon(event_ids)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=3600)
    def forget_old_answers(self) -> None:
        self.runtime.forget_old_answers()

    @event_handler(settings_module.NAME, "application_submitted", requeue_on_error=True)
    def on_application_submitted(self, body: dict[str, Any]) -> None:
        incoming = body.get("correlation_id") if isinstance(body, dict) else None
        token = correlation_id.set(incoming if valid_correlation_id(incoming) else new_correlation_id())
        try:
            application_id = (body.get("data") or {}).get("application_id") if isinstance(body, dict) else None
            if not isinstance(application_id, str):
                log.error("application_submitted without an application id dropped")
                return
            # The api receives a sent case at once; this is the fallback (and the co-applicant's
            # path when that failed). receive() is idempotent: a received case is left as it is.
            self._casework().receive(application_id)
        finally:
            correlation_id.reset(token)

    @timer(interval=60)
    def pay_due(self) -> None:
        paid = self._casework().pay_due()
        if paid:
            log.info("payments made", extra={"fields": {"count": paid}})

    @timer(interval=60)
    def measure_targets(self) -> None:
        assert self.runtime.db is not None
        targets.measure(self.runtime.db)

    @timer(interval=600)
    def open_period(self) -> None:
        self._casework().open_period()

    @timer(interval=900)
    def apply_retention(self) -> None:
        """Drafts warned and deleted, closed cases thinned: one bounded batch of each per run."""
        assert self.runtime.db is not None
        swept = Retention(self.runtime.db, self._publish_soon, _settings.retention).sweep()
        if swept.warned or swept.deleted or swept.thinned:
            log.info(
                "retention applied",
                extra={"fields": {"warned": swept.warned, "deleted": swept.deleted, "thinned": swept.thinned}},
            )
