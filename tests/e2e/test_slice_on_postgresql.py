"""The same slice with every service on its own PostgreSQL database."""

from __future__ import annotations

from ..conftest import DEMO_RESIDENT
from ..support.mobile import MobileClient


def test_submit_to_inbox_on_postgresql(platform_on_postgresql):
    mobile = MobileClient(platform_on_postgresql.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    app = mobile.submit_application(token)
    message = mobile.wait_for_message(token, f"application:{app['id']}")
    assert message["read"] is False
