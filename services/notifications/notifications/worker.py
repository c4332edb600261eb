"""The worker process (nameko): turns other services' events into messages (one @event_handler per
entry of handlers.TRIGGERS), sends due reminders, sends the deliveries (e-mail, push) and relays
the outbox.

Run: nameko run --config config.yaml notifications.worker
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nameko.timer import timer

from fickan_common.db import Database
from fickan_common.logs import setup_logging
from fickan_common.worker import WorkerRuntime, event_handler
from notifications import handlers
from notifications import settings as settings_module
from notifications.channels import SmtpMailer, WebPushProvider
from notifications.dispatch import Dispatcher
from notifications.store import OUTBOX

_settings = settings_module.load()
setup_logging(f"{settings_module.NAME}-worker", _settings.log_level)


class NotificationsWorker:
    name = settings_module.NAME

    runtime = WorkerRuntime(lambda: Database(_settings.database_url), OUTBOX)

    @timer(interval=1.0)
    def relay_outbox(self) -> None:
        self.runtime.relay()

    @timer(interval=_settings.reminder_interval)
    def send_reminders(self) -> None:
        handlers.send_due_reminders(self.runtime.db, on_events=self._publish_soon)

    @timer(interval=_settings.delivery_interval)
    def send_deliveries(self) -> None:
        _dispatcher(self.runtime.db).run_once()

    def _publish_soon(self, event_ids: Iterable[str]) -> None:
        """Publish the events just committed, in the background (the handler acknowledges its message
        meanwhile); what fails stays in the outbox for the relay."""
        self.runtime.publish_soon(event_ids)


_dispatchers: dict[int, Dispatcher] = {}


def _dispatcher(db: Database) -> Dispatcher:
    """One dispatcher per database (the worker has one), built on first use."""
    found = _dispatchers.get(id(db))
    if found is None:
        s = _settings
        mailer = SmtpMailer(
            s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_user, s.smtp_password, s.smtp_starttls, s.smtp_timeout
        )
        providers = {"webpush": WebPushProvider(s.vapid_key_file, s.vapid_subject)}
        found = _dispatchers[id(db)] = Dispatcher(
            db, mailer, providers, s.public_url, s.delivery_max_attempts, s.delivery_retry_base, s.delivery_lease
        )
    return found


def _entrypoint(trigger: handlers.Trigger):  # type: ignore[no-untyped-def]
    def on_event(self: NotificationsWorker, body: dict[str, Any]) -> None:
        handlers.handle(self.runtime.db, trigger, body, self._publish_soon)

    on_event.__name__ = f"on_{trigger.event_type}"
    return event_handler(trigger.producer, trigger.event_type, requeue_on_error=True)(on_event)


# One entrypoint (so one durable queue, evt-<producer>-<event>--notifications.on_<event>) per trigger.
for _trigger in handlers.TRIGGERS:
    setattr(NotificationsWorker, f"on_{_trigger.event_type}", _entrypoint(_trigger))
