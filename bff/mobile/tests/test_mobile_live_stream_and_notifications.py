"""GET /v1/stream relays the real notifications service's live feed as Server-Sent Events (the
service runs in-process on SQLite): a decision arrives on the open stream, Last-Event-ID resumes,
heartbeats flow, a bad token or id is refused; preferences, archive and push subscriptions."""

from __future__ import annotations

import itertools
import queue
import threading
import uuid

import pytest
from conftest import someone

from fickan.applications.events.v1 import events_pb2 as app_events
from fickan_bff.testing import RealServices as World
from notifications.testing import RunningNotifications


@pytest.fixture
def notes(world: World) -> RunningNotifications:
    return world.notifications


@pytest.fixture
def live_client(client):  # type: ignore[no-untyped-def]
    return client


_next = itertools.count()


def who(world: World) -> tuple[str, dict[str, str]]:
    """A resident logged in with BankID (another one each call)."""
    person = someone(world, next(_next) % 6)
    return person.user_id, person.headers


def decided(user: str, amount: int) -> app_events.DecisionMade:
    return app_events.DecisionMade(
        application_id=str(uuid.uuid4()), resident_ids=[user], outcome="approved", amount=amount, period="2026-12"
    )


class Events:
    """Parses an SSE body as it arrives, in a thread."""

    def __init__(self, response) -> None:  # type: ignore[no-untyped-def]
        self.response = response
        self.items: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        buffer = ""
        for chunk in self.response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                self.items.put(block)

    def next(self, starts: str, timeout: float = 10) -> str:
        while True:
            block = self.items.get(timeout=timeout)
            if any(line.startswith(starts) for line in block.splitlines()):
                return block


def test_a_decision_arrives_on_the_open_stream_and_last_event_id_resumes(
    world: World, notes: RunningNotifications, live_client
) -> None:  # type: ignore[no-untyped-def]
    user, headers = who(world)
    response = live_client.get("/v1/stream", headers=headers, buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    events = Events(response)
    assert '"unread":0' in events.next("event: hello")
    notes.event("applications", "decision_made", decided(user, 4200))
    block = events.next("event: message")
    assert "id: 1" in block and "4\u00a0200 kr" in block and '"kind":"decision_approved"' in block
    assert events.next(": heartbeat")
    # (the open streams end when the service stops at the end of the test)

    # Offline for a while: two more facts; the app comes back with the last id it had.
    notes.event("applications", "decision_made", decided(user, 1))
    notes.event("applications", "decision_made", decided(user, 2))
    again = Events(live_client.get("/v1/stream", headers={**headers, "Last-Event-ID": "1"}, buffered=False))
    assert "id: 2" in again.next("event: message")
    assert "id: 3" in again.next("event: message")


@pytest.mark.parametrize("last_id", ["abc", "-1", "1e9", "99999999999999999999999"])
def test_a_bad_last_event_id_is_a_clear_400(world: World, live_client, last_id: str) -> None:  # type: ignore[no-untyped-def]
    _, headers = who(world)
    response = live_client.get("/v1/stream", headers={**headers, "Last-Event-ID": last_id})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["Last-Event-ID"]


def test_a_stream_with_an_expired_token_is_refused_with_401(world: World, live_client) -> None:  # type: ignore[no-untyped-def]
    token = world.identity.token(str(uuid.uuid4()), ttl=-120, device="mobile")
    response = live_client.get("/v1/stream", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert live_client.get("/v1/stream").status_code == 401


def test_preferences_archive_and_push_subscriptions_through_the_app_api(
    world: World, notes: RunningNotifications, live_client
) -> None:  # type: ignore[no-untyped-def]
    user, headers = who(world)
    body = {
        "language": "en",
        "email": "me@example.se",
        "channels": [{"kind": "", "email": True, "push": False}],
        "quietStart": "21:00",
        "quietEnd": "08:00",
    }
    answer = live_client.put("/v1/notifications/preferences", json=body, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["emailConfirmed"] is False and answer.get_json()["language"] == "en"
    bad = live_client.put("/v1/notifications/preferences", json={**body, "quietStart": "9pm"}, headers=headers)
    assert bad.status_code == 400
    wrong = live_client.post("/v1/notifications/email/confirm", json={"token": "guess"}, headers=headers)
    assert wrong.status_code == 400

    foreign = live_client.post(
        "/v1/push/subscriptions",
        json={"endpoint": "http://evil.example/push", "p256dh": "x", "auth": "y"},
        headers=headers,
    )
    assert foreign.status_code == 400 and "endpoint" in foreign.get_json()["error"]["fields"]
    assert live_client.get("/v1/push/config", headers=headers).get_json()["vapidPublicKey"]

    notes.event("applications", "decision_made", decided(user, 5))
    [message] = live_client.get("/v1/inbox", headers=headers).get_json()["messages"]
    _, stranger = who(world)
    assert live_client.post(f"/v1/inbox/{message['id']}/archive", headers=stranger).status_code == 403
    assert live_client.post(f"/v1/inbox/{message['id']}/archive", headers=headers).status_code == 200
    assert live_client.get("/v1/inbox", headers=headers).get_json()["messages"] == []
    archived = live_client.get("/v1/inbox?archived=true", headers=headers).get_json()["messages"]
    assert [m["id"] for m in archived] == [message["id"]]
