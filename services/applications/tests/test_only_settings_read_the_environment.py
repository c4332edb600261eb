"""One typed settings object per process, read once at start: only applications.settings reads the
environment, every other module gets its values handed in, and the worker takes its settings from
the settings module, not from the api's."""

from __future__ import annotations

from pathlib import Path

import applications
from fickan_common.testing import environment_reads, imported_modules

PACKAGE = Path(applications.__file__).resolve().parent


def test_only_the_settings_module_reads_the_environment():
    assert environment_reads(PACKAGE) == []


def test_the_worker_takes_its_settings_from_the_settings_module_not_the_api():
    imported = imported_modules(PACKAGE / "worker.py")
    assert "applications.settings" in imported
    assert not {name for name in imported if name == "applications.api" or name.startswith("applications.api.")}
