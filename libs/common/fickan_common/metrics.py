"""Prometheus metrics shared by every process. Each process serves them over HTTP."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

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


def serve_metrics(port: int) -> None:
    """Serve /metrics on the port (0 = do not serve)."""
    if port:
        start_http_server(port, addr="0.0.0.0")
