from __future__ import annotations

from dataclasses import dataclass

from fickan_common.settings import ServiceSettings, env_bool, env_int, env_str

NAME = "identity"


@dataclass(frozen=True)
class IdentitySettings:
    service: ServiceSettings
    keys_dir: str  # PEM files of the token signing keys; the newest signs, all verify
    generate_keys: bool  # create a key when the folder has none (local use; off in production)
    access_token_ttl: int  # seconds
    bankid_simulator: bool  # the built-in BankID simulator; never on unless this says so
    simulator_pending_collects: int  # collects answered "pending" before the simulator completes


def load() -> IdentitySettings:
    return IdentitySettings(
        service=ServiceSettings.from_env(NAME, grpc_port=50051, metrics_port=9101),
        keys_dir=env_str("FICKAN_IDENTITY_SIGNING_KEYS_DIR", "var/keys/identity"),
        generate_keys=env_bool("FICKAN_IDENTITY_GENERATE_KEYS", True),
        access_token_ttl=env_int("FICKAN_ACCESS_TOKEN_TTL", 900),
        bankid_simulator=env_bool("FICKAN_BANKID_SIMULATOR", False),
        simulator_pending_collects=env_int("FICKAN_BANKID_SIMULATOR_PENDING_COLLECTS", 1),
    )
