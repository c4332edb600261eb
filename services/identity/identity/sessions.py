"""Sessions and refresh tokens.

A login opens a session (per device) and gives a short-lived access token plus a refresh token.
Each refresh token works once: using it gives a new pair and marks it used. Using a used one again
means it was copied, so the whole session is revoked (every token of it stops working). Sessions
end after an idle time and an absolute time, both per device; logout revokes at once.
Only the SHA-256 of a refresh token is stored (it is 256 random bits, so no salt is needed).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

DEFAULT_IDLE = {"web": 30 * 60, "mobile": 14 * 24 * 3600, "watch": 30 * 24 * 3600}
DEFAULT_ABSOLUTE = {"web": 12 * 3600, "mobile": 90 * 24 * 3600, "watch": 180 * 24 * 3600}


@dataclass(frozen=True)
class SessionPolicy:
    idle: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_IDLE))
    absolute: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ABSOLUTE))

    def idle_for(self, device: str) -> int:
        return self.idle.get(device, DEFAULT_IDLE["web"])

    def absolute_for(self, device: str) -> int:
        return self.absolute.get(device, DEFAULT_ABSOLUTE["web"])


def new_refresh_token() -> tuple[str, str]:
    """(the token to hand out, the hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
