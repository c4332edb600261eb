from __future__ import annotations

from dataclasses import dataclass

from fickan_common.settings import ServiceSettings, env_bool, env_float, env_int, env_str
from identity.limits import LoginLimits

NAME = "identity"


@dataclass(frozen=True)
class IdentitySettings:
    service: ServiceSettings
    keys_dir: str  # PEM files of the token signing keys; the newest signs, all verify
    generate_keys: bool  # create a key when the folder has none (local use; off in production)
    access_token_ttl: int  # seconds
    bankid_simulator: bool  # the built-in BankID simulator; never on unless this says so
    simulator_pending_collects: int  # collects answered "pending" before the simulator completes
    simulator_host: str  # where the embedded simulator listens (loopback by default)
    simulator_port: int
    bankid_url: str  # the RP API base URL, ending in /rp/v6.0/ (empty with the simulator)
    bankid_cert: str  # client certificate: PKCS#12 (.p12/.pfx) or PEM
    bankid_key: str  # PEM key when not inside the certificate file
    bankid_cert_password: str
    bankid_ca: str  # PEM of the CA that issued BankID's server certificate
    bankid_timeout: int  # seconds per RP API call
    bankid_collect_interval: float  # seconds between collects of one order (BankID says 2)
    return_schemes: tuple[str, ...]  # URL schemes of the phone app BankID may return to
    return_hosts: tuple[str, ...]  # the municipality's hosts an https return address may lead to
    refresh_idle: dict[str, int]  # seconds a session may go unused, per device
    refresh_absolute: dict[str, int]  # seconds a session may last at most, per device
    login_limits: LoginLimits  # see identity.limits: what each limit is for


def load() -> IdentitySettings:
    return IdentitySettings(
        service=ServiceSettings.from_env(NAME, grpc_port=50051, metrics_port=9101),
        keys_dir=env_str("FICKAN_IDENTITY_SIGNING_KEYS_DIR", "var/keys/identity"),
        generate_keys=env_bool("FICKAN_IDENTITY_GENERATE_KEYS", True),
        access_token_ttl=env_int("FICKAN_ACCESS_TOKEN_TTL", 900),
        bankid_simulator=env_bool("FICKAN_BANKID_SIMULATOR", False),
        simulator_pending_collects=env_int("FICKAN_BANKID_SIMULATOR_PENDING_COLLECTS", 1),
        simulator_host=env_str("FICKAN_BANKID_SIMULATOR_HOST", "127.0.0.1"),
        simulator_port=env_int("FICKAN_BANKID_SIMULATOR_PORT", 8585),
        bankid_url=env_str("FICKAN_BANKID_URL", ""),
        bankid_cert=env_str("FICKAN_BANKID_CERT", ""),
        bankid_key=env_str("FICKAN_BANKID_KEY", ""),
        bankid_cert_password=env_str("FICKAN_BANKID_CERT_PASSWORD", ""),
        bankid_ca=env_str("FICKAN_BANKID_CA", ""),
        bankid_timeout=env_int("FICKAN_BANKID_TIMEOUT", 5),
        bankid_collect_interval=env_float("FICKAN_BANKID_COLLECT_INTERVAL", 2.0),
        return_schemes=tuple(s for s in env_str("FICKAN_APP_RETURN_SCHEMES", "fickan").split(",") if s),
        return_hosts=tuple(h.strip() for h in env_str("FICKAN_RETURN_URL_HOSTS", "").split(",") if h.strip()),
        refresh_idle={
            "web": env_int("FICKAN_SESSION_IDLE_WEB", 30 * 60),
            "mobile": env_int("FICKAN_SESSION_IDLE_MOBILE", 14 * 24 * 3600),
            "watch": env_int("FICKAN_SESSION_IDLE_WATCH", 30 * 24 * 3600),
        },
        refresh_absolute={
            "web": env_int("FICKAN_SESSION_MAX_WEB", 12 * 3600),
            "mobile": env_int("FICKAN_SESSION_MAX_MOBILE", 90 * 24 * 3600),
            "watch": env_int("FICKAN_SESSION_MAX_WATCH", 180 * 24 * 3600),
        },
        login_limits=LoginLimits(
            per_ip=env_int("FICKAN_LOGIN_LIMIT_PER_IP", 1000),
            per_person=env_int("FICKAN_LOGIN_LIMIT_PER_PERSON", 5),
            per_client=env_int("FICKAN_LOGIN_LIMIT_PER_CLIENT", 20),
            failed_collects_per_ip=env_int("FICKAN_LOGIN_LIMIT_FAILED_COLLECTS_PER_IP", 60),
            orders_per_minute=env_int("FICKAN_LOGIN_LIMIT_ORDERS_PER_MINUTE", 600),
            window=env_int("FICKAN_LOGIN_LIMIT_WINDOW", 600),
        ),
    )
