"""Benchmark of the case work: how soon a sent application has its decision proposal, and how the
case workers' queue holds up with 10 000 open cases.

    .venv/bin/python bench/case_load.py                          # SQLite
    .venv/bin/python bench/case_load.py --database postgresql    # one PostgreSQL database per service

First the bare baseline (bench/baseline.py: Flask -> grpcio under the BFFs' gunicorn settings), loaded
by the same kind of client with the submitters' concurrency and one at a time as the queue is read;
every figure below is also printed as a ratio (x) to it. Then a platform of its own (as
bench/slice_load.py does: temp folder, free ports, own RabbitMQ vhost and databases) and three tables:

1. submit -> proposal: residents send applications through the mobile BFF; the applications worker
   receives each over RabbitMQ and makes its proposal. The latency is the service's own figure
   (proposal made_at - submitted_at, one clock), read back with a case worker's token.
2. the queue: 10 000 open cases are written straight into the applications database (as many
   municipalities' worth of backlog), then the case worker's queue (the 200 nearest the 24-hour
   target) is read over gRPC and through the web BFF's desk page.
3. opening a case from that queue (GetCase, which also writes the access record).

Nothing asserts on timing; the exit code is 1 only when requests failed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from slice_load import (  # noqa: E402
    ANSWERS,
    TIMEOUT,
    _pct,
    _table,
    _x,
    add_database_option,
    databases_of,
    machine_facts,
    measure_baseline,
    own_platform,
    pick_personal_numbers,
)

UNIT = "ekonomiskt-bistand"


def login(mobile: str, personal_number: str) -> str:
    http = requests.Session()
    started = http.post(f"{mobile}/v1/auth/bankid", json={"personalNumber": personal_number}, timeout=TIMEOUT).json()
    for _ in range(200):
        answer = http.post(
            f"{mobile}/v1/auth/collect",
            json={"orderRef": started["orderRef"], "collectSecret": started["collectSecret"]},
            timeout=TIMEOUT,
        ).json()
        if answer["status"] == "complete":
            return answer["accessToken"]
        time.sleep(0.05)
    raise RuntimeError("login did not complete")


def submit(mobile: str, token: str) -> str:
    http, headers = requests.Session(), {"Authorization": f"Bearer {token}"}
    draft = http.post(
        f"{mobile}/v1/applications", json={"kind": "ekonomiskt_bistand"}, headers=headers, timeout=TIMEOUT
    )
    draft.raise_for_status()
    app = draft.json()
    saved = http.put(
        f"{mobile}/v1/applications/{app['id']}/answers",
        json={"answers": ANSWERS, "version": app["version"]},
        headers=headers,
        timeout=TIMEOUT,
    )
    saved.raise_for_status()
    done = http.post(
        f"{mobile}/v1/applications/{app['id']}/submit",
        json={"version": saved.json()["version"]},
        headers=headers,
        timeout=TIMEOUT,
    )
    done.raise_for_status()
    return app["id"]


def web_login(web: str, personal_number: str) -> requests.Session:
    """A browser session without JavaScript, logged in with the BankID simulator."""
    import re

    browser = requests.Session()
    form = browser.get(f"{web}/logga-in", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    browser.post(f"{web}/logga-in", data={"personal_number": personal_number, "csrf_token": csrf}, timeout=TIMEOUT)
    for _ in range(100):
        page = browser.get(f"{web}/logga-in/vantar", timeout=TIMEOUT, allow_redirects=False)
        if page.status_code == 302 and page.headers["Location"].endswith("/mina-sidor"):
            return browser
        time.sleep(0.1)
    raise RuntimeError("web login did not complete")


def staff_token(platform) -> str:  # type: ignore[no-untyped-def]
    from identity.keys import SigningKeys

    keys = SigningKeys(platform.var / "keys" / "identity", generate=False)
    return keys.sign(
        str(uuid.uuid4()), 3600, roles=["resident", "case_worker"], unit=UNIT, name="Bench Handläggare", device="web"
    )


def proposal_phase(platform, residents: int, per_resident: int, concurrency: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    """Applications sent in parallel; each one's proposal latency as the service recorded it."""
    import grpc

    from fickan.applications.v1 import applications_pb2 as pb
    from fickan.applications.v1 import applications_pb2_grpc

    mobile = platform.url("mobile")
    tokens = [login(mobile, pnr) for pnr in pick_personal_numbers(residents)]
    work = [t for t in tokens for _ in range(per_resident)]
    sent: list[str] = []
    errors = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                if not work:
                    return
                token = work.pop()
            try:
                application_id = submit(mobile, token)
            except requests.RequestException:
                with lock:
                    errors += 1
                continue
            with lock:
                sent.append(application_id)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stub = applications_pb2_grpc.ApplicationsServiceStub(grpc.insecure_channel(platform.target("applications")))
    metadata = [("authorization", f"Bearer {staff_token(platform)}")]
    latencies: list[float] = []
    deadline = time.monotonic() + 60
    for application_id in sent:
        while time.monotonic() < deadline:
            case = stub.GetCase(pb.GetCaseRequest(application_id=application_id), metadata=metadata, timeout=10)
            if case.proposal.recommendation:
                latencies.append(float(case.proposal.latency_ms))
                break
            time.sleep(0.1)
        else:
            errors += 1
    return latencies, errors


def fill_queue(platform, count: int) -> float:  # type: ignore[no-untyped-def]
    """`count` open cases of the unit, written straight into the applications database."""
    from applications.store import Application
    from fickan_common.db import Database

    db = Database(platform.database_url("applications"))
    now = datetime.now(UTC)
    rng = random.Random(7)
    statuses = ("received", "in_progress", "completion_requested", "completion_submitted")
    started = time.perf_counter()
    for chunk in range(0, count, 1000):
        with db.transaction() as session:
            for _ in range(min(1000, count - chunk)):
                submitted = now - timedelta(minutes=rng.randint(0, 48 * 60))
                session.add(
                    Application(
                        id=str(uuid.uuid4()),
                        kind="eb_lopande",
                        form_version=1,
                        applicant_id=str(uuid.uuid4()),
                        unit=UNIT,
                        status=rng.choice(statuses),
                        answers={"period": "2026-12", "nagot_andrat": "nej", "hyra": "6500"},
                        version=3,
                        created_at=submitted,
                        updated_at=submitted,
                        submitted_at=submitted,
                        period="2026-12",
                        due_at=submitted + timedelta(hours=24),
                    )
                )
    db.dispose()
    return time.perf_counter() - started


def timed(call, rounds: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    samples, errors = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        try:
            call()
        except Exception:  # noqa: BLE001 - counted and reported, the run goes on
            errors += 1
            continue
        samples.append((time.perf_counter() - started) * 1000)
    return samples, errors


def queue_phase(platform, rounds: int) -> list[tuple[str, list[float], int]]:  # type: ignore[no-untyped-def]
    import grpc

    from fickan.applications.v1 import applications_pb2 as pb
    from fickan.applications.v1 import applications_pb2_grpc

    stub = applications_pb2_grpc.ApplicationsServiceStub(grpc.insecure_channel(platform.target("applications")))
    token = staff_token(platform)
    metadata = [("authorization", f"Bearer {token}")]
    first = stub.ListUnitCases(pb.ListUnitCasesRequest(limit=200), metadata=metadata, timeout=30).cases
    ids = [c.application_id for c in first]

    def list_queue() -> None:
        answer = stub.ListUnitCases(pb.ListUnitCasesRequest(limit=200), metadata=metadata, timeout=30)
        if len(answer.cases) < len(first):
            raise RuntimeError("short queue")

    def open_case() -> None:
        stub.GetCase(pb.GetCaseRequest(application_id=random.choice(ids)), metadata=metadata, timeout=30)

    # The web desk needs a logged-in case worker: the demo case worker through the simulator.
    web = web_login(platform.url("web"), "198501012382")

    def desk_page() -> None:
        page = web.get(platform.url("web") + "/personal/arenden", timeout=30)
        if page.status_code != 200:
            raise RuntimeError(page.status_code)

    return [
        ("gRPC ListUnitCases (200 of the queue)", *timed(list_queue, rounds)),
        ("web /personal/arenden (HTML)", *timed(desk_page, rounds)),
        ("gRPC GetCase (opens, logs access)", *timed(open_case, rounds)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_option(parser)
    parser.add_argument("--residents", type=int, default=10)
    parser.add_argument("--per-resident", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--open-cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    errors = 0
    for database in databases_of(args):
        errors += run_once(args, database == "postgresql")
    return 1 if errors else 0


def run_once(args: argparse.Namespace, postgres: bool) -> int:
    """One run on one database; returns how many requests failed."""
    print(f"baseline: bare Flask -> grpcio, {args.concurrency} threads and one at a time ...", flush=True)
    parallel = measure_baseline(args.concurrency, 2000, 60)
    serial = measure_baseline(1, max(args.rounds, 50), 60)
    with own_platform(postgres) as platform:
        started = time.perf_counter()
        latencies, proposal_errors = proposal_phase(platform, args.residents, args.per_resident, args.concurrency)
        fill_seconds = fill_queue(platform, args.open_cases)
        reads = queue_phase(platform, args.rounds)
        whole = time.perf_counter() - started
    facts = machine_facts()
    print(f"\ncase_load on {facts['nproc']} cores ({facts['cpu']}), Python {facts['python']}, "
          f"{'PostgreSQL' if postgres else 'SQLite'}, commit {facts.get('commit', '?')}")  # fmt: skip
    print(
        f"baseline, {args.concurrency} threads: {parallel.rate:.0f} req/s, p50 {parallel.pct(50):.1f} ms, "
        f"p99 {parallel.pct(99):.1f} ms; one at a time: p50 {serial.pct(50):.1f} ms, p99 {serial.pct(99):.1f} ms"
    )
    print("\n1. submit -> decision proposal (service clock, ms; x = / the baseline's at the same concurrency)")
    p50, p99 = _pct(latencies, 50), _pct(latencies, 99)
    worst = max(latencies) if latencies else float("nan")
    rows = [("proposals", str(len(latencies)), str(proposal_errors), f"{p50:.0f}", _x(p50, parallel.pct(50)),
             f"{p99:.0f}", _x(p99, parallel.pct(99)), f"{worst:.0f}")]  # fmt: skip
    print("\n".join(_table(("what", "n", "errors", "p50", "x", "p99", "x", "max"), rows, (1, 2, 3, 4, 5, 6, 7))))
    print(f"\n2. the queue with {args.open_cases} open cases (written in {fill_seconds:.1f} s), ms per request "
          "(x = / the baseline's one at a time)")  # fmt: skip
    rows = []
    errors = proposal_errors
    for name, samples, failed in reads:
        errors += failed
        p50, p99 = _pct(samples, 50), _pct(samples, 99)
        mean = statistics.fmean(samples) if samples else float("nan")
        rows.append((name, str(len(samples)), str(failed), f"{p50:.1f}", _x(p50, serial.pct(50)), f"{p99:.1f}",
                     _x(p99, serial.pct(99)), f"{mean:.1f}"))  # fmt: skip
    print("\n".join(_table(("request", "n", "errors", "p50", "x", "p99", "x", "mean"), rows, (1, 2, 3, 4, 5, 6, 7))))
    print(f"\nwhole run {whole:.0f} s")
    return errors


if __name__ == "__main__":
    sys.exit(main())
