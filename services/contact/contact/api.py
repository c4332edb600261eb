"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc

from contact import settings as settings_module
from contact.service import Contact
from contact.store import IDEMPOTENCY, OUTBOX, Question
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import current_principal
from fickan_common.idempotency import IdempotencyStore
from fickan_common.timestamps import to_timestamp

# A question sent twice (a double click, a retry) with one idempotency key is asked once.
COMMANDS = {f"/{pb.DESCRIPTOR.package}.ContactService/AskQuestion"}


def question_message(question: Question) -> pb.Question:
    return pb.Question(
        question_id=question.id,
        subject=question.subject,
        body=question.body,
        channel=question.channel,
        status=question.status,
        received_at=to_timestamp(question.received_at),
    )


class ContactServicer(pb_grpc.ContactServiceServicer):
    def __init__(self, contact: Contact) -> None:
        self.contact = contact

    def AskQuestion(self, request, context):  # noqa: N802
        question = self.contact.ask(current_principal(), request.subject, request.body, request.channel)
        return question_message(question)

    def ListMyQuestions(self, request, context):  # noqa: N802
        return pb.ListMyQuestionsResponse(
            questions=[question_message(q) for q in self.contact.list_mine(current_principal())]
        )


def register(contact: Contact) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_ContactServiceServicer_to_server(ContactServicer(contact), server)
        return [pb.DESCRIPTOR.services_by_name["ContactService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.database_url)
    publisher = Publisher(settings.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    contact = Contact(db, on_events=flusher.kick)
    run_api(
        settings,
        register(contact),
        identity_verifier(settings.identity_target, settings.amqp_uri, "contact"),
        on_stop=publisher.close,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
