"""Load the demo people into identity's database (idempotent): python -m identity.demo"""

from __future__ import annotations

import json
from pathlib import Path

from fickan_common.db import Database
from identity import settings as settings_module
from identity.keys import SigningKeys
from identity.service import Identity

DEMO_FILE = Path(__file__).resolve().parent / "demo_people.json"


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.service.database_url)
    identity = Identity(db, SigningKeys(settings.keys_dir, settings.generate_keys), None)
    for person in json.loads(DEMO_FILE.read_text())["people"]:
        identity.users.ensure(
            person["personal_number"],
            person["name"],
            person["roles"],
            person.get("unit", ""),
            person.get("answer_group", ""),
        )
    db.dispose()


if __name__ == "__main__":
    main()
