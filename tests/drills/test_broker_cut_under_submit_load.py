"""Drill: the RabbitMQ connection of every process is cut in the middle of a submit load.

On a shared machine the drill cannot stop the machine's RabbitMQ (other platforms use it), so it
cuts what a broker restart does to the platform: every process's broker connection is reset at once
(TCP RST, as from a broker that dies) and new connections are refused for a few seconds, then
allowed again. The platform reaches the broker only through that proxy (tests/conftest.py).

Proves: submits never depend on the broker; 0 applications lost; every application's inbox message
arrives exactly once; and no process had to be restarted: each one reconnected by itself.
"""

from __future__ import annotations

import time

from .load import ApplyingResidents

RESIDENTS = 24
CUT_SECONDS = 6


def test_a_broker_outage_in_a_submit_load_loses_and_doubles_nothing(platform, broker_proxy):
    pids = {name: proc.popen.pid for name, proc in platform.processes.items()}
    load = ApplyingResidents.logged_in(platform.url("mobile"), RESIDENTS, threads=4, pause=0.1)
    load.start()
    load.wait_until_sent(RESIDENTS // 4)
    broker_proxy.cut(reset=True)
    try:
        time.sleep(CUT_SECONDS)
        sent_during_outage = load.sent_count
    finally:
        broker_proxy.restore()
    load.wait()

    assert sent_during_outage > RESIDENTS // 4, "no submit went through while the broker was away"
    assert load.unclear_failures() == []
    applications = load.applications_per_resident()
    assert all(len(found) == 1 for found in applications.values()), applications  # none lost, none doubled
    messages = load.messages_per_application(timeout=60)
    assert messages == {r.application_id: 1 for r in load.residents}

    # Every process lived through it: the same pids, nothing restarted by the supervisor.
    assert {name: proc.popen.pid for name, proc in platform.processes.items()} == pids
    platform.wait_ready(30)  # and all consume and answer again
