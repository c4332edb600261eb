"""What a worker's probes read (one worker container per process, so one record per process).

- **live** (`/healthz` on the metrics port): the process is doing its job. Its event loop turns (a
  beat at least every second), its broker consumer turns (a beat per pass of its consume loop, or
  per reconnect attempt while the broker is away: retrying is not stuck), and no event handler has
  been running longer than the limit (a handler hung on a socket without a timeout holds a prefetch
  slot for ever; ten of them stop consumption). Failing this, k8s (or `make up`'s supervisor)
  restarts the process.
- **ready** (`/readyz`): live, and its consumer is connected to the broker now. A worker without
  event handlers (insights) consumes nothing; for it both mean that its loop and timers run.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fickan_common.settings import runtime

_runtime = runtime()
STALE_AFTER = _runtime.worker_stale_seconds
HANDLER_LIMIT = _runtime.worker_handler_limit_seconds


class WorkerLiveness:
    def __init__(self, stale_after: float = STALE_AFTER, handler_limit: float = HANDLER_LIMIT) -> None:
        self.stale_after = stale_after
        self.handler_limit = handler_limit
        self._lock = threading.Lock()
        now = time.monotonic()
        self.loop_beat = now
        self.consumer_beat = now
        self.consumes = False  # set when the worker's broker consumer starts
        self.connected = False
        self._running: dict[int, tuple[str, float]] = {}  # handler run id -> (handler, started)

    # -- written by the worker -------------------------------------------------------------------
    def beat_loop(self) -> None:
        self.loop_beat = time.monotonic()

    def consumer_starting(self) -> None:
        self.consumes = True
        self.consumer_beat = time.monotonic()

    def beat_consumer(self, connected: bool | None = None) -> None:
        self.consumer_beat = time.monotonic()
        if connected is not None:
            self.connected = connected

    def disconnected(self) -> None:
        self.connected = False

    def handler_started(self, run_id: int, handler: str) -> None:
        with self._lock:
            self._running[run_id] = (handler, time.monotonic())

    def handler_ended(self, run_id: int) -> None:
        with self._lock:
            self._running.pop(run_id, None)

    # -- read by the probes ----------------------------------------------------------------------
    def live(self) -> tuple[bool, dict[str, Any]]:
        now = time.monotonic()
        problems = []
        if now - self.loop_beat > self.stale_after:
            problems.append(f"event loop silent for {now - self.loop_beat:.0f} s")
        if self.consumes and now - self.consumer_beat > self.stale_after:
            problems.append(f"consumer silent for {now - self.consumer_beat:.0f} s")
        with self._lock:
            running = list(self._running.values())
        hung = sorted({name for name, started in running if now - started > self.handler_limit})
        if hung:
            problems.append(f"handlers running longer than {self.handler_limit:.0f} s: {', '.join(hung)}")
        detail: dict[str, Any] = {
            "consumes": self.consumes,
            "connected": self.connected,
            "consumer_beat_age": round(now - self.consumer_beat, 1) if self.consumes else None,
            "handlers_running": len(running),
        }
        if problems:
            detail["problems"] = problems
        return not problems, detail

    def ready(self) -> tuple[bool, dict[str, Any]]:
        live, detail = self.live()
        ready = live and (self.connected or not self.consumes)
        if live and not ready:
            detail["problems"] = ["not connected to the broker"]
        return ready, detail


# The one record of this worker process.
WORKER = WorkerLiveness()
