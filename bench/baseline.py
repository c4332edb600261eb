"""The bare baseline every benchmark measures first, in the same run: a Flask app that answers each
request with one gRPC call to a grpcio server, nothing else (no token, no database, no broker, no
log line). Both run exactly as Fickan's do: the app under the BFFs' own gunicorn command (taken from
scripts/fickanctl.py's plan, so a change of worker class or keep-alive there changes the baseline
too), the server with the services' executor size and options (fickan_common.grpc_server).

    with BareEndpoint() as bare:
        phase = load_bare(bare.url, concurrency=16, requests_total=3000, time_cap=60)

Absolute numbers drift between runs and machines (and on a shared machine within a run); a
figure divided by this baseline, measured minutes apart by the same client, is what we compare.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

BARE_SERVER = """
import sys
from concurrent import futures
import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from fickan_common.grpc_server import MAX_MESSAGE_BYTES

# The services' own settings (fickan_common.grpc_server.build_server): a pool of 16 threads.
server = grpc.server(
    futures.ThreadPoolExecutor(max_workers=16),
    options=[
        ("grpc.so_reuseport", 0),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ],
)
servicer = health.HealthServicer()
health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
servicer.set("", health_pb2.HealthCheckResponse.SERVING)
server.add_insecure_port("127.0.0.1:" + sys.argv[1])
server.start()
server.wait_for_termination()
"""

BARE_APP = """
import os
from fickan_bff.app import cooperate_with_gevent
cooperate_with_gevent()  # as every BFF does under the gevent worker
from flask import Flask, jsonify
from grpc_health.v1 import health_pb2, health_pb2_grpc
from fickan_common.grpc_client import make_channel

app = Flask("bare")
stub = health_pb2_grpc.HealthStub(make_channel(os.environ["BARE_TARGET"]))

@app.get("/ping")
def ping():
    answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=3)
    return jsonify(status=answer.status)
"""


def _free_ports(count: int) -> list[int]:
    from fickanctl import free_ports

    return free_ports(count)


def bff_command(bind: str, app_spec: str) -> list[str]:
    """The gunicorn command the platform runs a BFF with, bound elsewhere and serving `app_spec`."""
    from fickanctl import Platform

    plan = {p.name: p for p in Platform(var=Path(tempfile.gettempdir())).plan()}
    cmd = list(plan["bff-mobile"].cmd)
    cmd[cmd.index("--bind") + 1] = bind
    cmd[-1] = app_spec
    return cmd


class BareEndpoint(AbstractContextManager):
    """Starts the bare grpcio server and the bare Flask app on free ports; stops both on exit."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="fickan-bare-")
        self.grpc_port, self.http_port = _free_ports(2)
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> BareEndpoint:
        folder = Path(self.tmp.name)
        (folder / "bare_server.py").write_text(BARE_SERVER)
        (folder / "bare_app.py").write_text(BARE_APP)
        env = {**os.environ, "BARE_TARGET": f"127.0.0.1:{self.grpc_port}", "PYTHONPATH": str(folder)}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        try:
            server = [sys.executable, str(folder / "bare_server.py"), str(self.grpc_port)]
            self.processes.append(subprocess.Popen(server, env=env, **quiet))
            self.processes.append(
                subprocess.Popen(
                    bff_command(f"127.0.0.1:{self.http_port}", "bare_app:app"), env=env, cwd=folder, **quiet
                )
            )
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/ping", timeout=2).status_code == 200:
                    return
            except (requests.RequestException, OSError):
                pass
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"the bare baseline's process exited with {proc.returncode}")
            time.sleep(0.2)
        raise RuntimeError("the bare baseline did not answer within 30 s")

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def __exit__(self, *exc: object) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.tmp.cleanup()
