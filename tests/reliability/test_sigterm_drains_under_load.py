"""SIGTERM under load loses no request: what Kubernetes does to a pod in a rolling update, played
with two real replicas of a process on loopback.

Sixteen clients keep calling two replicas (a grpcio api: insights; a BFF under gunicorn with gevent,
the flags of k8s: bff-watch). Then replica A leaves the rotation (Kubernetes takes it out of the
endpoints) and gets SIGTERM at once: no preStop pause, harsher than the manifests, so calls are still
in flight on A when it is told to stop. Every call must succeed, some must have been in flight on A
at SIGTERM (or the drain was never tested), and A must exit by itself, cleanly, within its grace.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
import requests

from fickan.insights.v1 import insights_pb2, insights_pb2_grpc
from fickan_common.testing import fresh_rabbitmq_vhost

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CLIENTS = 16
GRACE = 10  # the drain each replica is given here (20 s in k8s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up")


@dataclass
class Call:
    replica: str
    started: float
    ended: float
    error: str = ""


@dataclass
class Load:
    """Clients that keep calling the replicas in rotation; each call records whom, when, and how it went."""

    call: Callable[[str, int], None]  # (replica, client number) -> raises on failure
    rotation: list[str]
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def client(self, number: int) -> None:
        turn = number
        while not self.stop.is_set():
            with self.lock:
                replica = self.rotation[turn % len(self.rotation)]
            turn += 1
            started = time.monotonic()
            error = ""
            try:
                self.call(replica, number)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                error = f"{type(exc).__name__}: {exc}"
            with self.lock:
                self.calls.append(Call(replica, started, time.monotonic(), error))

    def run(self, leaving: str, process: subprocess.Popen[bytes]) -> tuple[list[Call], float, float]:
        threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # the load runs on both replicas
        with self.lock:
            self.rotation.remove(leaving)  # out of the endpoints ...
        sigterm_at = time.monotonic()
        process.send_signal(signal.SIGTERM)  # ... and SIGTERM at once
        process.wait(timeout=GRACE + 10)
        exited_after = time.monotonic() - sigterm_at
        time.sleep(0.5)  # the other replica goes on serving
        self.stop.set()
        for thread in threads:
            thread.join(timeout=10)
        return self.calls, sigterm_at, exited_after


def judge(
    calls: list[Call], leaving: str, sigterm_at: float, exited_after: float, process: subprocess.Popen[bytes]
) -> None:
    failed = [c for c in calls if c.error]
    in_flight = [c for c in calls if c.replica == leaving and c.started < sigterm_at < c.ended]
    print(
        f"{len(calls)} calls, {len(failed)} failed, {len(in_flight)} in flight on {leaving} at SIGTERM, "
        f"it exited {exited_after:.2f} s later with {process.returncode}"
    )
    assert not failed, f"{len(failed)} of {len(calls)} calls failed, e.g. {failed[0].error}"
    assert in_flight, "no call was in flight on the replica at SIGTERM: the drain was not exercised"
    assert process.returncode == 0, f"{leaving} exited with {process.returncode}"
    assert exited_after < GRACE + 5


@pytest.fixture(scope="module")
def amqp_uri() -> Iterator[str]:
    with fresh_rabbitmq_vhost() as uri:
        yield uri


def start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_grpc_api_drains_its_calls_on_sigterm(tmp_path: Path, amqp_uri: str) -> None:
    env = {
        **os.environ,
        "FICKAN_DATABASE_URL": f"sqlite:///{tmp_path / 'insights.db'}",
        "FICKAN_AMQP_URI": amqp_uri,
        "FICKAN_IDENTITY_TARGET": f"127.0.0.1:{free_port()}",  # no identity: the calls are public
        "FICKAN_METRICS_PORT": "0",
        "FICKAN_SHUTDOWN_GRACE": str(GRACE),
        "FICKAN_INSIGHTS_IMPORT_EVERY_HOURS": "0",
    }
    subprocess.run([sys.executable, "-m", "insights.migrate"], env=env, check=True, capture_output=True, timeout=120)
    ports = {"a": free_port(), "b": free_port()}
    processes = {
        name: start([sys.executable, "-m", "insights.api"], {**env, "FICKAN_GRPC_PORT": str(port)}, tmp_path)
        for name, port in ports.items()
    }
    # one channel per client and replica, as each BFF pod keeps its own
    stubs = {
        (name, n): insights_pb2_grpc.InsightsServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
        for name, port in ports.items()
        for n in range(CLIENTS)
    }
    try:
        for name in ports:
            wait_until(
                lambda name=name: bool(stubs[(name, 0)].ListGuides(insights_pb2.ListGuidesRequest(), timeout=1).guides),
                f"insights api {name}",
            )

        def call(replica: str, number: int) -> None:
            stub = stubs[(replica, number)]
            stub.ListComparisonServices(insights_pb2.ListComparisonServicesRequest(), timeout=5)

        calls, sigterm_at, exited_after = Load(call, ["a", "b"]).run("a", processes["a"])
        judge(calls, "a", sigterm_at, exited_after, processes["a"])
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_bff_under_gunicorn_drains_its_requests_on_sigterm(tmp_path: Path, amqp_uri: str) -> None:
    env = {
        **os.environ,
        "FICKAN_AMQP_URI": amqp_uri,
        "FICKAN_METRICS_PORT": "0",
        # the flags of k8s/bffs/watch, with this test's grace
        "GUNICORN_CMD_ARGS": f"--workers 1 --worker-class gevent --worker-connections 2000 "
        f"--graceful-timeout {GRACE} --keep-alive 75",
    }
    ports = {"a": free_port(), "b": free_port()}
    processes = {
        name: start(
            [str(VENV_BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "bff_watch.app:create_app()"],
            env,
            ROOT / "bff" / "watch",
        )
        for name, port in ports.items()
    }
    sessions = {(name, n): requests.Session() for name in ports for n in range(CLIENTS)}
    try:
        for name, port in ports.items():
            wait_until(lambda port=port: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok, f"bff {name}")

        def call(replica: str, number: int) -> None:
            answer = sessions[(replica, number)].get(f"http://127.0.0.1:{ports[replica]}/healthz", timeout=5)
            answer.raise_for_status()

        calls, sigterm_at, exited_after = Load(call, ["a", "b"]).run("a", processes["a"])
        judge(calls, "a", sigterm_at, exited_after, processes["a"])
    finally:
        for session in sessions.values():
            session.close()
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
