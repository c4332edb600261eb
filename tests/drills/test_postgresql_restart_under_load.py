"""Drill: PostgreSQL crashes and comes back in the middle of a submit load.

The platform on PostgreSQL (tests/conftest.py) runs on a server of the test session's own
(tests/support/private_postgres.py: the machine's server is shared with other suites and cannot be
restarted), each service with its own database. Under load the server is stopped in `immediate`
mode (every backend killed, as in a crash or a failover), left down for a few seconds, and started
again (it recovers from its WAL).

Proves: requests during the outage fail clearly and fast (503, Swedish and English, never a 500 and
never a hang) and the resident's next look finds a consistent state; nothing is half-written (every
sent application has exactly one application_submitted event in its service's outbox, and exactly
one inbox message); every process reconnects by itself (the same pids, each service's page answers
again, the workers deliver the events written after the restart).
"""

from __future__ import annotations

import threading
import time

import requests
from fickanctl import SERVICES

from .load import PAGES, ApplyingResidents, page

RESIDENTS = 24
DOWN_SECONDS = 3


def test_a_postgresql_crash_under_load_fails_clearly_writes_nothing_half_and_everything_reconnects(
    platform_on_postgresql, private_postgres
):
    platform, postgres = platform_on_postgresql, private_postgres
    mobile = platform.url("mobile")
    pids = {name: proc.popen.pid for name, proc in platform.processes.items()}
    load = ApplyingResidents.logged_in(mobile, RESIDENTS, threads=4, pause=0.2)
    reader = load.residents[0].token
    reading = threading.Event()

    def read_while_applying() -> None:
        with requests.Session() as http:
            while not reading.is_set():
                for service in ("notifications", "contact", "insights"):
                    load.request(http, f"read {service}", PAGES[service][0], PAGES[service][1][3:], reader)
                time.sleep(0.1)

    reader_thread = threading.Thread(target=read_while_applying, daemon=True)
    load.start()
    reader_thread.start()
    try:
        load.wait_until_sent(RESIDENTS // 4)
        postgres.stop("immediate")
        time.sleep(DOWN_SECONDS)
        postgres.start()
        load.wait()
    finally:
        reading.set()
        reader_thread.join(10)

    # Fail clearly: the outage was met, and only ever as the platform's fast 503.
    assert any(f.clear_try_again for f in load.failures), "no request met the outage"
    assert load.unclear_failures() == []

    # Nothing half-written: one application each, sent, with its event in the same commit.
    applications = load.applications_per_resident()
    assert all(len(found) == 1 for found in applications.values()), applications
    sent = {r.application_id for r in load.residents}
    events = postgres.query(
        platform.database_urls["applications"],
        "SELECT envelope->'data'->>'application_id', count(*) FROM outbox "
        "WHERE event_type = 'application_submitted' GROUP BY 1",
    )
    assert {app_id: count for app_id, count in events if app_id in sent} == dict.fromkeys(sent, 1)
    statuses = postgres.query(platform.database_urls["applications"], "SELECT id, status FROM applications")
    assert all(status != "draft" for app_id, status in statuses if app_id in sent)
    assert load.messages_per_application(timeout=60) == dict.fromkeys(sent, 1)

    # Everything reconnected by itself: nobody was restarted, every page and worker answers again.
    assert {name: proc.popen.pid for name, proc in platform.processes.items()} == pids
    for service in SERVICES:
        assert page(mobile, service, reader)[0] in (200, 201), service
    platform.wait_ready(30)
