"""The worker's relay publishes what the api committed but could not publish itself."""

from __future__ import annotations

from typing import Any

from nameko.testing.services import worker_factory

from contact.service import Contact
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


def test_relay_publishes_an_unsent_question_received_once_and_marks_it_sent(db: Database) -> None:
    Contact(db).ask(Principal(user_id="u1", roles=("resident",)), "Ämne", "Fråga", "phone")
    runtime = WorkerRuntime(lambda: db, ContactWorker.runtime.outbox, grace=0)
    runtime.db, runtime.publisher = db, RecordingPublisher()  # what setup() gives it, minus the broker

    worker = worker_factory(ContactWorker, runtime=runtime)
    worker.relay_outbox()
    worker.relay_outbox()

    [env] = runtime.publisher.published
    assert env["event_type"] == "question_received" and env["producer"] == "contact"
    with db.transaction() as session:
        assert OUTBOX.backlog(session) == 0


def test_worker_relays_the_contact_outbox() -> None:
    assert ContactWorker.runtime.outbox is OUTBOX
    assert ContactWorker.name == "contact"
