"""The check every service runs on itself (only its settings module reads the environment) finds
each way of reading it, and leaves the settings module and the migrations alone."""

from __future__ import annotations

from pathlib import Path

from fickan_common.testing import environment_reads, imported_modules


def test_every_way_of_reading_the_environment_is_found_outside_the_settings_module(tmp_path):
    (tmp_path / "settings.py").write_text("import os\nA = os.environ.get('A')\n", encoding="utf-8")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "env.py").write_text("import os\nos.environ['X']\n", encoding="utf-8")
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "rules.py").write_text(
        "import os\nfrom os import getenv\nfrom fickan_common.settings import env_int\n"
        "a = os.environ.get('A')\nb = os.getenv('B')\nc = env_int('C', 1)\nd = Settings.from_env()\n",
        encoding="utf-8",
    )

    found = environment_reads(tmp_path)

    assert found == [
        "domain/rules.py:2 import getenv",
        "domain/rules.py:3 import env_int",
        "domain/rules.py:4 environ",
        "domain/rules.py:5 getenv",
        "domain/rules.py:6 env_int",
        "domain/rules.py:7 from_env",
    ]


def test_the_imports_of_a_file_name_modules_and_what_is_taken_from_them(tmp_path):
    path = tmp_path / "worker.py"
    path.write_text("import json\nfrom svc import settings\nfrom svc.api import today\nfrom . import x\n")

    assert imported_modules(path) == {"json", "svc", "svc.settings", "svc.api", "svc.api.today"}


def test_the_shared_runtime_reads_the_environment_only_in_its_settings_module():
    """The grpc api's shutdown and the worker's probes come from fickan_common.settings.runtime();
    testing.py (the suites' own helpers: where the test PostgreSQL and RabbitMQ are) is no runtime."""
    import fickan_common

    package = Path(fickan_common.__file__).resolve().parent
    assert environment_reads(package, allowed=("settings.py", "testing.py")) == []
