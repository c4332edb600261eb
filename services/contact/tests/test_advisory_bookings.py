"""Advisory bookings through the real grpcio server and the generated stub, on SQLite and PostgreSQL:
advisors publish a weekly pattern with exceptions and see their day; residents book, reschedule,
cancel and download the calendar file; and no time is ever booked twice — 50 residents at once
at the last time, 20 rounds, exactly one booking each round."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contact import bookings as bookings_module
from contact.api import COMMANDS, PUBLIC, build, register
from contact.domain.bookings import LOCAL
from contact.store import OUTBOX, Booking, Slot
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.events import parse_data
from fickan_common.grpc_server import FIELD_ERRORS_KEY, build_server
from fickan_common.testing import TokenFactory

SERVICE = "Budget- och skuldrådgivning"


def md(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def tomorrow() -> str:
    return (datetime.now(LOCAL).date() + timedelta(days=1)).isoformat()


@pytest.fixture
def advisor(tokens: TokenFactory) -> str:
    return tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Rut Rådgivare", group=SERVICE)


@pytest.fixture
def anna(tokens: TokenFactory) -> str:
    return tokens.token(str(uuid.uuid4()), name="Anna Andersson")


@pytest.fixture
def bo(tokens: TokenFactory) -> str:
    return tokens.token(str(uuid.uuid4()), name="Bo Berg")


def publish(stub, advisor: str, day: str, start="09:00", end="10:00", minutes=30, **extra) -> pb.PublishSlotsResponse:
    weekday = datetime.fromisoformat(day).isoweekday()
    request = pb.PublishSlotsRequest(
        kind="on_site",
        weekdays=[weekday],
        start_time=start,
        end_time=end,
        slot_minutes=minutes,
        from_date=day,
        to_date=day,
        location="Stadshuset, Drottninggatan 2",
        **extra,
    )
    return stub.PublishSlots(request, metadata=md(advisor))


def code_of(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code(), caught.value.details()


def booking_events(db: Database, kind: str) -> list:
    with db.read() as session:
        rows = [r[0] for r in session.execute(select(OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id))]
    cls = {
        "booking_made": events_pb2.BookingMade,
        "booking_confirmed": events_pb2.BookingConfirmed,
        "booking_cancelled": events_pb2.BookingCancelled,
    }[kind]
    return [parse_data(e, cls) for e in rows if e["event_type"] == kind]


def test_a_weekly_pattern_with_exceptions_makes_times_once(stub, advisor) -> None:
    first = datetime.now(LOCAL).date() + timedelta(days=1)
    last = first + timedelta(days=13)
    skipped = first + timedelta(days=7)
    request = pb.PublishSlotsRequest(
        kind="telephone",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        start_time="09:00",
        end_time="10:30",
        slot_minutes=45,
        from_date=first.isoformat(),
        to_date=last.isoformat(),
        except_dates=[skipped.isoformat()],
    )
    made = stub.PublishSlots(request, metadata=md(advisor))
    assert made.created == 13 * 2 and made.already_published == 0
    local_days = {s.starts_at.ToDatetime(UTC).astimezone(LOCAL).date() for s in made.slots}
    assert skipped not in local_days and first in local_days
    assert {f"{s.starts_at.ToDatetime(UTC).astimezone(LOCAL):%H:%M}" for s in made.slots} == {"09:00", "09:45"}
    again = stub.PublishSlots(request, metadata=md(advisor))
    assert again.created == 0 and again.already_published == 26


def test_book_reschedule_cancel_and_the_calendar_file(stub, db, advisor, anna) -> None:
    slots = publish(stub, advisor, tomorrow()).slots
    free = stub.ListFreeSlots(pb.ListFreeSlotsRequest(group=SERVICE))  # public: no token
    assert [s.slot_id for s in free.slots] == [s.slot_id for s in slots]
    booking = stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id, note="Skulder"), metadata=md(anna))
    assert booking.status == "booked" and booking.slot.advisor_name == "Rut Rådgivare"
    assert [s.slot_id for s in stub.ListFreeSlots(pb.ListFreeSlotsRequest(group=SERVICE)).slots] == [slots[1].slot_id]

    day = stub.GetAdvisorDay(pb.AdvisorDayRequest(date=tomorrow()), metadata=md(advisor))
    assert [(s.status, s.resident_name, s.note) for s in day.slots] == [
        ("booked", "Anna Andersson", "Skulder"),
        ("free", "", ""),
    ]

    ics = stub.GetBookingCalendar(pb.BookingRequest(booking_id=booking.booking_id), metadata=md(anna))
    text = ics.content.decode()
    assert ics.content_type.startswith("text/calendar") and ics.filename.endswith(".ics")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and f"UID:{booking.booking_id}@fickan" in text
    assert "DTSTART:" + slots[0].starts_at.ToDatetime(UTC).strftime("%Y%m%dT%H%M%SZ") in text
    assert "LOCATION:Stadshuset\\, Drottninggatan 2" in text

    moved = stub.RescheduleBooking(
        pb.RescheduleBookingRequest(booking_id=booking.booking_id, slot_id=slots[1].slot_id), metadata=md(anna)
    )
    assert moved.slot.slot_id == slots[1].slot_id and moved.note == "Skulder"
    mine = stub.ListMyBookings(pb.ListMyBookingsRequest(), metadata=md(anna)).bookings
    assert [b.booking_id for b in mine] == [moved.booking_id]
    cancelled = stub.CancelBooking(pb.BookingRequest(booking_id=moved.booking_id), metadata=md(anna))
    assert cancelled.status == "cancelled" and cancelled.status_text == "Avbokad"
    assert stub.ListMyBookings(pb.ListMyBookingsRequest(), metadata=md(anna)).bookings == []
    assert len(stub.ListFreeSlots(pb.ListFreeSlotsRequest(group=SERVICE)).slots) == 2

    made = booking_events(db, "booking_made")
    assert [e.replaces_booking_id for e in made] == ["", booking.booking_id]
    assert {e.resident_id for e in made} == {made[0].resident_id} and made[0].group == SERVICE
    assert [e.cancelled_by for e in booking_events(db, "booking_cancelled")] == ["rescheduled", "resident"]
    confirmed = booking_events(db, "booking_confirmed")  # notifications' confirmation and reminder
    assert [(e.booking_id, e.mode) for e in confirmed] == [(booking.booking_id, "visit"), (moved.booking_id, "visit")]
    assert confirmed[0].starts_at == slots[0].starts_at


def test_the_loser_is_told_in_swedish_with_the_next_free_times(stub, advisor, anna, bo) -> None:
    slots = publish(stub, advisor, tomorrow(), end="11:00").slots
    stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id), metadata=md(anna))
    code, message = code_of(lambda: stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id), metadata=md(bo)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message.startswith("Tiden hann bokas av någon annan.") and "Nästa lediga tider:" in message
    assert "kl. 09:30" in message and "kl. 10:00" in message and "kl. 09:00" not in message


def test_an_advisor_withdrawing_a_booked_time_cancels_the_booking(stub, db, advisor, anna, tokens) -> None:
    slots = publish(stub, advisor, tomorrow()).slots
    booking = stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id), metadata=md(anna))
    other = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), group=SERVICE)
    assert code_of(lambda: stub.WithdrawSlot(pb.SlotRequest(slot_id=slots[0].slot_id), metadata=md(other)))[0] == (
        grpc.StatusCode.NOT_FOUND
    )
    withdrawn = stub.WithdrawSlot(pb.SlotRequest(slot_id=slots[0].slot_id), metadata=md(advisor))
    assert withdrawn.status == "withdrawn"
    assert booking_events(db, "booking_cancelled")[0].booking_id == booking.booking_id
    assert stub.ListMyBookings(pb.ListMyBookingsRequest(), metadata=md(anna)).bookings == []
    code, message = code_of(lambda: stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id), metadata=md(anna)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "tagit bort" in message


def test_bad_input_is_refused_and_changes_nothing(stub, db, advisor, anna, bo, tokens) -> None:
    slots = publish(stub, advisor, tomorrow()).slots
    # A time in the past: published earlier, now passed.
    with db.transaction() as session:
        past = session.get(Slot, slots[1].slot_id)
        past.starts_at = datetime.now(UTC) - timedelta(hours=2)
        past.ends_at = datetime.now(UTC) - timedelta(hours=1)
    code, message = code_of(lambda: stub.BookSlot(pb.BookSlotRequest(slot_id=slots[1].slot_id), metadata=md(anna)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and message.startswith("Tiden har redan varit")

    annas = stub.BookSlot(pb.BookSlotRequest(slot_id=slots[0].slot_id), metadata=md(anna))
    # Another resident's booking is not there for Bo: not cancelled, not moved, not in his calendar.
    for call in (
        lambda: stub.CancelBooking(pb.BookingRequest(booking_id=annas.booking_id), metadata=md(bo)),
        lambda: stub.GetBookingCalendar(pb.BookingRequest(booking_id=annas.booking_id), metadata=md(bo)),
        lambda: stub.RescheduleBooking(
            pb.RescheduleBookingRequest(booking_id=annas.booking_id, slot_id=slots[0].slot_id), metadata=md(bo)
        ),
    ):
        code, message = code_of(call)
        assert code == grpc.StatusCode.NOT_FOUND and message.startswith("Bokningen finns inte.")
    # A second time with the same service is a reschedule.
    more = publish(stub, advisor, tomorrow(), start="13:00", end="13:30").slots
    code, message = code_of(lambda: stub.BookSlot(pb.BookSlotRequest(slot_id=more[0].slot_id), metadata=md(anna)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "Boka om den i stället" in message
    assert code_of(lambda: stub.BookSlot(pb.BookSlotRequest(slot_id="nej"), metadata=md(anna)))[0] == (
        grpc.StatusCode.NOT_FOUND
    )
    # A resident cannot publish, an agent of an answer group cannot publish an advisory service's times.
    code, _ = code_of(lambda: publish(stub, anna, tomorrow()))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    bsu = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), group="BSU")
    assert code_of(lambda: publish(stub, bsu, tomorrow()))[0] == grpc.StatusCode.INVALID_ARGUMENT
    yesterday = (datetime.now(LOCAL).date() - timedelta(days=1)).isoformat()
    assert code_of(lambda: publish(stub, advisor, yesterday))[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert code_of(lambda: publish(stub, advisor, tomorrow(), start="10:00", end="09:00"))[0] == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 1
        assert session.scalar(select(func.count()).select_from(Slot)) == 3


def test_the_database_itself_refuses_a_second_booking_of_a_time(stub, db, advisor) -> None:
    slot_id = publish(stub, advisor, tomorrow()).slots[0].slot_id

    def booking() -> Booking:
        return Booking(
            id=str(uuid.uuid4()),
            slot_id=slot_id,
            resident_id=str(uuid.uuid4()),
            status="booked",
            booked_at=datetime.now(UTC),
            resident_name="",
            note="",
            phone="",
            cancelled_by="",
        )

    with db.transaction() as session:
        session.add(booking())
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(booking())
    cancelled = booking()
    cancelled.status = "cancelled"
    with db.transaction() as session:  # cancelled bookings of the time may be many
        session.add(cancelled)


ATTEMPTS, ROUNDS = 50, 20


def race(stub: pb_grpc.ContactServiceStub, slot_id: str, residents: list[str]) -> list[str]:
    """Every resident asks for the time at once (released together by a barrier)."""
    start = threading.Barrier(len(residents))
    outcomes: list[str] = []

    def attempt(token: str) -> None:
        start.wait()
        try:
            stub.BookSlot(pb.BookSlotRequest(slot_id=slot_id), metadata=md(token), timeout=120)
            outcomes.append("booked")
        except grpc.RpcError as error:
            ok = error.code() == grpc.StatusCode.FAILED_PRECONDITION
            outcomes.append("refused" if ok and "Tiden hann bokas" in error.details() else repr(error))

    threads = [threading.Thread(target=attempt, args=(t,)) for t in residents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_fifty_residents_at_the_last_time_at_once_one_wins_every_round(db, tokens) -> None:
    """50 concurrent BookSlot calls over gRPC at one free time, 20 rounds: exactly one booking each
    round, 49 clear refusals, never an error of another kind."""
    server, port = build_server(
        register(build(db)),
        0,
        tokens.verifier(),
        host="127.0.0.1",
        public_methods=PUBLIC,
        commands=COMMANDS,
        max_workers=ATTEMPTS + 4,
        # All fifty inside at once: this is about the database's one-wins rule, not back-pressure
        # (libs/common/tests/test_back_pressure.py), which would send some of them back as busy.
        write_limit=ATTEMPTS,
        write_queue=ATTEMPTS,
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    stub = pb_grpc.ContactServiceStub(channel)
    try:
        for round_ in range(ROUNDS):
            # New residents each round (a resident holds one coming time per service).
            residents = [tokens.token(str(uuid.uuid4()), name=f"Invånare {i}") for i in range(ATTEMPTS)]
            advisor = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Rut", group=SERVICE)
            slot_id = publish(stub, advisor, tomorrow(), start="09:00", end="09:30").slots[0].slot_id
            outcomes = race(stub, slot_id, residents)
            assert sorted(set(outcomes)) == ["booked", "refused"], (round_, outcomes)
            assert outcomes.count("booked") == 1, round_
            with db.read() as session:
                count = session.scalar(select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id))
            assert count == 1, round_
    finally:
        channel.close()
        server.stop(grace=None)


# -- the staff side: publishing with clear validation, exceptions, case workers ----------------------
def refused_fields(call) -> tuple[grpc.StatusCode, dict[str, str]]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    errors: dict[str, str] = {}
    for key, value in caught.value.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            errors = json.loads(value)
    return caught.value.code(), errors


def add(stub, token: str, day: str, start: str, end: str, kind: str = "video", group: str = "") -> pb.Slot:
    request = pb.AddSlotRequest(group=group, kind=kind, date=day, start_time=start, end_time=end, location="Teams")
    return stub.AddSlot(request, metadata=md(token))


def slot_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Slot))


def test_publishing_refuses_overlaps_the_past_and_patterns_without_times(stub, db, advisor, monkeypatch) -> None:
    assert len(publish(stub, advisor, tomorrow()).slots) == 2  # 09:00 and 09:30
    for start, end, minutes in (("09:15", "10:15", 30), ("09:00", "10:30", 45), ("08:00", "12:00", 60)):
        code, errors = refused_fields(lambda s=start, e=end, m=minutes: publish(stub, advisor, tomorrow(), s, e, m))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert "krockar med en tid du redan har" in errors["start_time"], (start, errors)
    # The same pattern again adds nothing; a pattern beside it is fine.
    assert publish(stub, advisor, tomorrow()).already_published == 2
    assert publish(stub, advisor, tomorrow(), "10:00", "11:00", 60).created == 1

    code, errors = refused_fields(lambda: publish(stub, advisor, tomorrow(), "13:00", "13:10", 30))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "ryms ingen tid" in errors["slot_minutes"]
    day_after = (datetime.now(LOCAL).date() + timedelta(days=2)).isoformat()
    other_weekday = datetime.fromisoformat(day_after).isoweekday()
    wrong_day = pb.PublishSlotsRequest(
        kind="on_site",
        weekdays=[other_weekday],
        start_time="09:00",
        end_time="10:00",
        slot_minutes=30,
        from_date=tomorrow(),
        to_date=tomorrow(),
    )
    code, errors = refused_fields(lambda: stub.PublishSlots(wrong_day, metadata=md(advisor)))
    assert "Ingen av veckodagarna" in errors["weekdays"]
    yesterday = (datetime.now(LOCAL).date() - timedelta(days=1)).isoformat()
    assert "from_date" in refused_fields(lambda: publish(stub, advisor, yesterday))[1]
    assert "end_time" in refused_fields(lambda: publish(stub, advisor, tomorrow(), "10:00", "09:00"))[1]
    # Late tomorrow evening every time of tomorrow's pattern has passed: said, not silently nothing.
    late = datetime.combine(datetime.now(LOCAL).date() + timedelta(days=1), datetime.min.time(), LOCAL)
    monkeypatch.setattr(bookings_module, "now", lambda: (late + timedelta(hours=23)).astimezone(UTC))
    code, errors = refused_fields(lambda: publish(stub, advisor, tomorrow(), "14:00", "15:00"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "redan varit" in errors["start_time"]
    assert slot_count(db) == 3


def test_an_extra_time_and_a_day_off_are_exceptions_to_the_pattern(stub, db, advisor, anna, kicked) -> None:
    slots = publish(stub, advisor, tomorrow()).slots
    extra = add(stub, advisor, tomorrow(), "13:00", "13:45")
    assert (extra.kind, extra.status, extra.group) == ("video", "free", SERVICE)
    for start, end, field, says in (
        ("13:30", "14:00", "start_time", "krockar"),  # overlaps the extra time
        ("09:10", "09:20", "start_time", "krockar"),  # inside a pattern's time
        ("15:00", "14:00", "end_time", "efter starttiden"),
        ("15:00", "15:05", "end_time", "10 minuter"),
        ("25:00", "26:00", "start_time", "09:00"),
    ):
        code, errors = refused_fields(lambda s=start, e=end: add(stub, advisor, tomorrow(), s, e))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and says in errors[field], (start, errors)
    yesterday = (datetime.now(LOCAL).date() - timedelta(days=1)).isoformat()
    assert "redan varit" in refused_fields(lambda: add(stub, advisor, yesterday, "13:00", "13:30"))[1]["date"]
    assert refused_fields(lambda: add(stub, anna, tomorrow(), "16:00", "16:30"))[0] == grpc.StatusCode.PERMISSION_DENIED
    assert slot_count(db) == 3

    # A withdrawn time stays withdrawn when the pattern is published again; an extra time reopens it.
    stub.WithdrawSlot(pb.SlotRequest(slot_id=slots[1].slot_id), metadata=md(advisor))
    assert publish(stub, advisor, tomorrow()).created == 0
    reopened = add(stub, advisor, tomorrow(), "09:30", "10:00", kind="telephone")
    assert (reopened.slot_id, reopened.status, reopened.kind) == (slots[1].slot_id, "free", "telephone")

    # A day off: every coming time withdrawn, the booking cancelled and the resident told.
    booking = stub.BookSlot(pb.BookSlotRequest(slot_id=extra.slot_id), metadata=md(anna))
    day = stub.WithdrawDay(pb.AdvisorDayRequest(date=tomorrow()), metadata=md(advisor))
    assert [s.status for s in day.slots] == ["withdrawn"] * 3
    cancelled = booking_events(db, "booking_cancelled")
    assert [(e.booking_id, e.cancelled_by) for e in cancelled] == [(booking.booking_id, "advisor")]
    assert stub.ListMyBookings(pb.ListMyBookingsRequest(), metadata=md(anna)).bookings == []
    assert stub.ListFreeSlots(pb.ListFreeSlotsRequest(group=SERVICE)).slots == []
    code, errors = refused_fields(lambda: stub.WithdrawDay(pb.AdvisorDayRequest(date=yesterday), metadata=md(advisor)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "redan varit" in errors["date"]
    code, errors = refused_fields(lambda: stub.WithdrawDay(pb.AdvisorDayRequest(), metadata=md(advisor)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "Välj vilken dag" in errors["date"]  # never today by default
    assert refused_fields(lambda: stub.WithdrawDay(pb.AdvisorDayRequest(date=tomorrow()), metadata=md(anna)))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )


def test_case_workers_publish_their_units_times_and_residents_book_them(stub, db, tokens, anna) -> None:
    units = {u.code: u.name for u in stub.GetContactCentre(pb.GetContactCentreRequest()).case_units}
    assert units["ekonomiskt-bistand"].startswith("Ekonomiskt bistånd")
    karin = tokens.token(str(uuid.uuid4()), roles=("case_worker",), name="Karin Handläggare", unit="ekonomiskt-bistand")
    made = stub.PublishSlots(
        pb.PublishSlotsRequest(
            kind="telephone",
            weekdays=[datetime.fromisoformat(tomorrow()).isoweekday()],
            start_time="10:00",
            end_time="11:00",
            slot_minutes=60,
            from_date=tomorrow(),
            to_date=tomorrow(),
        ),
        metadata=md(karin),
    )
    [slot] = made.slots
    assert (slot.group, slot.group_name, slot.advisor_name) == (
        "ekonomiskt-bistand",
        units["ekonomiskt-bistand"],
        "Karin Handläggare",
    )
    free = stub.ListFreeSlots(pb.ListFreeSlotsRequest(group="ekonomiskt-bistand")).slots
    assert [s.slot_id for s in free] == [slot.slot_id]
    stub.BookSlot(pb.BookSlotRequest(slot_id=slot.slot_id, phone="070-123 45 67"), metadata=md(anna))
    day = stub.GetAdvisorDay(pb.AdvisorDayRequest(date=tomorrow()), metadata=md(karin))
    assert [(s.status, s.resident_name) for s in day.slots] == [("booked", "Anna Andersson")]

    olle = tokens.token(str(uuid.uuid4()), roles=("case_worker",), name="Olle", unit="aldreomsorg")
    assert refused_fields(lambda: add(stub, olle, tomorrow(), "12:00", "12:30", group="ekonomiskt-bistand"))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    advisor = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), group=SERVICE)
    assert refused_fields(lambda: add(stub, advisor, tomorrow(), "12:00", "12:30", group="ekonomiskt-bistand"))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    nowhere = tokens.token(str(uuid.uuid4()), roles=("case_worker",), unit="okand-enhet")
    code, errors = refused_fields(lambda: add(stub, nowhere, tomorrow(), "12:00", "12:30"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "group" in errors
    # Her own extra time next to the booked one; an admin adds one for any unit.
    assert add(stub, karin, tomorrow(), "11:00", "11:30").group == "ekonomiskt-bistand"
    admin = tokens.token(str(uuid.uuid4()), roles=("admin",), name="Adam")
    assert add(stub, admin, tomorrow(), "11:00", "11:30", group="aldreomsorg").group == "aldreomsorg"
    assert slot_count(db) == 3
