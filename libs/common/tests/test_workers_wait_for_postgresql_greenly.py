"""Under eventlet (a nameko worker) a statement waiting for PostgreSQL lets the worker's other green
threads run: psycopg is told to wait with the patched select()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from fickan_common.testing import POSTGRES_ADMIN_URL

SCRIPT = textwrap.dedent(
    """
    import eventlet
    eventlet.monkey_patch()
    import sys
    import psycopg
    from psycopg import waiting
    from fickan_common.worker import psycopg_cooperates_with_eventlet

    assert psycopg_cooperates_with_eventlet() is True
    assert waiting.wait is waiting.wait_select

    ticks, sleeping = [], []

    def query():
        with psycopg.connect(sys.argv[1], connect_timeout=3) as conn:
            sleeping.append(True)
            conn.execute("SELECT pg_sleep(0.5)")
            sleeping.append(False)

    def ticker():
        # Counts the turns it gets while the query waits for the server: none if the wait blocks
        # the hub (psycopg's C wait), many if it is green.
        while sleeping != [True, False]:
            if sleeping == [True]:
                ticks.append(1)
            eventlet.sleep(0.01)

    worker = eventlet.spawn(query)
    other = eventlet.spawn(ticker)
    worker.wait()
    other.wait()
    print(len(ticks))
    """
)


def test_a_worker_waits_for_postgresql_without_stopping_its_other_green_threads():
    url = os.environ.get("FICKAN_TEST_POSTGRES_URL") or POSTGRES_ADMIN_URL
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - as fresh_postgres_database: skip here, fail in CI
        if os.environ.get("CI") or os.environ.get("FICKAN_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {url} is unreachable: {exc}")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) > 5  # the other green thread ran during the wait


def test_without_eventlet_psycopg_is_left_alone():
    from psycopg import waiting

    from fickan_common.worker import psycopg_cooperates_with_eventlet

    before = waiting.wait
    assert psycopg_cooperates_with_eventlet() is False
    assert waiting.wait is before
