"""The worker's relay publishes what the api committed but could not publish itself."""

from __future__ import annotations

from typing import Any

from nameko.testing.services import worker_factory

from contact.api import build
from contact.store import OUTBOX
from contact.worker import ContactWorker
from fickan_common.db import Database
from fickan_common.tokens import Principal
from fickan_common.worker import WorkerRuntime


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, env: dict[str, Any]) -> None:
        self.published.append(env)


def test_relay_publishes_the_unsent_events_of_a_question_once_and_marks_them_sent(db: Database) -> None:
    build(db).contact.ask(Principal(user_id="u1", roles=("resident",)), "Ämne", "Fråga", "web")
    runtime = WorkerRuntime(lambda: db, ContactWorker.runtime.outbox, grace=0)
    runtime.db, runtime.publisher = db, RecordingPublisher()  # what setup() gives it, minus the broker

    worker = worker_factory(ContactWorker, runtime=runtime)
    worker.relay_outbox()
    worker.relay_outbox()

    published = runtime.publisher.published
    assert [env["event_type"] for env in published] == ["question_received", "question_routed"]
    assert {env["producer"] for env in published} == {"contact"}
    with db.transaction() as session:
        assert OUTBOX.backlog(session) == 0


def test_worker_relays_the_contact_outbox() -> None:
    assert ContactWorker.runtime.outbox is OUTBOX
    assert ContactWorker.name == "contact"
