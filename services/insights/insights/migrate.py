"""Bring this service's database to the newest schema: python -m insights.migrate"""

from pathlib import Path

from fickan_common.migrations import upgrade
from insights import settings as settings_module

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    upgrade(MIGRATIONS, settings_module.load().service.database_url)


if __name__ == "__main__":
    main()
