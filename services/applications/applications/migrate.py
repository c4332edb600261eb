"""Bring this service to the newest schema and declare its event queues:
python -m applications.migrate

Declaring the queues at deploy time means a case sent before the worker first starts waits in
RabbitMQ to be received instead of its event being dropped as unroutable.
"""

from pathlib import Path

from applications import settings as settings_module
from fickan_common.migrations import upgrade
from fickan_common.worker import declare_event_queues

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    settings = settings_module.load()
    upgrade(MIGRATIONS, settings.service.database_url)
    from applications.worker import ApplicationsWorker

    declare_event_queues(settings.service.amqp_uri, ApplicationsWorker)


if __name__ == "__main__":
    main()
