"""The sessions identity has revoked, kept by every process that verifies access tokens.

Access tokens are verified offline (a signature and an expiry), so without this a token of a session
that ended (logout, a refresh token used twice, a change of roles, a device removed) would keep
working until it expires. identity announces each revocation as a `session_revoked` event; each
process follows them on a queue of its own (exclusive, deleted when the process goes: every process
must see every revocation, unlike a work queue) and, before the first event, loads the list of
recent revocations (identity's ListRevokedSessions). A session is forgotten once its tokens have
expired anyway (`forget_after`), so the set stays small.

While the broker is unreachable the feed keeps the sessions it knows and reconnects; on reconnect it
loads the list again, so a revocation missed meanwhile is caught up. It does not refuse every token
while it is down (a broker outage must not log everyone out); `connected` and the gauge say so.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

import kombu
from prometheus_client import Gauge

log = logging.getLogger(__name__)

EXCHANGE = "identity.events"
EVENT = "session_revoked"
FEED_CONNECTED = Gauge("fickan_revocation_feed_connected", "1 while the revocation feed follows identity's events")
REVOKED_HELD = Gauge("fickan_revoked_sessions_held", "Revoked sessions this process still refuses")

Loader = Callable[[], Iterable[tuple[str, float]]]  # (session id, forget after as epoch seconds)


def epoch(value: str | datetime | float | int | None, default: float) -> float:
    """An RFC 3339 time (as protobuf's JSON writes it) or a datetime as epoch seconds."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return default
    return default


class RevocationFeed:
    # When an event carries no forget_after: the longest an access token lives, and a margin.
    DEFAULT_KEEP = 3600.0

    def __init__(self, amqp_uri: str | None, load: Loader | None = None, name: str = "") -> None:
        self.amqp_uri = amqp_uri
        self.load = load
        self.name = name or "process"
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()  # set while consuming, after the list was loaded

    # -- what verifiers ask ------------------------------------------------------------------------
    def is_revoked(self, session_id: str) -> bool:
        if not session_id:
            return False
        with self._lock:
            forget_after = self._revoked.get(session_id)
            if forget_after is None:
                return False
            if forget_after < time.time():
                del self._revoked[session_id]
                return False
            return True

    def revoke(self, session_id: str, forget_after: float | None = None) -> None:
        """Hold one session as revoked (from an event, the list, or this process's own logout)."""
        if not session_id:
            return
        until = forget_after if forget_after is not None else time.time() + self.DEFAULT_KEEP
        now = time.time()
        with self._lock:
            if until > now:
                self._revoked[session_id] = max(until, self._revoked.get(session_id, 0.0))
            if len(self._revoked) > 1000 and len(self._revoked) % 1000 == 0:
                for sid in [s for s, t in self._revoked.items() if t < now]:
                    del self._revoked[sid]
            REVOKED_HELD.set(len(self._revoked))

    # -- following identity ------------------------------------------------------------------------
    def start(self) -> RevocationFeed:
        """Follows identity's events in a daemon thread (once; later calls do nothing)."""
        if self._thread is None and self.amqp_uri:
            self._thread = threading.Thread(target=self._run, name="revocation-feed", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _load_list(self) -> None:
        if self.load is None:
            return
        for sid, forget_after in self.load():
            self.revoke(sid, forget_after)

    def _on_message(self, body: object, message: kombu.Message) -> None:
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and isinstance(data.get("session_id"), str):
            self.revoke(data["session_id"], epoch(data.get("forget_after"), time.time() + self.DEFAULT_KEEP))

    def _run(self) -> None:
        backoff = 0.5
        exchange = kombu.Exchange(EXCHANGE, type="topic", durable=True)
        while not self._stop.is_set():
            queue = kombu.Queue(
                f"fickan.revocations.{self.name}.{uuid.uuid4().hex[:12]}",
                exchange,
                routing_key=EVENT,
                exclusive=True,
                auto_delete=True,
                durable=False,
            )
            try:
                with kombu.Connection(self.amqp_uri, heartbeat=30, connect_timeout=5) as conn:
                    conn.ensure_connection(max_retries=1)
                    with conn.Consumer(queue, callbacks=[self._on_message], accept=["json"], no_ack=True):
                        # The queue is bound before the list is read: a revocation in between is in both.
                        self._load_list()
                        self.connected.set()
                        FEED_CONNECTED.set(1)
                        backoff = 0.5
                        log.info("revocation feed following identity's events")
                        while not self._stop.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:  # socket.timeout is this too
                                conn.heartbeat_check()
            except Exception as exc:  # noqa: BLE001 - the broker or identity is away: keep what we hold, retry
                if self.connected.is_set():
                    log.warning("revocation feed lost", extra={"fields": {"error": type(exc).__name__}})
                self.connected.clear()
                FEED_CONNECTED.set(0)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 15.0)
        self.connected.clear()
        FEED_CONNECTED.set(0)


def wait_until_following(feeds: Iterable[RevocationFeed], timeout: float = 10.0) -> bool:
    """For tests and start-up checks: True once every feed follows the events."""
    deadline = time.monotonic() + timeout
    return all(feed.connected.wait(max(0.0, deadline - time.monotonic())) for feed in feeds)
