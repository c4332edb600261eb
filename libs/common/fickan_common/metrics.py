"""Prometheus metrics shared by every process. Each process serves them over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

GRPC_REQUESTS = Counter("fickan_grpc_requests_total", "gRPC requests served", ["method", "code"])
GRPC_LATENCY = Histogram(
    "fickan_grpc_request_seconds",
    "gRPC request latency",
    ["method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter("fickan_events_published_total", "events published to the broker", ["event_type"])
EVENTS_HANDLED = Counter("fickan_events_handled_total", "events handled", ["handler", "outcome"])
OUTBOX_BACKLOG = Gauge("fickan_outbox_backlog", "outbox rows not yet published")
GRPC_STREAMS = Gauge("fickan_grpc_open_streams", "server streams open now", ["method"])
BUSINESS = Counter("fickan_business_events_total", "business facts, e.g. applications submitted", ["fact"])


# A probe: (passing, details shown as JSON).
Check = Callable[[], tuple[bool, dict[str, Any]]]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # probes every few seconds would drown the log


def serve_metrics(port: int, checks: Mapping[str, Check] | None = None) -> None:
    """Serve the metrics on the port (0 = do not serve), and each check on its own path (a worker's
    /healthz and /readyz): 200 when it passes, 503 when not, with its details as JSON."""
    if not port:
        return
    metrics_app = make_wsgi_app()
    routes = dict(checks or {})

    def app(wsgi_env, start_response):  # type: ignore[no-untyped-def]
        check = routes.get(wsgi_env.get("PATH_INFO", ""))
        if check is None:
            return metrics_app(wsgi_env, start_response)
        passing, details = check()
        body = json.dumps({"ok": passing, **details}).encode()
        status = "200 OK" if passing else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server("0.0.0.0", port, app, ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name=f"metrics-{port}").start()
