"""Bring this service's database to the newest schema and declare its event queues:
python -m contact.migrate

Declaring the queues at deploy time means events published before the worker first starts wait
in RabbitMQ for it instead of being dropped as unroutable.
"""

from pathlib import Path

from contact import settings as settings_module
from fickan_common.migrations import upgrade
from fickan_common.worker import declare_event_queues

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    settings = settings_module.load()
    upgrade(MIGRATIONS, settings.service.database_url)
    from contact.worker import ContactWorker

    declare_event_queues(settings.service.amqp_uri, ContactWorker)


if __name__ == "__main__":
    main()
