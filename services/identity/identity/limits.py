"""Limits on logging in: what an attacker needs is limited, not the network a resident shares.

- per personnummer: login starts naming one person (someone pestering a person with BankID requests);
- per client: starts from one browser or phone (the key its BFF gives, never a personnummer);
- failed collects per IP address: polls with an unknown order or a wrong collect secret, which is
  what guessing or replaying a leaked order reference looks like;
- the BankID order rate: all starts of this process per minute, so a flood cannot run up the
  municipality's BankID agreement;
- per IP address only a high ceiling: mobile operators put many subscribers behind one IPv4 address
  (carrier-grade NAT) and a library's computers share one, so on the first morning of an
  application period hundreds of residents may rightly come from one address.

Counts live in the api process's memory (a sliding window per key). A personnummer is never a key
as such: it is keyed by HMAC-SHA256 under a random per-process secret, so the limiter's memory holds
nothing that gives the number back (a plain hash of the few million valid numbers would).
With several api replicas each counts on its own, so the effective limit is replicas x limit.
A limit of 0 is no limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

# Which limit refused a start (the service says each in its own words).
PERSON, CLIENT, IP, ORDER_RATE = "person", "client", "ip", "order_rate"


@dataclass(frozen=True)
class LoginLimits:
    per_ip: int = 1000  # starts per IP address per window: a ceiling, not the defence
    per_person: int = 5  # starts naming one personnummer per window
    per_client: int = 20  # starts from one browser or phone per window
    failed_collects_per_ip: int = 60  # collects of unknown orders or with a wrong secret per window
    orders_per_minute: int = 600  # BankID orders this process starts per minute, everyone together
    window: float = 600.0  # seconds


class LoginLimiter:
    def __init__(self, limits: LoginLimits | None = None) -> None:
        self.limits = limits or LoginLimits()
        self._secret = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _key(self, kind: str, value: str) -> str:
        """Personnummer and client keys are kept only as a keyed hash (see above)."""
        return f"{kind}:" + hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()

    def person_key(self, personal_number: str) -> str:
        return self._key("p", personal_number)

    def _over(self, key: str, limit: int, window: float, now: float) -> bool:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > window:
            hits.popleft()
        return limit > 0 and len(hits) >= limit

    def start_refused(self, ip: str, personal_number: str = "", client_key: str = "") -> str | None:
        """Counts one login start; the limit it is over (PERSON, CLIENT, IP or ORDER_RATE), or None
        when it may go ahead. A refused start counts for nothing. A start without a personnummer (the
        QR code) counts for its client, its IP address and the order rate."""
        now = time.monotonic()
        window = self.limits.window
        checks = [(self._key("c", client_key), self.limits.per_client, window, CLIENT)] if client_key else []
        if personal_number:
            checks.insert(0, (self.person_key(personal_number), self.limits.per_person, window, PERSON))
        checks += [
            ("i:" + ip, self.limits.per_ip, window, IP),
            ("orders", self.limits.orders_per_minute, 60.0, ORDER_RATE),
        ]
        with self._lock:
            self._tidy(now)
            for key, limit, span, which in checks:
                if self._over(key, limit, span, now):
                    return which
            for key, *_ in checks:
                self._hits[key].append(now)
        return None

    def allow(self, ip: str, personal_number: str, client_key: str = "") -> bool:
        return self.start_refused(ip, personal_number, client_key) is None

    def collects_refused(self, ip: str) -> bool:
        """True when this IP address has had too many failed collects lately."""
        with self._lock:
            return self._over("f:" + ip, self.limits.failed_collects_per_ip, self.limits.window, time.monotonic())

    def failed_collect(self, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._tidy(now)
            self._over("f:" + ip, 0, self.limits.window, now)
            self._hits["f:" + ip].append(now)

    def _tidy(self, now: float) -> None:
        if len(self._hits) > 100_000:
            for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] > self.limits.window]:
                del self._hits[key]

    def forget(self) -> None:
        """Every count forgotten (the limits stay): a fresh start, as after a restart."""
        with self._lock:
            self._hits.clear()

    def keys(self) -> list[str]:
        """The keys held (for tests: no personnummer among them)."""
        with self._lock:
            return list(self._hits)
