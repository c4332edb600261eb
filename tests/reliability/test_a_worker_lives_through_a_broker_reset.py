"""A worker lives through its broker connection being reset while it handles a message, and its
probes say whether it consumes.

The drill worker (tests/support/drill_worker.py) is built as the services' workers are. Its handler
commits, then holds the whole process (as a blocking driver call does under eventlet) while the
test resets the broker connection; the ack then meets a reset socket. nameko alone let that
ConnectionResetError kill the process (issue 14: the notifications worker exited in a RabbitMQ
restart and 12 of 40 messages never arrived)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fickan_common.events import Publisher, envelope
from fickan_common.testing import fresh_rabbitmq_vhost

from ..conftest import ROOT
from ..support.tcp_proxy import TcpProxy

sys.path.insert(0, str(ROOT / "scripts"))
from fickanctl import Platform, Process, free_ports


@dataclass
class DrillWorker:
    platform: Platform  # the worker is its one process, so its supervisor can be tried too
    proxy: TcpProxy
    direct_uri: str
    database: Path
    health_port: int
    log: Path

    @property
    def popen(self) -> subprocess.Popen:
        return self.platform.processes["drill-worker"].popen

    def probe(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.health_port}{path}", timeout=2) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_probe(self, path: str, status: int, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            assert self.popen.poll() is None, f"the worker exited ({self.popen.returncode}):\n{self.log_tail()}"
            try:
                code, body = self.probe(path)
            except OSError as exc:
                last = exc
            else:
                if code == status:
                    return body
                last = (code, body)
            time.sleep(0.2)
        raise AssertionError(f"{path} never answered {status}; last {last}\n{self.log_tail()}")

    def publish(self, **data: object) -> str:
        event = envelope("drill", "tick", dict(data))
        publisher = Publisher(self.direct_uri)  # straight to the broker, past the proxy
        try:
            publisher.publish(event)
        finally:
            publisher.close()
        return event["event_id"]

    def rows(self, table: str, event_id: str) -> int:
        engine = create_engine(f"sqlite:///{self.database}")
        try:
            with engine.connect() as conn:
                query = text(f"SELECT count(*) FROM {table} WHERE event_id = :id")
                return conn.execute(query, {"id": event_id}).scalar_one()
        finally:
            engine.dispose()

    def wait_rows(self, table: str, event_id: str, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.rows(table, event_id) < count:
            assert time.monotonic() < deadline, f"{table}: {self.rows(table, event_id)} of {count} for {event_id}"
            assert self.popen.poll() is None, f"the worker exited ({self.popen.returncode}):\n{self.log_tail()}"
            time.sleep(0.1)

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


@pytest.fixture
def drill_worker(tmp_path: Path) -> Iterator[DrillWorker]:
    with fresh_rabbitmq_vhost() as direct_uri:
        vhost = direct_uri.rsplit("/", 1)[1]
        proxy = TcpProxy(("127.0.0.1", 5672))
        [health_port] = free_ports(1)
        database = tmp_path / "drill.db"
        env = {
            **os.environ,
            "FICKAN_DATABASE_URL": f"sqlite:///{database}",
            "FICKAN_METRICS_PORT": str(health_port),
            "FICKAN_WORKER_HANDLER_LIMIT_SECONDS": "2",
            "PYTHONPATH": str(ROOT / "tests" / "support"),
            "PYTHONWARNINGS": "ignore",
        }
        broker = f"amqp://guest:guest@127.0.0.1:{proxy.port}/{vhost}"
        nameko = str(Path(sys.executable).parent / "nameko")
        platform = Platform(var=tmp_path, ports={"drill-worker-metrics": health_port}, liveness_every=1)
        (tmp_path / "log").mkdir()
        (tmp_path / "run").mkdir()
        platform.start_process(
            Process("drill-worker", [nameko, "run", "--broker", broker, "drill_worker"], tmp_path, env)
        )
        worker = DrillWorker(platform, proxy, direct_uri, database, health_port, tmp_path / "log" / "drill-worker.log")
        try:
            worker.wait_probe("/readyz", 200)
            yield worker
        finally:
            platform.stop(timeout=3)  # a hanging handler would hold a polite stop
            proxy.stop()


def test_a_reset_connection_at_the_ack_does_not_kill_the_worker_and_the_message_comes_again(drill_worker, tmp_path):
    release = tmp_path / "release"
    held = drill_worker.publish(block_until=str(release))
    drill_worker.wait_rows("effects", held, 1)  # handled and committed; the handler now holds

    drill_worker.proxy.cut(reset=True)  # as a broker that dies: RST
    time.sleep(0.5)
    drill_worker.proxy.restore()
    release.touch()  # the handler returns; its ack meets the reset socket

    # The broker redelivers the unacknowledged message to the reconnected consumer; the inbox
    # makes the repeat a no-op. The process never exited.
    drill_worker.wait_rows("deliveries", held, 2)
    time.sleep(1)
    assert drill_worker.popen.poll() is None, drill_worker.log_tail()
    assert drill_worker.rows("effects", held) == 1
    body = drill_worker.wait_probe("/readyz", 200)
    assert body["connected"] is True

    later = drill_worker.publish()  # and it goes on consuming
    drill_worker.wait_rows("effects", later, 1)
    assert drill_worker.rows("deliveries", later) == 1


def test_the_probes_follow_the_broker_connection_and_a_hung_handler(drill_worker):
    live = drill_worker.wait_probe("/healthz", 200)
    assert live["consumes"] is True and live["connected"] is True

    drill_worker.proxy.cut()  # a broker away: not ready, but alive (it is retrying, not stuck)
    try:
        body = drill_worker.wait_probe("/readyz", 503)
        assert body["connected"] is False
        assert drill_worker.probe("/healthz")[0] == 200
    finally:
        drill_worker.proxy.restore()
    drill_worker.wait_probe("/readyz", 200)

    # A handler stuck longer than the limit (2 s here) means the worker no longer consumes as it
    # should: liveness fails, so k8s (or make up's supervisor) restarts it.
    hung = drill_worker.publish(hang=6)
    drill_worker.wait_rows("effects", hung, 1)
    body = drill_worker.wait_probe("/healthz", 503, timeout=10)
    assert any("on_tick" in problem for problem in body["problems"])
    drill_worker.wait_probe("/healthz", 200, timeout=15)  # once it returns, live again


def test_a_worker_that_stops_consuming_is_killed_and_started_again_by_the_supervisor(drill_worker):
    platform = drill_worker.platform
    platform.supervise()  # as make up does; probing every second here, three failures to act
    first = drill_worker.popen.pid
    drill_worker.publish(hang=60)  # a handler hangs far past the limit: the worker no longer consumes
    deadline = time.monotonic() + 30
    while drill_worker.popen.pid == first:
        assert time.monotonic() < deadline, drill_worker.log_tail()
        time.sleep(0.2)
    log = (platform.var / "log" / "supervisor.log").read_text()
    assert "drill-worker is not live: killing it, to be started again" in log
    assert "drill-worker started again (restart 1" in log
    drill_worker.wait_probe("/readyz", 200)  # the new process consumes
