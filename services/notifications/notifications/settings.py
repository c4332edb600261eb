"""Settings of notifications, read once at start: the common service settings and its own."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_common.settings import ServiceSettings, env_bool, env_float, env_int, env_str

NAME = "notifications"


@dataclass(frozen=True)
class Settings(ServiceSettings):
    # Where links in e-mails and pushes point (the resident's web BFF).
    public_url: str = "http://127.0.0.1:8080"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "Fickan <no-reply@fickan.local>"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    # The VAPID key pair (PEM of the private key, made on first start when the file is missing).
    vapid_key_file: str = "var/data/vapid_private.pem"
    vapid_subject: str = "mailto:no-reply@fickan.local"
    # Web Push endpoints must be https; a test's push service double may be allowed plain http.
    push_allow_http_hosts: str = ""
    reminder_interval: float = 30.0
    delivery_interval: float = 1.0
    delivery_max_attempts: int = 8
    delivery_retry_base: float = 5.0  # seconds; doubled each try, at most an hour
    delivery_lease: float = 60.0
    stream_heartbeat: float = 15.0
    # A stream rereads its feed this often even when no event woke it (only a lost wake-up, e.g.
    # the broker away, needs it; 500 streams at 5 s were 100 reads a second for nothing).
    stream_poll: float = 30.0
    stream_max: int = 2000  # open streams one api process holds


def load() -> Settings:
    base = ServiceSettings.from_env(NAME, grpc_port=50053, metrics_port=9103)
    return Settings(
        **base.__dict__,
        public_url=env_str("FICKAN_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/"),
        smtp_host=env_str("FICKAN_SMTP_HOST", "127.0.0.1"),
        smtp_port=env_int("FICKAN_SMTP_PORT", 8025),
        smtp_from=env_str("FICKAN_SMTP_FROM", "Fickan <no-reply@fickan.local>"),
        smtp_user=env_str("FICKAN_SMTP_USER", ""),
        smtp_password=env_str("FICKAN_SMTP_PASSWORD", ""),
        smtp_starttls=env_bool("FICKAN_SMTP_STARTTLS", False),
        smtp_timeout=env_float("FICKAN_SMTP_TIMEOUT", 10.0),
        vapid_key_file=env_str("FICKAN_VAPID_KEY_FILE", "var/data/vapid_private.pem"),
        vapid_subject=env_str("FICKAN_VAPID_SUBJECT", "mailto:no-reply@fickan.local"),
        push_allow_http_hosts=env_str("FICKAN_PUSH_ALLOW_HTTP_HOSTS", ""),
        reminder_interval=env_float("FICKAN_REMINDER_INTERVAL", 30.0),
        delivery_interval=env_float("FICKAN_DELIVERY_INTERVAL", 1.0),
        delivery_max_attempts=env_int("FICKAN_DELIVERY_MAX_ATTEMPTS", 8),
        delivery_retry_base=env_float("FICKAN_DELIVERY_RETRY_BASE", 5.0),
        delivery_lease=env_float("FICKAN_DELIVERY_LEASE", 60.0),
        stream_heartbeat=env_float("FICKAN_STREAM_HEARTBEAT", 15.0),
        stream_poll=env_float("FICKAN_STREAM_POLL", 30.0),
        stream_max=env_int("FICKAN_STREAM_MAX", 2000),
    )
