"""Start, stop and check the whole Fickan platform on one machine.

    python scripts/fickanctl.py up       # migrate, load demo data, start every process, print addresses
    python scripts/fickanctl.py down     # stop exactly what `up` started
    python scripts/fickanctl.py status

The same Platform class starts the platform for the end-to-end and browser tests and the benchmark,
on free ports and in a folder of their own, so they never touch a running `make up`.

The platform supervises its processes as k8s would: a process that dies is started again (after
0.5 s, doubling up to 30 s while it keeps dying young), and one whose liveness probe fails three
times in a row (every 5 s) is killed and started again. Each restart is a line in
var/log/supervisor.log. `up` leaves a small supervisor process running for this; `down` stops it
first, then the rest.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SERVICES = ("identity", "applications", "notifications", "contact", "insights")
BFFS = ("web", "mobile", "watch")
DEFAULT_PORTS = {
    "identity": 50051,
    "applications": 50052,
    "notifications": 50053,
    "contact": 50054,
    "insights": 50055,
    "web": 8080,
    "mobile": 8081,
    "watch": 8082,
    "bankid-simulator": 8585,
    "identity-api-metrics": 9101,
    "applications-api-metrics": 9102,
    "notifications-api-metrics": 9103,
    "contact-api-metrics": 9104,
    "insights-api-metrics": 9105,
    "identity-worker-metrics": 9111,
    "applications-worker-metrics": 9112,
    "notifications-worker-metrics": 9113,
    "contact-worker-metrics": 9114,
    "insights-worker-metrics": 9115,
    # the BFFs' metrics, apart from the ports residents reach
    "web-metrics": 9180,
    "mobile-metrics": 9181,
    "watch-metrics": 9182,
}
# What the platform itself wires (ports, addresses, databases): a FICKAN_* setting of the user's own
# never replaces these. Every other FICKAN_* setting in the user's environment is passed through,
# so a tester can change a limit or a lifetime locally (FICKAN_LOGIN_LIMIT_PER_IP=5 make up).
WIRING = (
    "FICKAN_AMQP_URI",
    "FICKAN_BANKID_SIMULATOR_PORT",
    "FICKAN_WEB_BANKID_SIMULATOR_URL",
    "FICKAN_IDENTITY_SIGNING_KEYS_DIR",
    "FICKAN_DATABASE_URL",
    "FICKAN_GRPC_PORT",
    "FICKAN_METRICS_PORT",
    *(f"FICKAN_{service.upper()}_TARGET" for service in SERVICES),
)


def free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen, so the kernel cannot hand
    the same port out twice (choosing them one by one did, now and then)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# Supervision, as k8s does it: restart backoff and liveness probing.
RESTART_FIRST_DELAY = 0.5  # seconds; doubles while the process keeps dying young
RESTART_MAX_DELAY = 30.0
RAN_LONG_ENOUGH = 30.0  # a process that ran this long before dying starts again at the first delay
LIVENESS_EVERY = 5.0
LIVENESS_FAILURES = 3


@dataclass
class Process:
    name: str
    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    popen: subprocess.Popen | None = None
    # Supervision: False once stopped on purpose, so the supervisor leaves it stopped.
    wanted: bool = True
    started_at: float = 0.0
    restarts: int = 0
    dying_young: int = 0  # deaths in a row, each soon after its start
    restart_at: float | None = None  # when the supervisor starts it again
    ready_since_start: bool = False  # liveness is probed only once it was ready
    liveness_failures: int = 0
    next_probe: float = 0.0


@dataclass
class Platform:
    var: Path  # databases, keys, logs and pids live here
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672//"
    database_urls: dict[str, str] = field(default_factory=dict)  # service -> URL; default SQLite in var
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    detach: bool = False  # each process in a session of its own (make up), so `down` can end its group
    liveness_every: float = LIVENESS_EVERY
    liveness_failures: int = LIVENESS_FAILURES
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _supervising: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    _supervisor: threading.Thread | None = field(default=None, repr=False, compare=False)

    @classmethod
    def on_free_ports(cls, var: Path, **kwargs: object) -> Platform:
        ports = dict(zip(DEFAULT_PORTS, free_ports(len(DEFAULT_PORTS)), strict=True))
        return cls(var=var, ports=ports, **kwargs)  # type: ignore[arg-type]

    # -- addresses -------------------------------------------------------------------------------
    def url(self, bff: str) -> str:
        return f"http://127.0.0.1:{self.ports[bff]}"

    def target(self, service: str) -> str:
        return f"127.0.0.1:{self.ports[service]}"

    def database_url(self, service: str) -> str:
        return self.database_urls.get(service) or f"sqlite:///{self.var / 'data' / f'{service}.db'}"

    # -- environment -----------------------------------------------------------------------------
    def _web_secret(self) -> str:
        path = self.var / "web_secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def _web_session_key(self) -> str:
        """A Fernet key for the web session cookie, made once per platform folder (local use)."""
        path = self.var / "web_session_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        return path.read_text().strip()

    def base_env(self) -> dict[str, str]:
        # The user's own settings first (FICKAN_* included); the platform's defaults where they set
        # none; the platform's wiring always.
        env = {k: v for k, v in os.environ.items() if k not in WIRING}
        defaults = {
            "FICKAN_BANKID_SIMULATOR": "1",  # local platform only; never in production manifests
            "FICKAN_WEB_SECRET_KEY": self._web_secret(),
            "FICKAN_WEB_SESSION_KEY": self._web_session_key(),
            # No internet here: the local platform shows labelled demo figures and imports from
            # Kolada only when asked to (FICKAN_INSIGHTS_IMPORT_EVERY_HOURS=24 make up).
            "FICKAN_INSIGHTS_IMPORT_EVERY_HOURS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        for key, value in defaults.items():
            env.setdefault(key, value)
        env.update(
            FICKAN_AMQP_URI=self.amqp_uri,
            FICKAN_BANKID_SIMULATOR_PORT=str(self.ports["bankid-simulator"]),
            # the web login page points testers to the simulator, which plays their BankID app
            FICKAN_WEB_BANKID_SIMULATOR_URL=f"http://127.0.0.1:{self.ports['bankid-simulator']}/simulator/",
            FICKAN_IDENTITY_SIGNING_KEYS_DIR=str(self.var / "keys" / "identity"),
            # notifications: one VAPID key for its api and worker; links in mails and pushes
            FICKAN_VAPID_KEY_FILE=str(self.var / "keys" / "notifications" / "vapid_private.pem"),
            FICKAN_PUBLIC_URL=f"http://127.0.0.1:{self.ports['web']}",
        )
        for service in SERVICES:
            env[f"FICKAN_{service.upper()}_TARGET"] = self.target(service)
        env.update(self.extra_env)
        return env

    def bff_env(self, bff: str) -> dict[str, str]:
        return {**self.base_env(), "FICKAN_METRICS_PORT": str(self.ports[f"{bff}-metrics"])}

    def service_env(self, service: str, role: str) -> dict[str, str]:
        env = self.base_env()
        env.update(
            FICKAN_DATABASE_URL=self.database_url(service),
            FICKAN_GRPC_PORT=str(self.ports[service]),
            FICKAN_METRICS_PORT=str(self.ports[f"{service}-{role}-metrics"]),
        )
        return env

    def plan(self) -> list[Process]:
        plan = []
        for service in SERVICES:
            cwd = ROOT / "services" / service
            plan.append(
                Process(
                    f"{service}-worker",
                    [str(VENV_BIN / "nameko"), "run", "--config", "config.yaml", f"{service}.worker"],
                    cwd,
                    self.service_env(service, "worker"),
                )
            )
            plan.append(
                Process(
                    f"{service}-api", [sys.executable, "-m", f"{service}.api"], cwd, self.service_env(service, "api")
                )
            )
        for bff in BFFS:
            plan.append(
                Process(
                    f"bff-{bff}",
                    [
                        str(VENV_BIN / "gunicorn"),
                        "--bind",
                        f"127.0.0.1:{self.ports[bff]}",
                        # a greenlet per request, so the live streams (SSE) need no thread each
                        "--worker-class",
                        "gevent",
                        "--worker-connections",
                        "2000",
                        # longer than clients' idle gaps, so a reused connection is not closed under them
                        "--keep-alive",
                        "75",
                        f"bff_{bff}.app:create_app()",
                    ],
                    ROOT / "bff" / bff,
                    self.bff_env(bff),
                )
            )
        return plan

    # -- lifecycle -------------------------------------------------------------------------------
    def migrate(self) -> None:
        for service in SERVICES:
            self._run([sys.executable, "-m", f"{service}.migrate"], service)

    def load_demo_data(self) -> None:
        self._run([sys.executable, "-m", "identity.demo"], "identity")
        self._run([sys.executable, "-m", "insights.demo"], "insights")  # labelled demo figures

    def _run(self, cmd: list[str], service: str) -> None:
        env = {**self.service_env(service, "api"), "PYTHONWARNINGS": "ignore"}  # eventlet's deprecation notice
        subprocess.run(cmd, cwd=ROOT / "services" / service, env=env, check=True)

    def start(self, detach: bool = False, supervise: bool = True) -> None:
        (self.var / "log").mkdir(parents=True, exist_ok=True)
        (self.var / "run").mkdir(parents=True, exist_ok=True)
        self.detach = detach
        for proc in self.plan():
            self.start_process(proc)
        self.wait_ready()
        if supervise:  # after the first start: a process that cannot start at all fails `up` at once
            self.supervise()

    def start_process(self, proc: Process) -> None:
        with self._lock:
            log = open(self.var / "log" / f"{proc.name}.log", "ab")
            proc.popen = subprocess.Popen(
                proc.cmd,
                cwd=proc.cwd,
                env=proc.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=self.detach,
            )
            log.close()
            proc.wanted = True
            proc.started_at = time.monotonic()
            proc.restart_at = None
            proc.ready_since_start = False
            proc.liveness_failures = 0
            self.processes[proc.name] = proc
            (self.var / "run" / f"{proc.name}.pid").write_text(str(proc.popen.pid))

    def restart(self, name: str) -> None:
        proc = self.processes[name]
        self.stop_process(name)
        self.start_process(Process(proc.name, proc.cmd, proc.cwd, proc.env))
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = {p.name for p in self.processes.values()}
        while pending:
            for name in sorted(pending):
                proc = self.processes[name]
                # A supervised process that died is started again by the supervisor: wait for it.
                if proc.popen and proc.popen.poll() is not None and not self.supervised:
                    raise RuntimeError(f"{name} exited with {proc.popen.returncode}; see {self.var}/log/{name}.log")
                if proc.popen and proc.popen.poll() is None and self._ready(name):
                    pending.discard(name)
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(pending)}; logs in {self.var}/log")
            time.sleep(0.2)

    def _ready(self, name: str) -> bool:
        kind, _, role = name.rpartition("-")
        if name.startswith("bff-"):
            return _http_ok(f"{self.url(name[4:])}/readyz")
        if role == "api":
            return _grpc_serving(self.target(kind))
        # A worker is ready when it consumes (or, without event handlers, when its loop turns). Its
        # event queues were declared by the migrate step, so events published before it consumes
        # wait for it.
        return _http_ok(f"http://127.0.0.1:{self.ports[f'{kind}-worker-metrics']}/readyz")

    def _live(self, name: str) -> bool:
        kind, _, role = name.rpartition("-")
        if name.startswith("bff-"):
            return _http_ok(f"{self.url(name[4:])}/healthz", timeout=2)
        if role == "api":
            return _grpc_serving(self.target(kind), timeout=2)
        return _http_ok(f"http://127.0.0.1:{self.ports[f'{kind}-worker-metrics']}/healthz", timeout=2)

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        with self._lock:
            proc = self.processes.get(name)
            if proc is None or proc.popen is None:
                return
            proc.wanted = False  # stopped on purpose: the supervisor leaves it stopped
        if proc.popen.poll() is None:
            proc.popen.send_signal(sig)
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
        (self.var / "run" / f"{name}.pid").unlink(missing_ok=True)

    def stop(self, timeout: float = 10.0) -> None:
        """Asks every process to stop at once, then waits for all (one by one, a BFF's graceful
        stop waiting on an idle keep-alive connection made this take 10 s per BFF)."""
        self.stop_supervising()
        with self._lock:
            running = [p for p in self.processes.values() if p.popen is not None]
            for proc in running:
                proc.wanted = False
        for proc in reversed(running):
            if proc.popen.poll() is None:
                proc.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in running:
            try:
                proc.popen.wait(max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
            (self.var / "run" / f"{proc.name}.pid").unlink(missing_ok=True)

    # -- supervision -----------------------------------------------------------------------------
    @property
    def supervised(self) -> bool:
        return self._supervising.is_set()

    def supervise(self) -> None:
        """Restart what dies or stops being live, from a background thread, until stop()."""
        if self.supervised:
            return
        self._supervising.set()
        self._supervisor = threading.Thread(target=self._supervise_loop, name="supervisor", daemon=True)
        self._supervisor.start()

    def stop_supervising(self) -> None:
        self._supervising.clear()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(15)
        self._supervisor = None

    def note(self, line: str) -> None:
        """One line of the supervisor's log (var/log/supervisor.log)."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with open(self.var / "log" / "supervisor.log", "a") as log:
            log.write(f"{stamp} {line}\n")

    def _supervise_loop(self) -> None:
        while self._supervising.is_set():
            for proc in list(self.processes.values()):
                if not self._supervising.is_set():
                    return
                try:
                    self._look_after(proc)
                except Exception as exc:  # noqa: BLE001 - the supervisor must outlive any one mishap
                    self.note(f"{proc.name}: supervisor error {exc!r}")
            time.sleep(0.2)

    def _look_after(self, proc: Process) -> None:
        now = time.monotonic()
        with self._lock:
            if not proc.wanted or proc.popen is None:
                return
            code = proc.popen.poll()
            if code is not None:
                if proc.restart_at is None:  # just found dead
                    lived = now - proc.started_at
                    proc.dying_young = proc.dying_young + 1 if lived < RAN_LONG_ENOUGH else 0
                    delay = min(RESTART_FIRST_DELAY * 2 ** max(proc.dying_young - 1, 0), RESTART_MAX_DELAY)
                    proc.restart_at = now + delay
                    self.note(f"{proc.name} exited with {code} after {lived:.1f} s; starting it again in {delay:.1f} s")
                elif now >= proc.restart_at:
                    proc.restarts += 1
                    self.start_process(proc)
                    self.note(f"{proc.name} started again (restart {proc.restarts}, pid {proc.popen.pid})")
                return
        # Liveness, as k8s probes it: only once it was ready since its start, every few seconds.
        if now < proc.next_probe:
            return
        proc.next_probe = now + self.liveness_every
        if not proc.ready_since_start:
            proc.ready_since_start = self._ready(proc.name)
            return
        if self._live(proc.name):
            proc.liveness_failures = 0
            return
        proc.liveness_failures += 1
        self.note(f"{proc.name} failed its liveness probe ({proc.liveness_failures} of {self.liveness_failures})")
        if proc.liveness_failures >= self.liveness_failures:
            with self._lock:
                if proc.wanted and proc.popen is not None and proc.popen.poll() is None:
                    self.note(f"{proc.name} is not live: killing it, to be started again")
                    proc.popen.kill()


def _http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, http.client.HTTPException):  # not up yet, or something else on the port
        return False


def _grpc_serving(target: str, timeout: float = 1.0) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError:
            return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING


# -- the command line: make up / make down -----------------------------------------------------
VAR = ROOT / "var"


SUPERVISOR_PID = VAR / "run" / "supervisor.pid"
SUPERVISOR_READY = VAR / "run" / "supervisor.ready"


def cmd_up() -> int:
    if any((VAR / "run").glob("*.pid")):
        cmd_down()
    platform = Platform(var=VAR)
    platform.migrate()
    platform.load_demo_data()
    # The supervisor starts every process and stays to restart what dies (this command returns).
    (VAR / "log").mkdir(parents=True, exist_ok=True)
    (VAR / "run").mkdir(parents=True, exist_ok=True)
    SUPERVISOR_READY.unlink(missing_ok=True)
    with open(VAR / "log" / "supervisor.out", "wb") as out:
        supervisor = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "supervise"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    SUPERVISOR_PID.write_text(str(supervisor.pid))
    while not SUPERVISOR_READY.exists():
        if supervisor.poll() is not None:
            print(f"Start failed:\n{(VAR / 'log' / 'supervisor.out').read_text()[-3000:]}", file=sys.stderr)
            cmd_down()
            return 1
        time.sleep(0.2)
    demo = json.loads((ROOT / "services/identity/identity/demo_people.json").read_text())["people"]
    print("\nFickan is running:")
    print(f"  web     {platform.url('web')}/      (resident pages)")
    print(f"  mobile  {platform.url('mobile')}/   (JSON API, OpenAPI at /openapi.json)")
    print(f"  watch   {platform.url('watch')}/   (glance API)")
    simulator = f"http://127.0.0.1:{platform.ports['bankid-simulator']}/simulator/"
    print(f"  BankID  {simulator}   (the simulator: open a waiting login here)")
    print(f"  compare {platform.url('web')}/jamfor   guides {platform.url('web')}/guide   (demo figures, labelled)")
    print("Demo people (Skatteverket test personnummer):")
    for person in demo:
        roles = ", ".join(r for r in person["roles"] if r != "resident") or "resident"
        where = person.get("unit") or person.get("answer_group") or ""
        print(f"  {person['name']:<20} {person['personal_number']}  {roles} {where}".rstrip())
    print(f"Logs: {VAR}/log/ (restarts in supervisor.log)   Stop: make down")
    return 0


def cmd_supervise() -> int:
    """Run by `up` in the background: start every process, then restart what dies until SIGTERM."""
    platform = Platform(var=VAR)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        platform.start(detach=True)
    except RuntimeError as exc:
        print(f"{exc}", flush=True)
        platform.stop()
        return 1
    platform.note(f"supervising {len(platform.processes)} processes (pid {os.getpid()})")
    SUPERVISOR_READY.write_text("ready")
    stopping.wait()
    platform.note("stopping every process")
    platform.stop()
    SUPERVISOR_READY.unlink(missing_ok=True)
    return 0


def cmd_down() -> int:
    stopped = 0
    # The supervisor first, or it would start again what is being stopped; it stops the others.
    if SUPERVISOR_PID.exists():
        pid = int(SUPERVISOR_PID.read_text() or 0)
        if pid and _alive(pid):
            stopped += sum(1 for f in (VAR / "run").glob("*.pid") if _pid_alive(f))
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.1)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
        SUPERVISOR_PID.unlink(missing_ok=True)
    for pidfile in sorted((VAR / "run").glob("*.pid")):
        try:
            pid = int(pidfile.read_text())
            os.killpg(pid, signal.SIGTERM)  # each process leads its own session (detached by `up`)
            stopped += 1
        except (ValueError, ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + 15
    for pidfile in sorted((VAR / "run").glob("*.pid")):
        pid = int(pidfile.read_text() or 0)
        while pid and time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if pid and _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        pidfile.unlink()
    print(f"stopped {stopped} processes")
    return 0


def _pid_alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return False
    return pid > 0 and _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def cmd_status() -> int:
    platform = Platform(var=VAR)
    alive = SUPERVISOR_PID.exists() and _alive(int(SUPERVISOR_PID.read_text() or 0))
    print(f"{'supervisor':<22} {'running' if alive else 'stopped'}")
    for proc in platform.plan():
        pidfile = VAR / "run" / f"{proc.name}.pid"
        alive = pidfile.exists() and _alive(int(pidfile.read_text()))
        print(f"{proc.name:<22} {'running' if alive else 'stopped'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "supervise"])
    args = parser.parse_args()
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status, "supervise": cmd_supervise}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
