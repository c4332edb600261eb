"""What every BFF reads from the environment, read once when its app is made; each BFF's own
settings.py adds its own beside these. No other module of a BFF reads the environment (a test in
each BFF checks it), so a BFF's whole configuration is in two small files."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_common.settings import env_int, env_str


@dataclass(frozen=True)
class BffSettings:
    identity_target: str
    applications_target: str
    notifications_target: str
    contact_target: str
    insights_target: str
    grpc_timeout: float  # seconds, each call to a service
    amqp_uri: str  # identity's revocation events
    log_level: str
    metrics_port: int  # 0: none (the metrics listen on a port of their own)


def load() -> BffSettings:
    return BffSettings(
        identity_target=env_str("FICKAN_IDENTITY_TARGET", "127.0.0.1:50051"),
        applications_target=env_str("FICKAN_APPLICATIONS_TARGET", "127.0.0.1:50052"),
        notifications_target=env_str("FICKAN_NOTIFICATIONS_TARGET", "127.0.0.1:50053"),
        contact_target=env_str("FICKAN_CONTACT_TARGET", "127.0.0.1:50054"),
        insights_target=env_str("FICKAN_INSIGHTS_TARGET", "127.0.0.1:50055"),
        grpc_timeout=float(env_int("FICKAN_GRPC_TIMEOUT", 3)),
        amqp_uri=env_str("FICKAN_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
        log_level=env_str("FICKAN_LOG_LEVEL", "INFO"),
        metrics_port=env_int("FICKAN_METRICS_PORT", 0),
    )
