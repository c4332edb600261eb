"""The worker process (nameko): turns other services' events into inbox messages, and relays the
outbox.

Run: nameko run --config config.yaml notifications.worker
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nameko.events import event_handler
from nameko.timer import timer

from fickan_common.db import Database
from fickan_common.events import flush_outbox
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime
from notifications import handlers
from notifications import settings as settings_module
from notifications.store import OUTBOX

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.log_level)


class NotificationsWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.database_url), OUTBOX)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @event_handler("applications", handlers.APPLICATION_SUBMITTED, requeue_on_error=True)
    def on_application_submitted(self, body: dict[str, Any]) -> None:
        handlers.handle_application_submitted(self.runtime.db, body, self._publish_now)

    @event_handler("contact", handlers.QUESTION_RECEIVED, requeue_on_error=True)
    def on_question_received(self, body: dict[str, Any]) -> None:
        handlers.handle_question_received(self.runtime.db, body, self._publish_now)

    @event_handler("contact", handlers.REPLY_SENT, requeue_on_error=True)
    def on_reply_sent(self, body: dict[str, Any]) -> None:
        handlers.handle_reply_sent(self.runtime.db, body, self._publish_now)

    # applications' case events: the proactive messages (one entrypoint each, so each has its queue)
    @event_handler("applications", "signature_requested", requeue_on_error=True)
    def on_signature_requested(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "signature_requested", body, self._publish_now)

    @event_handler("applications", "completion_requested", requeue_on_error=True)
    def on_completion_requested(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "completion_requested", body, self._publish_now)

    @event_handler("applications", "decision_made", requeue_on_error=True)
    def on_decision_made(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "decision_made", body, self._publish_now)

    @event_handler("applications", "payment_scheduled", requeue_on_error=True)
    def on_payment_scheduled(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "payment_scheduled", body, self._publish_now)

    @event_handler("applications", "payment_made", requeue_on_error=True)
    def on_payment_made(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "payment_made", body, self._publish_now)

    @event_handler("applications", "application_period_opened", requeue_on_error=True)
    def on_application_period_opened(self, body: dict[str, Any]) -> None:
        handlers.handle_application_event(self.runtime.db, "application_period_opened", body, self._publish_now)

    def _publish_now(self, event_ids: Iterable[str]) -> None:
        """Publish the events just committed; what fails stays in the outbox for the relay."""
        flush_outbox(self.runtime.db, OUTBOX, self.runtime.publisher, event_ids=event_ids)
