"""The base of every BFF: correlation ids, JSON logs, hostile JSON refused, health, readiness, and
metrics on a port of their own."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from prometheus_client import Counter, Histogram

from fickan_bff.clients import Services
from fickan_bff.errors import InvalidIdempotencyKey
from fickan_bff.settings import BffSettings
from fickan_common.context import correlation_id, idempotency_key, new_correlation_id, valid_correlation_id
from fickan_common.idempotency import is_valid_key
from fickan_common.logs import setup_logging
from fickan_common.metrics import serve_metrics

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter("fickan_http_requests_total", "HTTP requests", ["endpoint", "method", "status"])
HTTP_LATENCY = Histogram("fickan_http_request_seconds", "HTTP request latency", ["endpoint"])


class HostileJsonRefused(ValueError):
    """A body no client of ours sends: nested deeper than the parser's recursion, or text that is not
    Unicode (a lone surrogate such as "\\ud800", which no protobuf string can hold)."""


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a hostile body is a ValueError (Flask's 400 for a bad body), not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
            # One dump finds a lone surrogate anywhere, keys included (they cannot be encoded).
            super().dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise HostileJsonRefused("nested too deep") from None
        except UnicodeEncodeError:
            raise HostileJsonRefused("not Unicode text") from None
        return data


def cooperate_with_gevent() -> bool:
    """Under gunicorn's gevent worker (sockets monkey-patched), make grpcio yield to other
    greenlets while it waits, so one open stream does not hold the process. Must run before the
    first channel is made; returns whether it did anything."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    if not monkey.is_module_patched("socket"):
        return False
    from grpc.experimental import gevent as grpc_gevent

    grpc_gevent.init_gevent()
    return True


def create_base_app(name: str, settings: BffSettings, services: Services | None = None, insights: bool = True) -> Flask:
    """The Flask app every BFF builds on. `services` default to the targets in `settings`;
    `insights=False` for a BFF that never asks insights."""
    setup_logging(name, settings.log_level)
    cooperate_with_gevent()
    app = Flask(name)
    app.json = SafeJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = 1 * 1024 * 1024  # bodies of this slice are small
    services = services or Services.from_settings(settings, name, insights=insights)
    app.extensions["fickan_services"] = services
    app.extensions["fickan_verifier"] = services.token_verifier()

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Correlation-Id")
        g.cid_token = correlation_id.set(incoming if valid_correlation_id(incoming) else new_correlation_id())
        # A client's key for this command (e.g. a retried POST): the services' commands honour it.
        key = request.headers.get("Idempotency-Key")
        if key is not None and not is_valid_key(key):
            raise InvalidIdempotencyKey()
        g.idempotency_token = idempotency_key.set(key or "")
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Correlation-Id"] = correlation_id.get()
        endpoint = request.endpoint or "unknown"
        HTTP_REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        HTTP_LATENCY.labels(endpoint).observe(elapsed)
        # One access line per request; the endpoint name, never the path (paths may carry ids).
        log.log(
            logging.WARNING if response.status_code >= 500 else logging.INFO,
            "request",
            extra={
                "fields": {
                    "endpoint": endpoint,
                    "method": request.method,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                }
            },
        )
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        token = g.pop("cid_token", None)
        if token is not None:
            correlation_id.reset(token)
        key_token = g.pop("idempotency_token", None)
        if key_token is not None:
            idempotency_key.reset(key_token)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        """Ready whenever this process can answer. A service that is down does not take the BFF out
        of rotation: its pages answer fast with a clear error (Swedish first, English too) and the
        others work, while a BFF taken out would leave residents the load balancer's bare error for
        everything. Which services answer is shown, for people; short deadlines keep a hung service
        from making the probe itself time out."""
        checks = {name: client.healthy(timeout=0.3) for name, client in services.all().items()}
        down = sorted(name for name, up in checks.items() if not up)
        return jsonify(ready=True, services=checks, degraded=down), 200

    # Metrics on a port of their own (FICKAN_METRICS_PORT), which the cluster's Prometheus reaches and
    # the Service and ingress do not: endpoint names, counts and timings are nobody else's business.
    serve_bff_metrics(settings.metrics_port)
    return app


_metrics_served: set[int] = set()


def serve_bff_metrics(port: int) -> None:
    """Serve /metrics on `port` once per process (0: not at all). A second gunicorn worker finds the
    port taken and says so: run one worker with threads (as the manifests do)."""
    if not port or port in _metrics_served:
        return
    try:
        serve_metrics(port)
    except OSError:
        log.warning("metrics port taken: another worker of this BFF serves it", extra={"fields": {"port": port}})
        return
    _metrics_served.add(port)


def services_of(app: Flask) -> Services:
    return app.extensions["fickan_services"]
