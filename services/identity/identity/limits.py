"""Rate limits and lockouts on login starts, per IP address and per personnummer.

Counts live in the api process's memory (a sliding window per key). A personnummer is never a key
as such: it is keyed by HMAC-SHA256 under a random per-process secret, so the limiter's memory holds
nothing that gives the number back (a plain hash of the few million valid numbers would).
With several api replicas each counts on its own, so the effective limit is replicas x limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque


class LoginLimiter:
    def __init__(self, per_ip: int = 30, per_person: int = 5, window: float = 600.0) -> None:
        self.per_ip = per_ip
        self.per_person = per_person
        self.window = window
        self._secret = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def person_key(self, personal_number: str) -> str:
        return "p:" + hmac.new(self._secret, personal_number.encode(), hashlib.sha256).hexdigest()

    def allow(self, ip: str, personal_number: str) -> bool:
        """Counts one login start; False when the IP or the person is over the limit (locked out until
        the window has passed since their oldest counted start). A start without a personnummer (the
        QR code) counts for the IP only."""
        now = time.monotonic()
        keys = [("i:" + ip, self.per_ip)]
        if personal_number:
            keys.append((self.person_key(personal_number), self.per_person))
        with self._lock:
            if len(self._hits) > 100_000:
                self._forget(now)
            for key, limit in keys:
                hits = self._hits.setdefault(key, deque())
                while hits and now - hits[0] > self.window:
                    hits.popleft()
                if limit > 0 and len(hits) >= limit:
                    return False
            for key, _ in keys:
                self._hits[key].append(now)
        return True

    def _forget(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] > self.window]:
            del self._hits[key]

    def keys(self) -> list[str]:
        """The keys held (for tests: no personnummer among them)."""
        with self._lock:
            return list(self._hits)
