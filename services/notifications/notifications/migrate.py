"""Bring this service to the newest schema and declare its event queues:
python -m notifications.migrate

Declaring the queues at deploy time means events published before the worker first starts wait
in RabbitMQ for it instead of being dropped as unroutable.
"""

from pathlib import Path

from fickan_common.migrations import upgrade
from fickan_common.worker import declare_event_queues
from notifications import settings as settings_module

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    settings = settings_module.load()
    upgrade(MIGRATIONS, settings.database_url)
    from notifications.worker import NotificationsWorker

    declare_event_queues(settings.amqp_uri, NotificationsWorker)


if __name__ == "__main__":
    main()
