"""One typed settings object, read once when the app is made: only bff_web.settings reads the
environment (fickan_bff's own check is in libs/bff); every other module gets its values handed in."""

from __future__ import annotations

from pathlib import Path

import bff_web
from fickan_common.testing import environment_reads


def test_only_the_settings_modules_read_the_environment():
    assert environment_reads(Path(bff_web.__file__).resolve().parent) == []
