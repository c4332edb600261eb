"""The api process: a grpcio server. Thin: parse, call the use case, shape the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc

from contact import settings as settings_module
from contact.bookings import BookedTime, Bookings
from contact.demand import Demand, DemandStatistics, Tally
from contact.desk import Desk
from contact.domain import bookings as booking_rules
from contact.domain import questions
from contact.domain.centre import Centre, Group, load_centre
from contact.domain.faults import Faults as FaultKinds
from contact.domain.faults import load_faults
from contact.faults import Faults, Published
from contact.feedback import EDITABLE, Feedbacks
from contact.service import Contact, ThreadView
from contact.store import IDEMPOTENCY, OUTBOX, Attachment, Entry, FeedbackRow, Question, Slot
from contact.wall import WallBoard, per_mille
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
PUBLIC = {
    _SERVICE + name
    for name in (
        "GetContactCentre",
        "AskAsGuest",
        "ListFreeSlots",
        "ListFaultServices",
        "ListFaultReports",
        "GetFaultReport",
        "ReportFaultFromOpen311",  # checks the Open311 client's api_key itself
        "GetWallBoardForScreen",  # checks the screen's token itself
    )
}
# A paired watch (a glance token) sees its replies and next booking and asks to be rung; nothing else.
GLANCE_METHODS = {_SERVICE + "ListMyQuestions", _SERVICE + "AskQuestion", _SERVICE + "ListMyBookings"}
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
        "PublishSlots",
        "AddSlot",
        "WithdrawSlot",
        "WithdrawDay",
        "BookSlot",
        "RescheduleBooking",
        "CancelBooking",
        "ReportFault",
        "GiveFeedback",
        "CreateWallScreen",
        "RevokeWallScreen",
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

    @staticmethod
    def group(g: Group) -> pb.Group:
        return pb.Group(code=g.code, name=g.name, name_en=g.name_en, kind=g.kind)

    def centre_message(self) -> pb.ContactCentre:
        c = self.centre
        return pb.ContactCentre(
            groups=[self.group(g) for g in c.groups.values()],
            topics=[pb.Topic(code=t.code, name=t.name, name_en=t.name_en, group=t.group) for t in c.topics.values()],
            reasons=[
                pb.ContactReason(code=r.code, name=r.name, name_en=r.name_en, unnecessary=r.unnecessary)
                for r in c.reasons.values()
            ],
            baseline_unnecessary_per_year=c.baseline_unnecessary_per_year,
            case_units=[self.group(u) for u in c.case_units.values()],
        )

    def slot(self, s: Slot, staff: bool = False, booked: BookedTime | None = None) -> pb.Slot:
        kind_text, kind_text_en = booking_rules.KINDS[s.kind]
        message = pb.Slot(
            slot_id=s.id,
            group=s.group_code,
            group_name=self.centre.group_name(s.group_code),
            kind=s.kind,
            kind_text=kind_text,
            kind_text_en=kind_text_en,
            starts_at=to_timestamp(s.starts_at),
            ends_at=to_timestamp(s.ends_at),
            advisor_name=s.advisor_name,
            location=s.location,
            status=s.status,
        )
        if staff and booked is not None:
            message.booking_id = booked.booking.id
            message.resident_name = booked.booking.resident_name
            message.resident_id = booked.booking.resident_id
            message.note = booked.booking.note
        return message

    @staticmethod
    def fault_services(kinds: FaultKinds) -> pb.FaultServices:
        return pb.FaultServices(
            agency=kinds.agency,
            area_name=kinds.area_name,
            jurisdiction_id=kinds.jurisdiction_id,
            services=[
                pb.FaultService(
                    code=k.code,
                    name=k.name,
                    name_en=k.name_en,
                    description=k.description,
                    keywords=k.keywords,
                    category=k.category,
                    attributes=[
                        pb.FaultAttribute(
                            code=a.code,
                            datatype=a.datatype,
                            required=a.required,
                            description=a.description,
                            order=a.order,
                            values=[pb.FaultAttributeValue(key=key, name=name) for key, name in a.values],
                        )
                        for a in k.attributes
                    ],
                )
                for k in kinds.kinds.values()
            ],
        )

    @staticmethod
    def fault_report(p: Published, kinds: FaultKinds, reporter: bool = False) -> pb.FaultReport:
        """A published report: nothing of who reported it (the thread id only to the reporter)."""
        q, r = p.question, p.report
        closed = q.status == questions.CLOSED
        kind = kinds.kinds.get(r.service_code)
        message = pb.FaultReport(
            service_request_id=r.id,
            status="closed" if closed else "open",
            status_notes=questions.STATUS_TEXT[q.status][0],
            service_code=r.service_code,
            service_name=kind.name if kind else r.service_code,
            description=r.description,
            agency_responsible=kinds.agency,
            requested_at=to_timestamp(r.requested_at),
            updated_at=to_timestamp(q.closed_at or q.last_activity_at),
            address=r.address,
            media_url=r.media_url,
            service_notice="Vi har tagit emot felanmälan och åtgärdar den så snart vi kan.",
        )
        if r.lat is not None and r.long is not None:
            message.lat, message.long = r.lat, r.long
        if reporter:
            message.question_id = q.id
        return message

    @staticmethod
    def feedback(row: FeedbackRow, mine: bool = False) -> pb.Feedback:
        """Staff see the rating, the comment and what it is about; never who gave it."""
        message = pb.Feedback(
            feedback_id=row.id,
            subject=pb.FeedbackSubject(kind=row.subject_kind, subject_id=row.subject_id if mine else ""),
            rating=row.rating,
            comment=row.comment,
            group=row.group_code,
            given_at=to_timestamp(row.given_at),
            changed_at=to_timestamp(row.changed_at),
            given=True,
        )
        if mine:
            message.editable_until.CopyFrom(to_timestamp(row.given_at + EDITABLE))
        return message

    def booking(self, booked: BookedTime) -> pb.Booking:
        b = booked.booking
        text, text_en = booking_rules.BOOKING_STATUS_TEXT[b.status]
        message = pb.Booking(
            booking_id=b.id,
            slot=self.slot(booked.slot),
            status=b.status,
            status_text=text,
            status_text_en=text_en,
            booked_at=to_timestamp(b.booked_at),
            note=b.note,
            phone=b.phone,
        )
        if b.cancelled_at is not None:
            message.cancelled_at.CopyFrom(to_timestamp(b.cancelled_at))
        return message

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
    def __init__(
        self,
        contact: Contact,
        desk: Desk,
        demand: DemandStatistics,
        bookings: Bookings,
        faults: Faults,
        feedback: Feedbacks,
        wall: WallBoard,
    ) -> None:
        self.wall = wall
        self.bookings = bookings
        self.feedbacks = feedback
        self.faults = faults
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
            current_principal(),
            request.subject,
            request.body,
            request.channel,
            request.topic,
            request.phone,
            request.application_id,
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

    def GetCaseLink(self, request, context):  # noqa: N802
        application_id = self.desk.case_link(current_principal(), request.question_id)
        return pb.CaseLink(question_id=request.question_id, application_id=application_id)

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

    # -- advisory bookings --------------------------------------------------------------------------
    def PublishSlots(self, request, context):  # noqa: N802
        r = request
        created, already, slots = self.bookings.publish(
            current_principal(),
            r.group,
            kind=r.kind,
            weekdays=list(r.weekdays),
            start_time=r.start_time,
            end_time=r.end_time,
            slot_minutes=r.slot_minutes,
            from_date=r.from_date,
            to_date=r.to_date,
            except_dates=list(r.except_dates),
            location=r.location,
        )
        return pb.PublishSlotsResponse(
            created=created, already_published=already, slots=[self.shape.slot(s) for s in slots]
        )

    def AddSlot(self, request, context):  # noqa: N802
        r = request
        added = self.bookings.add(
            current_principal(),
            r.group,
            kind=r.kind,
            day=r.date,
            start_time=r.start_time,
            end_time=r.end_time,
            location=r.location,
        )
        return self.shape.slot(added)

    def WithdrawSlot(self, request, context):  # noqa: N802
        return self.shape.slot(self.bookings.withdraw(current_principal(), request.slot_id))

    def _day(self, day, rows) -> pb.AdvisorDay:  # type: ignore[no-untyped-def]
        slots = [
            self.shape.slot(r.slot, staff=True, booked=r) if isinstance(r, BookedTime) else self.shape.slot(r)
            for r in rows
        ]
        return pb.AdvisorDay(date=day.isoformat(), slots=slots)

    def GetAdvisorDay(self, request, context):  # noqa: N802
        return self._day(*self.bookings.day(current_principal(), request.date))

    def WithdrawDay(self, request, context):  # noqa: N802
        return self._day(*self.bookings.withdraw_day(current_principal(), request.date))

    def ListFreeSlots(self, request, context):  # noqa: N802
        free = self.bookings.free(request.group, request.kind, request.from_date, request.limit)
        return pb.ListFreeSlotsResponse(slots=[self.shape.slot(s) for s in free])

    def BookSlot(self, request, context):  # noqa: N802
        return self.shape.booking(self.bookings.book(current_principal(), request.slot_id, request.note, request.phone))

    def RescheduleBooking(self, request, context):  # noqa: N802
        return self.shape.booking(self.bookings.reschedule(current_principal(), request.booking_id, request.slot_id))

    def CancelBooking(self, request, context):  # noqa: N802
        return self.shape.booking(self.bookings.cancel(current_principal(), request.booking_id))

    def ListMyBookings(self, request, context):  # noqa: N802
        mine = self.bookings.mine(current_principal(), request.include_past)
        return pb.ListMyBookingsResponse(bookings=[self.shape.booking(b) for b in mine])

    def GetBookingCalendar(self, request, context):  # noqa: N802
        filename, content = self.bookings.calendar(current_principal(), request.booking_id)
        return pb.CalendarFile(filename=filename, content_type="text/calendar; charset=utf-8", content=content)

    # -- fault reports ------------------------------------------------------------------------------
    def ListFaultServices(self, request, context):  # noqa: N802
        self.faults.faults.check_jurisdiction(request.jurisdiction_id)
        return self.shape.fault_services(self.faults.faults)

    def ListFaultReports(self, request, context):  # noqa: N802
        r = request
        self.faults.faults.check_jurisdiction(r.jurisdiction_id)
        found = self.faults.list(list(r.service_request_ids), list(r.service_codes), r.start_date, r.end_date, r.status)
        return pb.ListFaultReportsResponse(reports=[self.shape.fault_report(p, self.faults.faults) for p in found])

    def GetFaultReport(self, request, context):  # noqa: N802
        self.faults.faults.check_jurisdiction(request.jurisdiction_id)
        return self.shape.fault_report(self.faults.get(request.service_request_id), self.faults.faults)

    @staticmethod
    def _report_fields(r: pb.ReportFaultRequest) -> dict:
        attributes: dict[str, list[str]] = {}
        for a in r.attributes:
            attributes.setdefault(a.code, []).extend(a.values)
        return {
            "service_code": r.service_code,
            "lat": r.lat if r.HasField("lat") else None,
            "long": r.long if r.HasField("long") else None,
            "address": r.address,
            "description": r.description,
            "media_url": r.media_url,
            "attributes": attributes,
            "name": f"{r.first_name} {r.last_name}".strip(),
            "email": r.email,
            "phone": r.phone,
        }

    def ReportFaultFromOpen311(self, request, context):  # noqa: N802
        self.faults.faults.check_jurisdiction(request.jurisdiction_id)
        published = self.faults.report_from_open311(request.api_key, self._report_fields(request))
        return self.shape.fault_report(published, self.faults.faults)

    def ReportFault(self, request, context):  # noqa: N802
        fields = self._report_fields(request)
        fields.update(name="", email="", phone="")  # a resident is answered in Fickan
        published = self.faults.report(
            current_principal(), request.channel, fields, request.photo_filename, request.photo
        )
        return self.shape.fault_report(published, self.faults.faults, reporter=True)

    # -- feedback -----------------------------------------------------------------------------------
    def GiveFeedback(self, request, context):  # noqa: N802
        r = request
        row = self.feedbacks.give(current_principal(), r.subject.kind, r.subject.subject_id, r.rating, r.comment)
        return self.shape.feedback(row, mine=True)

    def GetMyFeedback(self, request, context):  # noqa: N802
        row = self.feedbacks.mine(current_principal(), request.kind, request.subject_id)
        return self.shape.feedback(row, mine=True) if row else pb.Feedback(given=False)

    def ListFeedback(self, request, context):  # noqa: N802
        rows = self.feedbacks.list(current_principal(), request.group, request.limit)
        average = round(100 * sum(r.rating for r in rows) / len(rows)) if rows else 0
        return pb.ListFeedbackResponse(feedback=[self.shape.feedback(r) for r in rows], average_x100=average)

    # -- the wall screen ----------------------------------------------------------------------------
    def GetWallBoard(self, request, context):  # noqa: N802
        return self._board(self.wall.board(current_principal()))

    def GetWallBoardForScreen(self, request, context):  # noqa: N802
        return self._board(self.wall.board_for_screen(request.token))

    @staticmethod
    def _screen(row, token: str = "") -> pb.WallScreen:  # type: ignore[no-untyped-def]
        message = pb.WallScreen(
            screen_id=row.id,
            name=row.name,
            token=token,
            created_at=to_timestamp(row.created_at),
            created_by=row.created_by,
        )
        if row.revoked_at is not None:
            message.revoked_at.CopyFrom(to_timestamp(row.revoked_at))
        return message

    def CreateWallScreen(self, request, context):  # noqa: N802
        row, token = self.wall.create_screen(current_principal(), request.name)
        return self._screen(row, token)

    def ListWallScreens(self, request, context):  # noqa: N802
        return pb.ListWallScreensResponse(screens=[self._screen(r) for r in self.wall.screens(current_principal())])

    def RevokeWallScreen(self, request, context):  # noqa: N802
        return self._screen(self.wall.revoke_screen(current_principal(), request.screen_id))

    def _board(self, b) -> pb.WallBoard:  # type: ignore[no-untyped-def]
        kinds = self.faults.faults.kinds
        return pb.WallBoard(
            feedback=[self.shape.feedback(f) for f in b.feedback],
            groups=[
                pb.WallGroup(group=code, name=self.shape.centre.group_name(code), open=n, oldest_seconds=age)
                for code, n, age in b.groups
            ],
            closed_today=b.closed_today[0],
            unnecessary_today_per_mille=per_mille(b.closed_today[1], b.closed_today[0]),
            closed_last_month=b.closed_last_month[0],
            unnecessary_last_month_per_mille=per_mille(b.closed_last_month[1], b.closed_last_month[0]),
            open_fault_reports=b.open_faults,
            latest_faults=[
                pb.WallFault(
                    service_name=kinds[f.service_code].name if f.service_code in kinds else f.service_code,
                    address=f.address or (f"{f.lat:.4f}, {f.long:.4f}" if f.lat is not None else ""),
                    requested_at=to_timestamp(f.requested_at),
                )
                for f, _ in b.latest_faults
            ],
            at=to_timestamp(b.at),
            closest_cases=[pb.WallCase(short_id=app_id[:8], seconds_left=left) for app_id, left in b.closest_cases],
        )


def build(
    db: Database,
    on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    centre: Centre | None = None,
    contact_settings: settings_module.ContactSettings | None = None,
) -> ContactServicer:
    contact_settings = contact_settings or settings_module.load()
    centre = centre or load_centre(contact_settings.centre_file)
    contact = Contact(db, centre, contact_settings, on_events=on_events)
    return ContactServicer(
        contact,
        Desk(db, centre, contact, on_events=on_events),
        DemandStatistics(db, centre),
        Bookings(db, centre, on_events=on_events),
        Faults(
            db,
            contact,
            load_faults(contact_settings.fault_file, set(centre.groups)),
            contact_settings.open311_api_keys,
            on_events=on_events,
        ),
        Feedbacks(db, on_events=on_events),
        WallBoard(db, centre),
    )


def register(servicer: ContactServicer) -> Callable[[grpc.Server], Iterable[str]]:
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_ContactServiceServicer_to_server(servicer, server)
        return [pb.DESCRIPTOR.services_by_name["ContactService"].full_name]

    return _register


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.service.database_url)
    publisher = Publisher(settings.service.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    run_api(
        settings.service,
        register(build(db, on_events=flusher.kick, contact_settings=settings)),
        identity_verifier(settings.service.identity_target, settings.service.amqp_uri, "contact"),
        public_methods=PUBLIC,
        glance_methods=GLANCE_METHODS,
        on_stop=publisher.close,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
