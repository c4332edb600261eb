"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc

from contact import settings as settings_module
from contact.demand import Demand, DemandStatistics, Tally
from contact.desk import Desk
from contact.domain import questions
from contact.domain.centre import Centre, load_centre
from contact.service import Contact, ThreadView
from contact.store import IDEMPOTENCY, OUTBOX, Attachment, Entry, Question
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.api import identity_verifier, run_api
from fickan_common.db import Database
from fickan_common.errors import NotFound
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import current_principal
from fickan_common.idempotency import IdempotencyStore
from fickan_common.timestamps import to_timestamp

_SERVICE = f"/{pb.DESCRIPTOR.package}.ContactService/"
PUBLIC = {_SERVICE + "GetContactCentre", _SERVICE + "AskAsGuest"}
# A paired watch (a glance token) sees its replies and asks to be rung; nothing else.
GLANCE_METHODS = {_SERVICE + "ListMyQuestions", _SERVICE + "AskQuestion"}
# Changes sent twice (a double click, a retry) with one idempotency key happen once.
COMMANDS = {
    _SERVICE + name
    for name in (
        "AskQuestion",
        "WriteInThread",
        "AddAttachment",
        "ClaimThread",
        "Reply",
        "AddNote",
        "MoveThread",
        "CloseThread",
        "RegisterContact",
    )
}


class Messages:
    """Shapes the contact service's rows into its contract."""

    def __init__(self, centre: Centre) -> None:
        self.centre = centre

    def question(self, q: Question, staff: bool = False, unread: int = 0) -> pb.Question:
        text, text_en = questions.STATUS_TEXT[q.status]
        message = pb.Question(
            question_id=q.id,
            subject=q.subject,
            body=q.body,
            channel=q.channel,
            status=q.status,
            received_at=to_timestamp(q.received_at),
            status_text=text,
            status_text_en=text_en,
            topic=q.topic,
            group=q.group_code,
            group_name=self.centre.group_name(q.group_code),
            application_id=q.application_id,
            last_activity_at=to_timestamp(q.last_activity_at),
            unread_replies=unread,
        )
        if staff:
            message.contact_name = q.contact_name
            message.contact_email = q.contact_email
            message.contact_phone = q.contact_phone
            message.agent_name = q.agent_name
            message.is_guest = not q.asker_id
            message.resident_id = q.asker_id or ""
            message.close_reason = q.close_reason
        elif q.channel == "watch":
            message.contact_phone = q.contact_phone
        return message

    @staticmethod
    def entry(e: Entry) -> pb.Entry:
        return pb.Entry(
            entry_id=e.id,
            kind=e.kind,
            body=e.body,
            author_name=e.author_name,
            at=to_timestamp(e.at),
            from_group=e.from_group,
            to_group=e.to_group,
            reason=e.reason,
            attachment_id=e.attachment_id,
        )

    def thread(self, view: ThreadView, staff: bool = False) -> pb.Thread:
        return pb.Thread(question=self.question(view.question, staff), entries=[self.entry(e) for e in view.entries])

    def centre_message(self) -> pb.ContactCentre:
        c = self.centre
        return pb.ContactCentre(
            groups=[pb.Group(code=g.code, name=g.name, name_en=g.name_en, kind=g.kind) for g in c.groups.values()],
            topics=[pb.Topic(code=t.code, name=t.name, name_en=t.name_en, group=t.group) for t in c.topics.values()],
            reasons=[
                pb.ContactReason(code=r.code, name=r.name, name_en=r.name_en, unnecessary=r.unnecessary)
                for r in c.reasons.values()
            ],
            baseline_unnecessary_per_year=c.baseline_unnecessary_per_year,
        )

    @staticmethod
    def total(key: str, t: Tally) -> pb.DemandTotal:
        return pb.DemandTotal(
            key=key,
            contacts=t.contacts,
            unnecessary=t.unnecessary,
            unnecessary_per_mille=t.unnecessary_per_mille,
            median_seconds_to_first_answer=t.median_seconds,
        )

    def demand(self, d: Demand) -> pb.DemandStatistics:
        return pb.DemandStatistics(
            from_date=d.from_date.isoformat(),
            to_date=d.to_date.isoformat(),
            rows=[
                pb.DemandRow(
                    day=day,
                    group=group,
                    channel=channel,
                    reason=reason,
                    contacts=t.contacts,
                    unnecessary=t.unnecessary,
                    median_seconds_to_first_answer=t.median_seconds,
                )
                for (day, group, channel, reason), t in sorted(d.rows.items())
            ],
            total=self.total("all", d.total),
            by_group=[self.total(k, t) for k, t in sorted(d.by_group.items())],
            by_channel=[self.total(k, t) for k, t in sorted(d.by_channel.items())],
            by_reason=[self.total(k, t) for k, t in sorted(d.by_reason.items())],
            baseline_unnecessary_for_period=d.baseline_for_period,
            baseline_unnecessary_per_year=d.baseline_per_year,
        )


class ContactServicer(pb_grpc.ContactServiceServicer):
    def __init__(self, contact: Contact, desk: Desk, demand: DemandStatistics) -> None:
        self.contact = contact
        self.desk = desk
        self.demand = demand
        self.shape = Messages(contact.centre)

    # -- anyone -------------------------------------------------------------------------------------
    def GetContactCentre(self, request, context):  # noqa: N802
        return self.shape.centre_message()

    def AskAsGuest(self, request, context):  # noqa: N802
        q = self.contact.ask_as_guest(
            request.subject,
            request.body,
            request.topic,
            request.name,
            request.email,
            request.phone,
            request.client_address,
        )
        # A guest sees what they sent and where it went, never anything else of the thread.
        return pb.Question(
            question_id=q.id,
            subject=q.subject,
            body=q.body,
            channel=q.channel,
            status=q.status,
            status_text=questions.STATUS_TEXT[q.status][0],
            status_text_en=questions.STATUS_TEXT[q.status][1],
            group=q.group_code,
            group_name=self.contact.centre.group_name(q.group_code),
            received_at=to_timestamp(q.received_at),
        )

    # -- residents ----------------------------------------------------------------------------------
    def AskQuestion(self, request, context):  # noqa: N802
        q = self.contact.ask(
            current_principal(), request.subject, request.body, request.channel, request.topic, request.phone
        )
        return self.shape.question(q)

    def ListMyQuestions(self, request, context):  # noqa: N802
        mine = self.contact.list_mine(current_principal())
        return pb.ListMyQuestionsResponse(questions=[self.shape.question(q, unread=n) for q, n in mine])

    def GetMyThread(self, request, context):  # noqa: N802
        return self.shape.thread(self.contact.my_thread(current_principal(), request.question_id))

    def WriteInThread(self, request, context):  # noqa: N802
        return self.shape.thread(self.contact.write(current_principal(), request.question_id, request.body))

    def AddAttachment(self, request, context):  # noqa: N802
        """The resident in their own thread, else an agent in their group's (staff may ask too)."""
        principal = current_principal()
        try:
            if principal.is_resident:
                view = self.contact.add_attachment(principal, request.question_id, request.filename, request.content)
                return self.shape.thread(view)
        except NotFound:
            if not questions.is_agent(principal):
                raise
        view = self.desk.add_attachment(principal, request.question_id, request.filename, request.content)
        return self.shape.thread(view, staff=True)

    def GetAttachment(self, request, context):  # noqa: N802
        principal = current_principal()
        try:
            if principal.is_resident:
                stored = self.contact.attachment(principal, request.question_id, request.attachment_id)
                return self._file(stored)
        except NotFound:
            if not questions.is_agent(principal):
                raise
        return self._file(self.desk.attachment(principal, request.question_id, request.attachment_id))

    @staticmethod
    def _file(stored: Attachment) -> pb.AttachmentContent:
        return pb.AttachmentContent(filename=stored.filename, content_type=stored.content_type, content=stored.content)

    # -- agents -------------------------------------------------------------------------------------
    def ListQueue(self, request, context):  # noqa: N802
        group, rows = self.desk.queue(
            current_principal(), request.group, request.status, request.channel, request.linked_to_case_only
        )
        return pb.ListQueueResponse(group=group, questions=[self.shape.question(q, staff=True) for q in rows])

    def GetThread(self, request, context):  # noqa: N802
        return self.shape.thread(self.desk.thread(current_principal(), request.question_id), staff=True)

    def ClaimThread(self, request, context):  # noqa: N802
        return self.shape.thread(self.desk.claim(current_principal(), request.question_id), staff=True)

    def Reply(self, request, context):  # noqa: N802
        return self.shape.thread(self.desk.reply(current_principal(), request.question_id, request.body), staff=True)

    def AddNote(self, request, context):  # noqa: N802
        return self.shape.thread(self.desk.note(current_principal(), request.question_id, request.body), staff=True)

    def MoveThread(self, request, context):  # noqa: N802
        view = self.desk.move(current_principal(), request.question_id, request.to_group, request.note)
        return self.shape.thread(view, staff=True)

    def CloseThread(self, request, context):  # noqa: N802
        return self.shape.thread(self.desk.close(current_principal(), request.question_id, request.reason), staff=True)

    def RegisterContact(self, request, context):  # noqa: N802
        r = request
        view = self.desk.register(
            current_principal(),
            r.channel,
            r.topic,
            r.subject,
            r.body,
            r.name,
            r.email,
            r.phone,
            r.answer,
            r.close_reason,
        )
        return self.shape.thread(view, staff=True)

    def GetDemandStatistics(self, request, context):  # noqa: N802
        return self.shape.demand(self.demand.measure(current_principal(), request.from_date, request.to_date))


def build(
    db: Database,
    on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    centre: Centre | None = None,
    contact_settings: settings_module.ContactSettings | None = None,
) -> ContactServicer:
    contact_settings = contact_settings or settings_module.load_contact()
    centre = centre or load_centre(contact_settings.centre_file)
    contact = Contact(db, centre, contact_settings, on_events=on_events)
    return ContactServicer(contact, Desk(db, centre, contact, on_events=on_events), DemandStatistics(db, centre))


def register(servicer: ContactServicer) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_ContactServiceServicer_to_server(servicer, server)
        return [pb.DESCRIPTOR.services_by_name["ContactService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.database_url)
    publisher = Publisher(settings.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    run_api(
        settings,
        register(build(db, on_events=flusher.kick)),
        identity_verifier(settings.identity_target, settings.amqp_uri, "contact"),
        public_methods=PUBLIC,
        glance_methods=GLANCE_METHODS,
        on_stop=publisher.close,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
