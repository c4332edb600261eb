"""Waking the open streams of the api process.

The worker writes feed entries; the api holds the streams. The worker's feed_appended events reach
the api through a queue of its own (exclusive, gone with the process) and wake the streams of that
resident, which then read their feed from the database. The database stays the truth: a stream
also rereads its feed every few seconds, so a lost wake-up (broker away) only delays an entry.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict

import kombu

log = logging.getLogger(__name__)


class Hub:
    """Per resident, the wake-up events of the streams open in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[threading.Event]] = defaultdict(set)

    def register(self, recipient_id: str) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._waiters[recipient_id].add(event)
        return event

    def unregister(self, recipient_id: str, event: threading.Event) -> None:
        with self._lock:
            waiters = self._waiters.get(recipient_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[recipient_id]

    def wake(self, recipient_id: str) -> None:
        with self._lock:
            waiters = list(self._waiters.get(recipient_id, ()))
        for event in waiters:
            event.set()

    def open_streams(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._waiters.values())


class FeedListener:
    """Consumes notifications' own feed_appended events in a daemon thread and wakes the hub.
    Reconnects after a broker outage; the streams' rereads cover the gap."""

    def __init__(self, amqp_uri: str, hub: Hub, service: str = "notifications") -> None:
        self.amqp_uri = amqp_uri
        self.hub = hub
        self.exchange = kombu.Exchange(f"{service}.events", type="topic", durable=True)
        self.queue_name = f"{service}-api-feed-{uuid.uuid4().hex[:12]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-listener", daemon=True)
        self.ready = threading.Event()

    def start(self) -> FeedListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _on_message(self, body, message) -> None:  # type: ignore[no-untyped-def]
        data = body.get("data") if isinstance(body, dict) else None
        recipient = data.get("recipient_id") if isinstance(data, dict) else None
        if isinstance(recipient, str) and recipient:
            self.hub.wake(recipient)
        message.ack()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with kombu.Connection(self.amqp_uri, connect_timeout=3, heartbeat=30) as conn:
                    queue = kombu.Queue(
                        self.queue_name,
                        exchange=self.exchange,
                        routing_key="feed_appended",
                        exclusive=True,
                        auto_delete=True,
                        durable=False,
                    )
                    with conn.Consumer([queue], callbacks=[self._on_message], accept=["json"]):
                        self.ready.set()
                        while not self._stop.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as exc:  # noqa: BLE001 - broker away: try again shortly
                self.ready.clear()
                log.warning("feed listener reconnecting", extra={"fields": {"error": str(exc)}})
                self._stop.wait(2)
