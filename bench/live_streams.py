"""Many open live streams: how soon a fact reaches the inbox and the open streams, and what holding
the streams costs the BFF — beside a bare Flask -> grpcio relay measured in the same run.

    .venv/bin/python bench/live_streams.py [--streams 500] [--residents 50] [--events 40] [--time-cap 60]

Fickan: its own platform (scripts/fickanctl.py: temp folder, free ports, own RabbitMQ vhost,
SQLite, the BFFs under gunicorn's gevent worker). `--residents` log in through the mobile BFF with
the BankID simulator; `--streams` GET /v1/stream are opened among them (raw sockets on one
selector, so the client holds them without a thread each). Then `--events` decision_made events,
one every 0.25 s to a random resident, are published on RabbitMQ exactly as applications publishes
them: the notifications worker makes the message (inbox), its feed_appended event wakes the api's
streams, the BFF relays. Per event:
  event -> inbox        the message's created_at (the worker's commit) minus the publish time
  event -> open stream  when the client read the entry on each of that resident's streams

Baseline: a bare grpcio server (no token, no database, no broker) whose stream sends an entry the
moment a unary call asks it to, relayed by a bare Flask app under the same gunicorn gevent worker;
the same number of streams, the same client. Its fire -> stream latency is the floor of the relay.

RSS: VmRSS of each gunicorn worker idle and with the streams open. Nothing asserts on timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

from slice_load import Phase, login_all, machine_facts, own_platform, pick_personal_numbers  # noqa: E402

from fickan.applications.events.v1 import events_pb2 as app_events  # noqa: E402
from fickan_common.events import Publisher, envelope  # noqa: E402


@dataclass
class Stream:
    sock: socket.socket
    key: str  # who it belongs to (a resident's id, or "bare")
    buffer: bytes = b""
    status: int | None = None
    received: list[tuple[float, dict]] = field(default_factory=list)  # (wall time, data of an entry)


class Streams:
    """Holds many SSE connections on one selector; records each entry's arrival time."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.streams: list[Stream] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def open(self, port: int, path: str, key: str, token: str = "") -> Stream:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Accept: text/event-stream\r\n\r\n".encode())
        sock.setblocking(False)
        stream = Stream(sock, key)
        with self.lock:
            self.streams.append(stream)
            self.selector.register(sock, selectors.EVENT_READ, stream)
        return stream

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                ready = self.selector.select(timeout=0.2) if self.streams else []
            now = time.time()
            for key, _ in ready:
                stream: Stream = key.data
                try:
                    chunk = stream.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    with self.lock:
                        self.selector.unregister(stream.sock)
                    continue
                stream.buffer += chunk
                if stream.status is None and b"\r\n" in stream.buffer:
                    stream.status = int(stream.buffer.split(b" ", 2)[1])
                while b"\n\n" in stream.buffer:
                    block, stream.buffer = stream.buffer.split(b"\n\n", 1)
                    text = block.decode(errors="replace")
                    if "event: message" in text and "data: " in text:
                        data = json.loads(text.split("data: ", 1)[1].split("\r\n", 1)[0])
                        stream.received.append((now, data))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        for stream in self.streams:
            stream.sock.close()


def free_port_number() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def gunicorn_worker(master_pid: int) -> int:
    for path in Path(f"/proc/{master_pid}/task").glob("*/children"):
        kids = path.read_text().split()
        if kids:
            return int(kids[0])
    return master_pid


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_open(streams: list[Stream], time_cap: float) -> int:
    deadline = time.monotonic() + time_cap
    while time.monotonic() < deadline:
        if all(s.status is not None for s in streams):
            break
        time.sleep(0.1)
    return sum(1 for s in streams if s.status == 200)


# -- Fickan ------------------------------------------------------------------------------------------
def run_fickan(args: argparse.Namespace, log, platform=None) -> dict:  # type: ignore[no-untyped-def]
    """On `platform` when given (a running one), else on a platform of its own."""
    if platform is None:
        with own_platform(False) as own:
            return measure_fickan(own, args, log)
    return measure_fickan(platform, args, log)


def measure_fickan(platform, args: argparse.Namespace, log) -> dict:  # type: ignore[no-untyped-def]
    mobile_port = platform.ports["mobile"]
    phase = Phase("login")
    log(f"logging in {args.residents} residents ...")
    residents, failures = login_all(
        platform.url("mobile"), pick_personal_numbers(args.residents), 8, phase, time.monotonic() + args.time_cap
    )
    if not residents:
        raise RuntimeError(f"nobody logged in: {failures[:3]}")
    ids = {r.label: jwt.decode(r.token, options={"verify_signature": False})["sub"] for r in residents}
    bff_pid = gunicorn_worker(platform.processes["bff-mobile"].popen.pid)
    idle = rss_mb(bff_pid)
    client = Streams()
    client.start()
    log(f"opening {args.streams} streams ...")
    opened = [
        client.open(mobile_port, "/v1/stream", ids[r.label], r.token)
        for r in (residents[i % len(residents)] for i in range(args.streams))
    ]
    ok = wait_open(opened, args.time_cap)
    time.sleep(1.0)
    holding = rss_mb(bff_pid)
    log(f"{ok} streams open; sending {args.events} events ...")
    publisher = Publisher(platform.amqp_uri)
    sent: dict[str, float] = {}
    chooser = random.Random(7)
    for _ in range(args.events):
        resident = chooser.choice(residents)
        case = str(uuid.uuid4())
        data = app_events.DecisionMade(
            application_id=case,
            resident_ids=[ids[resident.label]],
            outcome="approved",
            amount=100,
            period="2026-12",
        )
        sent[f"application:{case}"] = time.time()
        publisher.publish(envelope("applications", "decision_made", data))
        time.sleep(0.25)
    time.sleep(3.0)
    publisher.close()
    client.close()
    to_stream, to_inbox, missing = [], [], 0
    for stream in opened:
        got = {d["message"]["reference"]: (at, d) for at, d in stream.received}
        for ref, t0 in sent.items():
            if ref not in got:
                continue
            at, d = got[ref]
            to_stream.append(at - t0)
    seen_refs = set()
    for stream in opened:
        for _at, d in stream.received:
            ref = d["message"]["reference"]
            if ref in sent and ref not in seen_refs:
                seen_refs.add(ref)
                created = d["message"]["created_at"].rstrip("Z")
                from datetime import UTC, datetime

                to_inbox.append(datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp() - sent[ref])
    expected = sum(1 for s in opened for ref in sent if any(ids[r.label] == s.key for r in residents))
    missing = len(sent) - len(seen_refs)
    return {
        "streams_open": ok,
        "to_inbox": to_inbox,
        "to_stream": to_stream,
        "events_missing": missing,
        "rss_idle": idle,
        "rss_holding": holding,
        "deliveries_expected": expected,
    }


# -- the bare baseline -------------------------------------------------------------------------------
BARE_SERVER = """
import queue, sys, threading
from collections import defaultdict
from concurrent import futures
import grpc
from fickan.notifications.v1 import notifications_pb2 as pb, notifications_pb2_grpc as pb_grpc

class Bare(pb_grpc.NotificationsServiceServicer):
    # Subscribe's after_seq names the stream's group; MarkRead("<group>:<ref>") sends to that group.
    def __init__(self):
        self.lock = threading.Lock(); self.groups = defaultdict(set); self.seq = 0
    def MarkRead(self, request, context):
        group = int(request.message_id.split(":", 1)[0])
        with self.lock:
            self.seq += 1; seq = self.seq; waiting = list(self.groups[group])
        for q in waiting:
            q.put((seq, request.message_id))
        return pb.Message()
    def Subscribe(self, request, context):
        q = queue.Queue()
        with self.lock:
            self.groups[request.after_seq].add(q)
        try:
            yield pb.FeedEvent(kind="heartbeat")
            while context.is_active():
                try:
                    seq, ref = q.get(timeout=15)
                except queue.Empty:
                    yield pb.FeedEvent(kind="heartbeat"); continue
                yield pb.FeedEvent(seq=seq, kind="message", message=pb.Message(reference=ref))
        finally:
            with self.lock:
                self.groups[request.after_seq].discard(q)

server = grpc.server(futures.ThreadPoolExecutor(max_workers=int(sys.argv[2])))
pb_grpc.add_NotificationsServiceServicer_to_server(Bare(), server)
server.add_insecure_port("127.0.0.1:" + sys.argv[1]); server.start(); server.wait_for_termination()
"""

BARE_APP = """
import json, os
from fickan_bff.app import cooperate_with_gevent
cooperate_with_gevent()
import grpc
from flask import Flask, Response, request
from fickan.notifications.v1 import notifications_pb2 as pb, notifications_pb2_grpc as pb_grpc

app = Flask("bare")
stub = pb_grpc.NotificationsServiceStub(grpc.insecure_channel(os.environ["BARE_TARGET"]))

@app.get("/stream")
def stream():
    call = stub.Subscribe(pb.SubscribeRequest(after_seq=int(request.args["group"])), timeout=3600)
    def relay():
        try:
            for entry in call:
                if entry.kind == "message":
                    data = {"message": {"reference": entry.message.reference}}
                    yield f"id: {entry.seq}\\nevent: message\\ndata: {json.dumps(data)}\\n\\n"
                else:
                    yield ": heartbeat\\n\\n"
        finally:
            call.cancel()
    return Response(relay(), mimetype="text/event-stream")
"""


def run_bare(args: argparse.Namespace, log) -> dict:  # type: ignore[no-untyped-def]
    import grpc

    from fickan.notifications.v1 import notifications_pb2 as pb
    from fickan.notifications.v1 import notifications_pb2_grpc as pb_grpc

    with tempfile.TemporaryDirectory(prefix="fickan-bare-") as tmp:
        Path(tmp, "bare_server.py").write_text(BARE_SERVER)
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        grpc_port, http_port = free_port_number(), free_port_number()
        env = {**os.environ, "BARE_TARGET": f"127.0.0.1:{grpc_port}", "PYTHONPATH": tmp}
        server = subprocess.Popen(
            [sys.executable, str(Path(tmp, "bare_server.py")), str(grpc_port), str(args.streams + 16)], env=env
        )
        app = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                f"127.0.0.1:{http_port}",
                "--worker-class",
                "gevent",
                "--worker-connections",
                "2000",
                "--keep-alive",
                "75",
                "bare_app:app",
            ],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            time.sleep(1.0)
            worker = gunicorn_worker(app.pid)
            idle = rss_mb(worker)
            client = Streams()
            client.start()
            # The same fan-out as Fickan's: the streams in groups of one resident's share.
            groups = args.residents
            opened = [
                client.open(http_port, f"/stream?group={i % groups}", str(i % groups)) for i in range(args.streams)
            ]
            ok = wait_open(opened, args.time_cap)
            time.sleep(1.0)
            holding = rss_mb(worker)
            stub = pb_grpc.NotificationsServiceStub(grpc.insecure_channel(f"127.0.0.1:{grpc_port}"))
            sent: dict[str, float] = {}
            log(f"bare: {ok} streams open; firing {args.events} entries ...")
            chooser = random.Random(7)
            for i in range(args.events):
                ref = f"{chooser.randrange(groups)}:{i}"
                sent[ref] = time.time()
                stub.MarkRead(pb.MarkReadRequest(message_id=ref), timeout=5)
                time.sleep(0.25)
            time.sleep(3.0)
            client.close()
            latencies = [at - sent[d["message"]["reference"]] for s in opened for at, d in s.received]
            return {"streams_open": ok, "to_stream": latencies, "rss_idle": idle, "rss_holding": holding}
        finally:
            app.terminate()
            server.terminate()
            app.wait(timeout=10)
            server.wait(timeout=10)


def ms(value: float) -> str:
    return "n/a" if value != value else f"{value * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--time-cap", type=float, default=60.0)
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, flush=True)

    log("bare baseline (Flask -> grpcio, gevent worker) ...")
    bare = run_bare(args, log)
    log("Fickan (mobile BFF -> notifications, gevent worker) ...")
    fickan = run_fickan(args, log)

    facts = machine_facts()
    print()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(f"streams: {args.streams} ({args.residents} residents), events: {args.events}, one every 0.25 s")
    print()
    print("| latency (ms) | p50 | p99 | samples | p50 / bare | p99 / bare |")
    print("|---|---:|---:|---:|---:|---:|")
    b50, b99 = pct(bare["to_stream"], 50), pct(bare["to_stream"], 99)
    print(f"| bare fire -> open stream | {ms(b50)} | {ms(b99)} | {len(bare['to_stream'])} | 1.0 | 1.0 |")
    for name, values in (
        ("Fickan event -> inbox", fickan["to_inbox"]),
        ("Fickan event -> open stream", fickan["to_stream"]),
    ):
        p50, p99 = pct(values, 50), pct(values, 99)
        print(f"| {name} | {ms(p50)} | {ms(p99)} | {len(values)} | {p50 / b50:.1f} | {p99 / b99:.1f} |")
    print()
    print("| BFF worker RSS (MB) | idle | holding the streams | per stream (kB) |")
    print("|---|---:|---:|---:|")
    for name, r in (("bare Flask", bare), ("Fickan mobile BFF", fickan)):
        per = (r["rss_holding"] - r["rss_idle"]) * 1024 / max(r["streams_open"], 1)
        print(f"| {name} ({r['streams_open']} open) | {r['rss_idle']:.0f} | {r['rss_holding']:.0f} | {per:.0f} |")
    if fickan["events_missing"]:
        print(f"\n{fickan['events_missing']} of {args.events} events reached no stream within 3 s")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
