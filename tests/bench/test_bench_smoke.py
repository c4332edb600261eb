"""The benchmark runs: tiny parameters on the test session's platform, every request answered."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import slice_load


def test_the_benchmark_runs_on_a_running_platform_without_errors(platform):
    report = slice_load.run_benchmark(
        platform, residents=2, concurrency=2, submits_per_resident=2, reads=10, time_cap=20, log=lambda _: None
    )
    rows = report.rows()
    endpoints = {(phase, endpoint) for phase, endpoint, *_ in rows}
    assert ("submit", "POST /v1/applications/<id>/submit") in endpoints
    assert ("overview", "GET /v1/glance (watch)") in endpoints
    assert all(errors == 0 for _, _, _, errors, *_ in rows), slice_load.format_report(report)
    assert report.inbox.expected == 4 and len(report.inbox.stamped) == 4 and report.inbox.missing == 0
    assert any(name == "bff-mobile" and role == "worker" for name, _, role, _ in report.memory)
    printed = slice_load.format_report(report)
    assert "p99 ms" in printed and "peak RSS MB" in printed


def test_the_live_streams_benchmark_runs_on_a_running_platform_and_every_event_reaches_its_streams(platform):
    import argparse

    import live_streams

    args = argparse.Namespace(streams=6, residents=2, events=3, time_cap=30)
    fickan = live_streams.run_fickan(args, lambda _: None, platform)
    assert fickan["streams_open"] == 6 and fickan["events_missing"] == 0
    assert len(fickan["to_inbox"]) == 3 and len(fickan["to_stream"]) == 9  # three streams per resident
    bare = live_streams.run_bare(args, lambda _: None)
    assert bare["streams_open"] == 6 and len(bare["to_stream"]) == 9
