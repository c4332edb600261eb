"""Twelve-factor settings: environment variables with safe local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"setting {name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SystemExit(f"setting {name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"setting {name} must be a number, got {raw!r}") from None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ServiceSettings:
    """The settings every service has; a service adds its own beside them."""

    name: str
    database_url: str
    grpc_port: int
    metrics_port: int
    amqp_uri: str
    identity_target: str
    log_level: str

    @classmethod
    def from_env(cls, name: str, grpc_port: int, metrics_port: int) -> ServiceSettings:
        return cls(
            name=name,
            database_url=env_str("FICKAN_DATABASE_URL", f"sqlite:///var/data/{name}.db"),
            grpc_port=env_int("FICKAN_GRPC_PORT", grpc_port),
            metrics_port=env_int("FICKAN_METRICS_PORT", metrics_port),
            amqp_uri=env_str("FICKAN_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
            identity_target=env_str("FICKAN_IDENTITY_TARGET", "127.0.0.1:50051"),
            log_level=env_str("FICKAN_LOG_LEVEL", "INFO"),
        )


@dataclass(frozen=True)
class RuntimeSettings:
    """What the shared runtime reads: the grpc api's shutdown and the nameko worker's probes. The same
    in every service, so read here and not in each service's settings."""

    shutdown_grace: float  # seconds calls in flight get to finish after SIGTERM
    shutdown_delay: float  # seconds new calls are still taken after NOT_SERVING
    worker_metrics_port: int  # the worker's /metrics, /healthz and /readyz (0: none)
    worker_stale_seconds: float  # a worker whose loops did not turn for this long is not alive
    worker_handler_limit_seconds: float  # ... nor one whose handler runs longer than this


def runtime() -> RuntimeSettings:
    return RuntimeSettings(
        shutdown_grace=env_float("FICKAN_SHUTDOWN_GRACE", 20.0),
        shutdown_delay=env_float("FICKAN_SHUTDOWN_DELAY", 0.5),
        worker_metrics_port=env_int("FICKAN_METRICS_PORT", 0),
        worker_stale_seconds=env_float("FICKAN_WORKER_STALE_SECONDS", 60.0),
        worker_handler_limit_seconds=env_float("FICKAN_WORKER_HANDLER_LIMIT_SECONDS", 300.0),
    )


QUEUE_TYPES = ("classic", "quorum")


def queue_arguments() -> dict[str, str]:
    """The arguments every durable service queue is declared with (FICKAN_AMQP_QUEUE_TYPE): none for
    RabbitMQ's classic queues (the default: one local broker), x-queue-type=quorum on a cluster, where
    a quorum queue is replicated to a majority of the nodes and survives losing one. The migrate step
    and the worker must declare a queue with the same arguments, or RabbitMQ refuses the second."""
    kind = env_str("FICKAN_AMQP_QUEUE_TYPE", "classic").strip().lower() or "classic"
    if kind not in QUEUE_TYPES:
        raise SystemExit(f"setting FICKAN_AMQP_QUEUE_TYPE must be one of {', '.join(QUEUE_TYPES)}, got {kind!r}")
    return {} if kind == "classic" else {"x-queue-type": kind}
