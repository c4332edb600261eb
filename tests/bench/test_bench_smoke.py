"""The benchmark runs: tiny parameters on the test session's platform, every request answered."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import slice_load


def test_the_benchmark_runs_on_a_running_platform_without_errors_beside_its_baseline(platform):
    baseline = slice_load.measure_baseline(concurrency=2, reads=20, time_cap=20)
    assert baseline.phase.series["GET /ping (bare)"].errors == 0 and baseline.rate > 0 and baseline.memory_mb > 0
    report = slice_load.run_benchmark(
        platform,
        residents=2,
        concurrency=2,
        submits_per_resident=2,
        reads=10,
        time_cap=20,
        log=lambda _: None,
        baseline=baseline,
    )
    rows = report.rows()
    endpoints = {(phase, endpoint) for phase, endpoint, *_ in rows}
    assert ("submit", "POST /v1/applications/<id>/submit") in endpoints
    assert ("overview", "GET /v1/glance (watch)") in endpoints
    assert all(errors == 0 for _, _, _, errors, *_ in rows), slice_load.format_report(report)
    assert report.inbox.expected == 4 and len(report.inbox.stamped) == 4 and report.inbox.missing == 0
    assert any(name == "bff-mobile" and role == "worker" for name, _, role, _ in report.memory)
    printed = slice_load.format_report(report)
    assert "p99 ms" in printed and "peak RSS MB" in printed and "baseline (bare Flask -> grpcio" in printed
    figures = report.summary()
    assert figures["read_rate_x"] > 0 and figures["submit_rate_x"] > 0 and figures["server_errors"] == 0
    assert "| SQLite | 2 |" in slice_load.format_summary([report])


def test_the_case_benchmark_runs_on_a_platform_of_its_own_without_errors():
    import case_load

    assert case_load.main(["--residents", "1", "--per-resident", "2", "--concurrency", "2", "--open-cases", "30",
                           "--rounds", "3"]) == 0  # fmt: skip


def test_the_surge_runs_the_whole_month_on_a_running_platform_and_every_case_is_decided_paid_and_told(platform):
    import surge

    baseline = slice_load.measure_baseline(concurrency=2, reads=20, time_cap=20)
    result = surge.run_surge(
        platform, residents=3, concurrency=2, case_workers=1, co_applicant_share=0.34, time_cap=120,
        baseline=baseline, log=lambda _: None,
    )  # fmt: skip
    printed = surge.format_surge(result, inhabitants=150_000)
    assert not surge.failed(result), printed
    assert result["partners"] == 1 and all(h.done for h in result["households"])
    steps = result["surge"].steps.series
    assert len(steps["co-applicant signs"].latencies) == 1
    assert len(steps["plan payment"].latencies) == 3 and len(steps["decision -> inbox message"].latencies) == 3
    assert "cases an hour" in printed and "x the busy hour" in printed


def test_the_live_streams_benchmark_runs_on_a_running_platform_and_every_event_reaches_its_streams(platform):
    import argparse

    import live_streams

    args = argparse.Namespace(streams=6, residents=2, events=3, time_cap=30)
    fickan = live_streams.run_fickan(args, lambda _: None, platform)
    assert fickan["streams_open"] == 6 and fickan["events_missing"] == 0
    assert len(fickan["to_inbox"]) == 3 and len(fickan["to_stream"]) == 9  # three streams per resident
    bare = live_streams.run_bare(args, lambda _: None)
    assert bare["streams_open"] == 6 and len(bare["to_stream"]) == 9
