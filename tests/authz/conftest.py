"""The world the authorization matrix asks about, made once on the session's platform."""

from __future__ import annotations

import pytest

from .world import World, build


@pytest.fixture(scope="session")
def world(platform) -> World:  # type: ignore[no-untyped-def]
    return build(platform)
