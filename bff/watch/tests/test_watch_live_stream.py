"""GET /v1/stream on the watch relays the real notifications service's feed (in-process, SQLite)
with only the glance-size payload, and GET /v1/inbox gives the unread count and the three newest
short forms."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Iterator

import pytest

from bff_watch.app import create_app
from fickan.applications.events.v1 import events_pb2 as app_events
from fickan_bff.testing import RealServices
from notifications.testing import RunningNotifications


@pytest.fixture
def notes(world: RealServices) -> RunningNotifications:
    return world.notifications


@pytest.fixture
def watch(world: RealServices) -> Iterator:  # type: ignore[type-arg]
    services = world.services()
    yield create_app(services).test_client()
    for client in services.all().values():
        client.close()


def blocks(response) -> queue.Queue:  # type: ignore[no-untyped-def]
    found: queue.Queue = queue.Queue()

    def run() -> None:
        buffer = ""
        for chunk in response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                found.put(block)

    threading.Thread(target=run, daemon=True).start()
    return found


def until(found: queue.Queue, text: str) -> str:
    while True:
        block = found.get(timeout=10)
        if text in block:
            return block


def decided(user: str, amount: int) -> app_events.DecisionMade:
    return app_events.DecisionMade(
        application_id=str(uuid.uuid4()), resident_ids=[user], outcome="approved", amount=amount, period="2026-12"
    )


def test_the_watch_stream_carries_only_the_short_form_and_the_unread_count(
    world: RealServices, notes: RunningNotifications, watch
) -> None:  # type: ignore[no-untyped-def]
    person = world.log_in("199001012385")
    user = person.user_id
    headers = {"Authorization": f"Bearer {world.identity.pair_watch(person)}"}
    response = watch.get("/v1/stream", headers=headers, buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    found = blocks(response)
    until(found, "event: hello")
    notes.event("applications", "decision_made", decided(user, 4200))
    block = until(found, "event: message")
    data = block.split("data: ", 1)[1]
    assert '"short":"Beviljad: 4 200 kr"' in data and '"unread":1' in data
    assert "body" not in data and "subject" not in data
    assert len(data.encode()) < 200
    until(found, ": heartbeat")


def test_the_watch_inbox_has_the_unread_count_and_the_three_newest_short_forms(
    world: RealServices, notes: RunningNotifications, watch
) -> None:  # type: ignore[no-untyped-def]
    person = world.log_in("199001012385")
    user = person.user_id
    headers = {"Authorization": f"Bearer {world.identity.pair_watch(person)}"}
    for amount in (1, 2, 3, 4):
        notes.event("applications", "decision_made", decided(user, amount))
    answer = watch.get("/v1/inbox", headers=headers).get_json()
    assert answer["unread"] == 4
    assert [m["short"] for m in answer["newest"]] == ["Beviljad: 4 kr", "Beviljad: 3 kr", "Beviljad: 2 kr"]


def test_an_unpaired_watch_and_a_bad_last_event_id_are_refused(world: RealServices, watch) -> None:  # type: ignore[no-untyped-def]
    assert watch.get("/v1/stream", headers={"Authorization": "Bearer not-a-watch-token!"}).status_code == 401
    headers = {
        "Authorization": "Bearer " + world.identity.pair_watch(world.log_in("199001012385")),
        "Last-Event-ID": "x",
    }
    assert watch.get("/v1/stream", headers=headers).status_code == 400


def test_a_service_message_is_a_short_line_on_the_glance(
    world: RealServices, notes: RunningNotifications, watch
) -> None:  # type: ignore[no-untyped-def]
    """An admin's notice of a disruption shows as one line on the watch, in the watch's language,
    and the glance stays under 1 KB."""
    from datetime import UTC, datetime, timedelta

    from fickan.notifications.v1 import notifications_pb2 as notes_pb
    from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
    from fickan_common.grpc_client import ServiceClient

    headers = {"Authorization": "Bearer " + world.identity.pair_watch(world.log_in("199001012385"))}
    assert "service" not in watch.get("/v1/glance", headers=headers).get_json()
    admin = ServiceClient(notes.target, notes_grpc.NotificationsServiceStub)
    now = datetime.now(UTC)
    try:
        admin.call(
            "PublishServiceMessage",
            notes_pb.PublishServiceMessageRequest(
                kind="disruption",
                text="E-tjänsterna är långsamma just nu. " * 8,
                starts_at=(now - timedelta(minutes=5)).isoformat(),
                ends_at=(now + timedelta(hours=1)).isoformat(),
            ),
            token=world.identity.log_in_staff("198501012382", "Ada Admin", ["admin"]).access_token,
        )
    finally:
        admin.close()
    answer = watch.get("/v1/glance", headers=headers)
    assert answer.get_json()["service"].startswith("Driftstörning till ") and len(answer.get_data()) < 1024
    english = watch.get("/v1/glance", headers={**headers, "Accept-Language": "en"}).get_json()
    assert english["service"].startswith("Disruption until ")
