"""Load on the thin slice through the mobile BFF: how many requests a second, how fast, how soon the
inbox message follows a submit, and how much memory each process took.

    .venv/bin/python bench/slice_load.py [--residents 50] [--concurrency 16 [64 ...]]
                                         [--database sqlite [postgresql]] [--submits-per-resident 4]
                                         [--reads 3000] [--time-cap 60]

For each database and each concurrency: first the bare baseline (bench/baseline.py: Flask -> grpcio
under the BFFs' own gunicorn settings) loaded by the same client, then a platform of its own (own temp
folder, free ports, own RabbitMQ vhost, SQLite or one fresh PostgreSQL database per service): residents
log in with the BankID simulator, two bounded phases run on loopback (a fixed number of requests, each
phase also stopped by a time cap), the tables are printed with every figure also as a ratio to the
baseline, everything is stopped. A summary table of all runs comes last. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform as pyplatform
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from fickanctl import SERVICES, Platform  # noqa: E402

TEST_NUMBERS = ROOT / "services/identity/tests/data/skatteverket_testpersonnummer.csv"
DEMO_PEOPLE = ROOT / "services/identity/identity/demo_people.json"
ANSWERS = {
    "period": "2026-12",
    "household_adults": "1",
    "household_children": "0",
    "housing_cost": "6500",
    "income": "0",
}
NAN = float("nan")
TIMEOUT = 15.0  # per HTTP request
INBOX_WAIT = 30.0  # after the submit phase, how long pollers may still wait for the last messages


# -- measurements --------------------------------------------------------------------------------
@dataclass
class Series:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    server_errors: int = 0  # of the errors, answers 5xx
    error_samples: list[str] = field(default_factory=list)


@dataclass
class Phase:
    name: str
    series: dict[str, Series] = field(default_factory=dict)
    seconds: float = 0.0
    capped: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, endpoint: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            series = self.series.setdefault(endpoint, Series())
            if error is None:
                series.latencies.append(seconds)
            else:
                series.errors += 1
                if error.startswith("HTTP 5"):
                    series.server_errors += 1
                if len(series.error_samples) < 3:
                    series.error_samples.append(error)


@dataclass
class InboxLatency:
    # The message became visible in a window: after the last poll that missed it was sent (or the
    # submit was sent) and before the poll that found it was answered. The estimate is the middle of
    # that window minus the submit's send time; it is off by at most half the window.
    polled: list[float] = field(default_factory=list)  # seconds
    half_window: list[float] = field(default_factory=list)  # the error bound of each estimate (s)
    # The message's createdAt (stamped by the notifications worker just before its commit) minus the
    # wall-clock time the submit was sent: same host, same clock, so good to a few ms.
    stamped: list[float] = field(default_factory=list)
    committed: list[float] = field(default_factory=list)  # application submittedAt -> message createdAt
    # How far each stamp lies outside its poll window: negative before it, positive after, 0 inside.
    # Before means the commit came that much after the stamp (a wait for the database lock, say);
    # after would mean clock trouble.
    outside_by: list[float] = field(default_factory=list)
    expected: int = 0
    missing: int = 0


@dataclass
class Baseline:
    """The bare Flask -> grpcio endpoint under the same load: what every figure is divided by."""

    phase: Phase
    memory_mb: float  # peak RSS of the bare app (master and worker) and the bare grpcio server

    @property
    def rate(self) -> float:
        n = sum(len(s.latencies) + s.errors for s in self.phase.series.values())
        return n / self.phase.seconds if self.phase.seconds else NAN

    def pct(self, p: float) -> float:
        """A percentile of the baseline's latency, in ms."""
        return _pct([x for s in self.phase.series.values() for x in s.latencies], p) * 1000


@dataclass
class Report:
    params: dict[str, Any]
    phases: list[Phase]
    inbox: InboxLatency
    memory: list[tuple[str, int, str, float]]  # process, pid, role, VmHWM MB
    baseline: Baseline | None = None

    def rows(self) -> list[Row]:
        """(phase, endpoint, requests, errors, 5xx, req/s, p50 ms, p99 ms); 'all' sums a phase."""
        return [row for phase in self.phases for row in phase_rows(phase)]

    def errors(self) -> int:
        return sum(s.errors for p in self.phases for s in p.series.values())

    def server_errors(self) -> int:
        return sum(s.server_errors for p in self.phases for s in p.series.values())

    def phase_row(self, name: str) -> Row:
        return next(r for r in self.rows() if r[0] == name and r[1].startswith("all"))

    def memory_total(self) -> float:
        return sum(mb for *_, mb in self.memory if mb == mb)

    def summary(self) -> dict[str, float]:
        """The figures the issue's targets speak of, with their ratios to the baseline."""
        b = self.baseline
        base_rate, base_p50, base_p99 = (b.rate, b.pct(50), b.pct(99)) if b else (NAN, NAN, NAN)
        *_, read_rate, _read_p50, read_p99 = self.phase_row("overview")
        *_, submit_rate, _submit_p50, submit_p99 = self.phase_row("submit")
        submit_seconds = next(p.seconds for p in self.phases if p.name == "submit")
        done = len(self.phase_series("submit", "POST /v1/applications/<id>/submit").latencies)
        stamped = [v * 1000 for v in self.inbox.stamped]
        return {
            "base_rate": base_rate,
            "base_p50": base_p50,
            "base_p99": base_p99,
            "read_rate": read_rate,
            "read_rate_x": read_rate / base_rate,
            "read_p99": read_p99,
            "read_p99_x": read_p99 / base_p99,
            "submit_rate": submit_rate,
            "submit_rate_x": submit_rate / base_rate,
            "submit_p99": submit_p99,
            "applications_per_s": done / submit_seconds if submit_seconds else NAN,
            "inbox_p50": _pct(stamped, 50),
            "inbox_p99": _pct(stamped, 99),
            "inbox_missing": float(self.inbox.missing),
            "errors": float(self.errors()),
            "server_errors": float(self.server_errors()),
            "rss_mb": self.memory_total(),
            "base_rss_mb": b.memory_mb if b else NAN,
        }

    def phase_series(self, phase: str, endpoint: str) -> Series:
        for p in self.phases:
            if p.name == phase:
                return p.series.get(endpoint, Series())
        return Series()


Row = tuple[str, str, int, int, int, float, float, float]


def phase_rows(phase: Phase) -> list[Row]:
    """One row per endpoint of the phase, then 'all' summing them."""
    out = []
    total = Series()
    for endpoint, series in sorted(phase.series.items()):
        out.append(_row(phase, endpoint, series))
        total.latencies += series.latencies
        total.errors += series.errors
        total.server_errors += series.server_errors
    out.append(_row(phase, "all" + (" (time cap hit)" if phase.capped else ""), total))
    return out


def _row(phase: Phase, endpoint: str, series: Series) -> Row:
    n = len(series.latencies) + series.errors
    rate = n / phase.seconds if phase.seconds else 0.0
    return (
        phase.name,
        endpoint,
        n,
        series.errors,
        series.server_errors,
        rate,
        _pct(series.latencies, 50) * 1000,
        _pct(series.latencies, 99) * 1000,
    )


def _pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


# -- the HTTP side -------------------------------------------------------------------------------
class Resident:
    """A logged-in resident: an opaque label (never the personnummer) and an access token."""

    def __init__(self, label: str, token: str) -> None:
        self.label = label
        self.token = token
        self.pending: dict[str, tuple[float, float]] = {}  # application id -> submit sent (monotonic, wall)
        self.last_miss: dict[str, float] = {}  # application id -> when the last poll missing it began
        self.submitted_at: dict[str, str] = {}  # application id -> submittedAt from the submit answer
        self.lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _timed(
    phase: Phase,
    endpoint: str,
    http: requests.Session,
    method: str,
    url: str,
    expect: int,
    **kwargs: Any,
) -> requests.Response | None:
    started = time.perf_counter()
    try:
        answer = http.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        phase.record(endpoint, time.perf_counter() - started, f"{type(exc).__name__}")
        return None
    elapsed = time.perf_counter() - started
    if answer.status_code != expect:
        phase.record(endpoint, elapsed, f"HTTP {answer.status_code}: {answer.text[:160]}")
        return None
    phase.record(endpoint, elapsed)
    return answer


def pick_personal_numbers(count: int, seed: int | None = None) -> list[str]:
    """Skatteverket test personnummer, not the demo people (tests log those in), chosen at random so
    two runs against one platform hardly ever share a person (the simulator refuses a second
    concurrent login of one person)."""
    import json

    demo = {p["personal_number"] for p in json.loads(DEMO_PEOPLE.read_text())["people"]}
    with TEST_NUMBERS.open(newline="") as f:
        numbers = [row["testpersonnummer"] for row in csv.DictReader(f) if row["testpersonnummer"] not in demo]
    return random.Random(seed).sample(numbers, count)


def login_all(
    mobile: str, numbers: list[str], concurrency: int, phase: Phase, deadline: float
) -> tuple[list[Resident], list[str]]:
    """Log every person in through the mobile BFF (start + collect until complete)."""
    work: queue.Queue[tuple[int, str]] = queue.Queue()
    for item in enumerate(numbers):
        work.put(item)
    residents: list[Resident] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one(http: requests.Session, index: int, number: str) -> None:
        label = f"resident-{index:03d}"
        started = _timed(
            phase,
            "POST /v1/auth/bankid",
            http,
            "POST",
            f"{mobile}/v1/auth/bankid",
            200,
            json={"personalNumber": number},
        )
        if started is None:
            with lock:
                failures.append(f"{label}: start failed")
            return
        order_ref, collect_secret = started.json()["orderRef"], started.json()["collectSecret"]
        while time.monotonic() < deadline:
            answer = _timed(
                phase,
                "POST /v1/auth/collect",
                http,
                "POST",
                f"{mobile}/v1/auth/collect",
                200,
                json={"orderRef": order_ref, "collectSecret": collect_secret},
            )
            if answer is None:
                break
            body = answer.json()
            if body["status"] == "complete":
                with lock:
                    residents.append(Resident(label, body["accessToken"]))
                return
            if body["status"] != "pending":
                with lock:
                    failures.append(f"{label}: login {body['status']} ({body.get('hintCode')})")
                return
            time.sleep(0.05)
        with lock:
            failures.append(f"{label}: login did not complete")

    def worker() -> None:
        with requests.Session() as http:
            while time.monotonic() < deadline:
                try:
                    index, number = work.get_nowait()
                except queue.Empty:
                    return
                one(http, index, number)

    _run_threads(worker, concurrency, phase)
    residents.sort(key=lambda r: r.label)
    return residents, failures


def _run_threads(target: Callable[[], None], count: int, phase: Phase) -> None:
    threads = [threading.Thread(target=target, name=f"{phase.name}-{i}", daemon=True) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started


def submit_phase(
    mobile: str,
    residents: list[Resident],
    concurrency: int,
    submits_per_resident: int,
    time_cap: float,
) -> tuple[Phase, Phase, InboxLatency]:
    """Submitters create, save and submit applications; pollers watch the inbox of every resident
    with a submit still waiting for its message. Returns the submit phase, the pollers' own
    requests (a separate phase, so their load is visible but not mixed in) and the latencies."""
    phase = Phase("submit")
    polls = Phase("inbox-poll")
    latency = InboxLatency()
    deadline = time.monotonic() + time_cap
    work: queue.Queue[Resident] = queue.Queue()
    for _round in range(submits_per_resident):
        for resident in residents:
            work.put(resident)
    lock = threading.Lock()
    submitters_done = threading.Event()

    def submit_one(http: requests.Session, resident: Resident) -> None:
        headers = resident.headers()
        base = f"{mobile}/v1/applications"
        draft = _timed(
            phase,
            "POST /v1/applications",
            http,
            "POST",
            base,
            201,
            headers=headers,
            json={"kind": "ekonomiskt_bistand"},
        )
        if draft is None:
            return
        app = draft.json()
        saved = _timed(
            phase,
            "PUT /v1/applications/<id>/answers",
            http,
            "PUT",
            f"{base}/{app['id']}/answers",
            200,
            headers=headers,
            json={"answers": ANSWERS, "version": app["version"]},
        )
        if saved is None:
            return
        with resident.lock:
            resident.pending[app["id"]] = (time.monotonic(), time.time())  # the submit is sent now
        with lock:
            latency.expected += 1
        done = _timed(
            phase,
            "POST /v1/applications/<id>/submit",
            http,
            "POST",
            f"{base}/{app['id']}/submit",
            200,
            headers=headers,
            json={"version": saved.json()["version"]},
        )
        with resident.lock:
            if done is None:
                resident.pending.pop(app["id"], None)
                with lock:
                    latency.expected -= 1
            else:
                resident.submitted_at[app["id"]] = done.json().get("submittedAt") or ""

    def submitter() -> None:
        with requests.Session() as http:
            while time.monotonic() < deadline:
                try:
                    resident = work.get_nowait()
                except queue.Empty:
                    return
                submit_one(http, resident)
        phase.capped = phase.capped or not work.empty()

    # Pollers: resident i belongs to poller i % pollers. A poller loops over its residents that have
    # a submit waiting and asks for the inbox once each, so one resident is asked again as soon as
    # the poller has gone round its few others (tens of ms); idle, it sleeps 10 ms.
    pollers = max(2, concurrency // 4)
    give_up: list[float] = []  # set when the submitters are done: pollers wait INBOX_WAIT more at most

    def poller(index: int) -> None:
        mine = residents[index::pollers]
        with requests.Session() as http:
            while True:
                waiting = [r for r in mine if r.pending]
                if not waiting:
                    if submitters_done.is_set():
                        return
                    time.sleep(0.01)
                    continue
                if submitters_done.is_set() and time.monotonic() > give_up[0]:
                    return
                for resident in waiting:
                    asked = time.monotonic()
                    answer = _timed(
                        polls,
                        "GET /v1/inbox",
                        http,
                        "GET",
                        f"{mobile}/v1/inbox",
                        200,
                        headers=resident.headers(),
                        params={"limit": 100},
                    )
                    if answer is None:
                        continue
                    answered = time.monotonic()
                    seen = {m["reference"]: m for m in answer.json()["messages"]}
                    with resident.lock:
                        for app_id, (sent, sent_wall) in list(resident.pending.items()):
                            message = seen.get(f"application:{app_id}")
                            if message is None:
                                resident.last_miss[app_id] = asked
                                continue
                            del resident.pending[app_id]
                            window_start = max(sent, resident.last_miss.pop(app_id, sent))
                            created = _epoch(message.get("createdAt"))
                            submitted = _epoch(resident.submitted_at.get(app_id))
                            with lock:
                                half = (answered - window_start) / 2
                                latency.polled.append(window_start + half - sent)
                                latency.half_window.append(half)
                                if created is not None:
                                    stamped = created - sent_wall
                                    latency.stamped.append(stamped)
                                    # 5 ms slack: the stamp precedes the commit by a few ms
                                    early = (window_start - sent) - stamped
                                    late = stamped - (answered - sent)
                                    latency.outside_by.append(-early if early > 0 else max(late, 0.0))
                                    if submitted is not None:
                                        latency.committed.append(created - submitted)

    poll_threads = [threading.Thread(target=poller, args=(i,), daemon=True) for i in range(pollers)]
    for thread in poll_threads:
        thread.start()
    polls_started = time.perf_counter()
    _run_threads(submitter, concurrency, phase)
    give_up.append(time.monotonic() + INBOX_WAIT)
    submitters_done.set()
    for thread in poll_threads:
        thread.join()
    polls.seconds = time.perf_counter() - polls_started
    latency.missing = sum(len(r.pending) for r in residents)
    return phase, polls, latency


def _epoch(stamp: str | None) -> float | None:
    """Seconds since the epoch of an ISO 8601 time with zone, as the BFF answers them."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def overview_phase(mobile: str, watch: str, residents: list[Resident], concurrency: int, reads: int, time_cap: float):
    """A fixed number of reads, spread evenly over three endpoints, each for a random resident."""
    endpoints = (
        ("GET /v1/applications (mobile)", f"{mobile}/v1/applications"),
        ("GET /v1/inbox (mobile)", f"{mobile}/v1/inbox"),
        ("GET /v1/glance (watch)", f"{watch}/v1/glance"),
    )
    return read_load("overview", endpoints, lambda rng: rng.choice(residents).headers(), concurrency, reads, time_cap)


def baseline_phase(url: str, concurrency: int, reads: int, time_cap: float) -> Phase:
    """The same client and the same number of requests against the bare endpoint."""
    return read_load("baseline", (("GET /ping (bare)", f"{url}/ping"),), lambda _rng: {}, concurrency, reads, time_cap)


def measure_baseline(concurrency: int, reads: int, time_cap: float) -> Baseline:
    """Starts the bare endpoint, loads it, reads its peak memory, stops it."""
    from baseline import BareEndpoint

    with BareEndpoint() as bare:
        baseline_phase(bare.url, concurrency, min(reads, 200), time_cap)  # warm-up, as the platform's logins are
        phase = baseline_phase(bare.url, concurrency, reads, time_cap)
        memory = sum(_vm_hwm_mb(pid) for top in bare.pids() for pid in [top, *_children(top)])
    return Baseline(phase, memory)


def read_load(
    name: str,
    endpoints: tuple[tuple[str, str], ...],
    headers: Callable[[random.Random], dict[str, str]],
    concurrency: int,
    reads: int,
    time_cap: float,
) -> Phase:
    """`concurrency` threads share `reads` GET requests, in turn over `endpoints`."""
    phase = Phase(name)
    deadline = time.monotonic() + time_cap
    counter = itertools.count()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as http:
            while True:
                n = next(counter)  # itertools.count is safe to share: next() holds the GIL
                if n >= reads:
                    return
                if time.monotonic() > deadline:
                    phase.capped = True
                    return
                endpoint, url = endpoints[n % len(endpoints)]
                _timed(phase, endpoint, http, "GET", url, 200, headers=headers(rng))

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


# -- memory --------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found: list[int] = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(x) for x in path.read_text().split()]
        except OSError:
            pass
    return found


def _vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return float("nan")


def peak_memory(platform: Platform) -> list[tuple[str, int, str, float]]:
    """VmHWM (peak resident set) of every process the platform started and of their children
    (gunicorn's workers), read from /proc now."""
    out = []
    for name, proc in platform.processes.items():
        if proc.popen is None:
            continue
        pid = proc.popen.pid
        kids = _children(pid)
        out.append((name, pid, "master" if kids else "main", _vm_hwm_mb(pid)))
        todo = list(kids)
        while todo:
            child = todo.pop(0)
            out.append((name, child, "worker", _vm_hwm_mb(child)))
            todo += _children(child)
    return out


# -- running -------------------------------------------------------------------------------------
def run_benchmark(
    platform: Platform,
    residents: int = 50,
    concurrency: int = 16,
    submits_per_resident: int = 4,
    reads: int = 3000,
    time_cap: float = 60.0,
    seed: int | None = None,
    log: Callable[[str], None] = print,
    baseline: Baseline | None = None,
) -> Report:
    """The measured part, on a platform that is already running; `baseline` (measure_baseline with
    the same concurrency and reads) is what the report divides by."""
    mobile, watch = platform.url("mobile"), platform.url("watch")
    params = {
        "residents": residents,
        "concurrency": concurrency,
        "submits_per_resident": submits_per_resident,
        "reads": reads,
        "time_cap_s": time_cap,
        "database": "PostgreSQL" if platform.database_urls else "SQLite",
    }
    login = Phase("login")
    log(f"logging in {residents} residents ...")
    logged_in, failures = login_all(
        mobile, pick_personal_numbers(residents, seed), concurrency, login, time.monotonic() + time_cap
    )
    for failure in failures[:5]:
        log(f"  login failure: {failure}")
    if not logged_in:
        raise RuntimeError("no resident could log in")
    log(f"submit phase: {len(logged_in) * submits_per_resident} applications from {concurrency} threads ...")
    submit, polls, inbox = submit_phase(mobile, logged_in, concurrency, submits_per_resident, time_cap)
    log(f"overview phase: {reads} reads from {concurrency} threads ...")
    overview = overview_phase(mobile, watch, logged_in, concurrency, reads, time_cap)
    return Report(params, [login, submit, polls, overview], inbox, peak_memory(platform), baseline)


def format_report(report: Report) -> str:
    lines = []
    lines.append("machine: " + ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    lines.append("parameters: " + ", ".join(f"{k}={v}" for k, v in report.params.items()))
    lines.append("")
    b = report.baseline
    base_rate, base_p50, base_p99 = (b.rate, b.pct(50), b.pct(99)) if b else (NAN, NAN, NAN)
    if b:
        lines.append(
            f"baseline (bare Flask -> grpcio, same gunicorn settings, same client): {base_rate:.1f} req/s, "
            f"p50 {base_p50:.1f} ms, p99 {base_p99:.1f} ms, peak RSS {b.memory_mb:.0f} MB; "
            "x = this figure / the baseline's"
        )
    header = ("phase", "endpoint", "requests", "errors", "5xx", "req/s", "x", "p50 ms", "x", "p99 ms", "x")
    rows = (phase_rows(b.phase) if b else []) + report.rows()
    body = [
        (p, e, str(n), str(err), str(sx), f"{r:.1f}", _x(r, base_rate), _ms(p50), _x(p50, base_p50), _ms(p99),
         _x(p99, base_p99))
        for p, e, n, err, sx, r, p50, p99 in rows
    ]  # fmt: skip
    lines += _table(header, body, right=(2, 3, 4, 5, 6, 7, 8, 9, 10))
    inbox = report.inbox
    lines.append("")
    lines.append(
        f"submit-to-inbox: submit sent -> message in GET /v1/inbox; "
        f"{len(inbox.polled)} of {inbox.expected} seen, {inbox.missing} missing"
    )
    spans = [
        ("by createdAt stamp (same clock, ~ms)", inbox.stamped),
        ("by polling (midpoint of poll window)", inbox.polled),
        ("  ± half poll window", inbox.half_window),
        ("submit committed -> message stamped", inbox.committed),
    ]
    lines += _table(
        ("submit-to-inbox", "n", "p50 ms", "x", "p99 ms", "x", "max ms"),
        [
            (
                name,
                str(len(v)),
                _ms(_pct(v, 50) * 1000),
                _x(_pct(v, 50) * 1000, base_p50),
                _ms(_pct(v, 99) * 1000),
                _x(_pct(v, 99) * 1000, base_p99),
                _ms(max(v, default=NAN) * 1000),
            )
            for name, v in spans
        ],
        right=(1, 2, 3, 4, 5, 6),
    )
    for side, values in (
        ("before", [-v for v in inbox.outside_by if v < 0]),
        ("after", [v for v in inbox.outside_by if v > 0]),
    ):
        if values:
            lines.append(
                f"{len(values)} createdAt stamps lie {side} their poll window, by p50 "
                f"{_pct(values, 50) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
            )
    samples = [(p.name, e, s) for p in report.phases for e, ser in p.series.items() for s in ser.error_samples]
    for phase_name, endpoint, sample in samples[:6]:
        lines.append(f"error sample: {phase_name} {endpoint}: {sample}")
    lines.append("")
    mem_body = [(name, str(pid), role, f"{mb:.1f}") for name, pid, role, mb in report.memory]
    lines += _table(("process", "pid", "role", "peak RSS MB"), mem_body, right=(1, 3))
    total = report.memory_total()
    lines.append(
        f"sum of peak RSS: {total:.0f} MB (x {total / b.memory_mb:.1f} the bare endpoint's {b.memory_mb:.0f} MB; "
        if b
        else f"sum of peak RSS: {total:.0f} MB ("
    )
    lines[-1] += "peaks need not coincide; shared pages count in each)"
    return "\n".join(lines)


SUMMARY_HEADER = (
    "database",
    "threads",
    "baseline req/s, p99 ms",
    "overview req/s (x)",
    "overview p99 ms (x)",
    "submit path req/s (x)",
    "applications/s",
    "submit -> inbox p50 / p99 ms",
    "errors (5xx)",
    "peak RSS MB",
)


def summary_row(report: Report) -> tuple[str, ...]:
    f = report.summary()
    lost = f", {f['inbox_missing']:.0f} lost" if f["inbox_missing"] else ""
    return (
        report.params["database"],
        str(report.params["concurrency"]),
        f"{f['base_rate']:.0f}, {f['base_p99']:.0f}",
        f"{f['read_rate']:.0f} ({f['read_rate_x']:.2f})",
        f"{f['read_p99']:.0f} ({f['read_p99_x']:.1f})",
        f"{f['submit_rate']:.0f} ({f['submit_rate_x']:.2f})",
        f"{f['applications_per_s']:.1f}",
        f"{f['inbox_p50']:.0f} / {f['inbox_p99']:.0f}{lost}",
        f"{f['errors']:.0f} ({f['server_errors']:.0f})",
        f"{f['rss_mb']:.0f}",
    )  # fmt: skip


def format_summary(reports: list[Report]) -> str:
    """One Markdown row per run: the figures of the issue's targets and their ratios (x) to that
    run's own baseline."""
    lines = ["| " + " | ".join(SUMMARY_HEADER) + " |", "|" + "---|" * len(SUMMARY_HEADER)]
    lines += ["| " + " | ".join(summary_row(r)) + " |" for r in reports]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"


def _x(value: float, base: float) -> str:
    """A ratio to the baseline, or "-" where either is missing."""
    if value != value or base != base or not base:
        return "-"
    return f"{value / base:.2f}"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def machine_facts() -> dict[str, str]:
    facts = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "python": pyplatform.python_version(),
        "kernel": pyplatform.release(),
    }
    try:
        facts["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return pyplatform.machine()


@contextmanager
def own_platform(postgres: bool) -> Iterator[Platform]:
    """A platform of the benchmark's own: temp folder, free ports, own vhost, own databases.
    Everything is stopped and removed on the way out, also on Ctrl-C and errors."""
    from fickan_common.testing import fresh_postgres_database, fresh_rabbitmq_vhost

    with ExitStack() as stack:
        var = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fickan-bench-")))
        amqp_uri = stack.enter_context(fresh_rabbitmq_vhost())
        urls = {}
        if postgres:
            urls = {service: stack.enter_context(fresh_postgres_database()) for service in SERVICES}
        # Every simulated resident logs in from 127.0.0.1: lift the login rate limits for the load.
        limits = {
            "FICKAN_LOGIN_LIMIT_PER_PERSON": "0",
            "FICKAN_LOGIN_LIMIT_PER_IP": "0",
            "FICKAN_LOGIN_LIMIT_PER_CLIENT": "0",
            "FICKAN_LOGIN_LIMIT_ORDERS_PER_MINUTE": "0",
            "FICKAN_BANKID_COLLECT_INTERVAL": "0.2",
        }
        # A/B runs: FICKAN_BENCH_EXTRA_ENV="NAME=value,NAME=value" sets more of the platform's settings.
        for pair in filter(None, os.environ.get("FICKAN_BENCH_EXTRA_ENV", "").split(",")):
            name, _, value = pair.partition("=")
            limits[name.strip()] = value.strip()
        platform = Platform.on_free_ports(var, amqp_uri=amqp_uri, database_urls=urls, extra_env=limits)
        try:
            platform.migrate()
            platform.load_demo_data()
            platform.start()
            yield platform
        except RuntimeError:
            for log in sorted((var / "log").glob("*.log")):
                print(f"--- {log.name}\n{log.read_text()[-2000:]}", file=sys.stderr)
            raise
        finally:
            platform.stop()


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """`--database sqlite|postgresql` (several: one run each); `--postgres` is the older spelling."""
    parser.add_argument(
        "--database",
        nargs="+",
        choices=("sqlite", "postgresql"),
        default=None,
        help="sqlite (files, the default) and/or postgresql (one fresh database per service)",
    )
    parser.add_argument("--postgres", action="store_true", help=argparse.SUPPRESS)


def databases_of(args: argparse.Namespace) -> list[str]:
    return args.database or (["postgresql"] if args.postgres else ["sqlite"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=50, help="residents logged in (default 50)")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[16], help="client threads per phase; several: one run each"
    )
    add_database_option(parser)
    parser.add_argument("--submits-per-resident", type=int, default=4, help="applications each submits (default 4)")
    parser.add_argument("--reads", type=int, default=3000, help="requests in the overview phase (default 3000)")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds a phase may last at most (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="seed for choosing the test persons")
    args = parser.parse_args(argv)
    for name in ("residents", "reads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if min(args.concurrency) < 1:
        parser.error("--concurrency must be at least 1")
    if args.submits_per_resident < 0:
        parser.error("--submits-per-resident must not be negative")

    started = time.monotonic()
    reports: list[Report] = []
    try:
        for database in databases_of(args):
            for concurrency in args.concurrency:
                print(f"baseline: bare Flask -> grpcio, {concurrency} threads ...", flush=True)
                baseline = measure_baseline(concurrency, args.reads, args.time_cap)
                print(f"starting the platform ({database}) ...", flush=True)
                with own_platform(database == "postgresql") as platform:
                    report = run_benchmark(
                        platform,
                        residents=args.residents,
                        concurrency=concurrency,
                        submits_per_resident=args.submits_per_resident,
                        reads=args.reads,
                        time_cap=args.time_cap,
                        seed=args.seed,
                        log=lambda text: print(text, flush=True),
                        baseline=baseline,
                    )
                reports.append(report)
                print()
                print(format_report(report))
                print(flush=True)
    except KeyboardInterrupt:
        print("interrupted; the platform was stopped", file=sys.stderr)
        return 130
    except BaseException as exc:
        # fresh_postgres_database skips (a pytest outcome, not an Exception) when PostgreSQL is unreachable
        if type(exc).__name__ in ("Skipped", "Failed"):
            print(f"cannot run: {exc}", file=sys.stderr)
            return 2
        raise
    print("summary (x = ratio to the same run's bare baseline):")
    print(format_summary(reports))
    print(f"\nwhole run {time.monotonic() - started:.0f} s")
    return 1 if any(r.errors() for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
