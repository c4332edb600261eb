"""What every BFF shares reads the environment only in fickan_bff.settings (the BFFs' own settings
modules add theirs); testing.py is the suites' helper, no runtime."""

from __future__ import annotations

from pathlib import Path

import fickan_bff
from fickan_common.testing import environment_reads


def test_only_the_settings_module_reads_the_environment():
    package = Path(fickan_bff.__file__).resolve().parent
    assert environment_reads(package, allowed=("settings.py", "testing.py")) == []
