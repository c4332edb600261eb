"""Advisory bookings: advisors publish times (a weekly pattern with exceptions) and see their day;
residents book, reschedule and cancel. Each change is one transaction (state + outbox).

No double booking, ever, in three layers: the write transaction serializes (BEGIN IMMEDIATE on
SQLite, the time's row locked FOR UPDATE on PostgreSQL), the use case checks the time is free, and
the database's partial unique index on bookings(slot_id) WHERE status = 'booked' refuses a second
booking whatever happens above it. The loser of a race is told so with the next free times."""

from __future__ import annotations

import bisect
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contact import texts
from contact.domain import bookings as rules
from contact.domain.centre import ADVISORY, CASE_UNIT, Centre
from contact.store import OUTBOX, Booking, Slot
from fickan.contact.events.v1 import events_pb2
from fickan_common import metrics
from fickan_common.db import Database
from fickan_common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fickan_common.texts import Text
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

FREE_LIMIT_DEFAULT, FREE_LIMIT_MAX = 20, 50
NEXT_FREE_SHOWN = 3
PUBLISHERS = ("contact_agent", "case_worker", "admin")
# How notifications names the kinds of meeting.
NOTIFICATION_MODES = {"on_site": "visit", "telephone": "phone", "video": "video"}


@dataclass(frozen=True)
class BookedTime:
    booking: Booking
    slot: Slot


def now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    # SQLite gives back naive datetimes (stored as UTC).
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _day_start(day: date) -> datetime:
    """Midnight of a local (Europe/Stockholm) day, in UTC."""
    return datetime.combine(day, datetime.min.time(), rules.LOCAL).astimezone(UTC)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class Bookings:
    def __init__(
        self, db: Database, centre: Centre, on_events: Callable[[Iterable[str]], None] = lambda ids: None
    ) -> None:
        self.db = db
        self.centre = centre
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit

    # -- advisors and case workers -------------------------------------------------------------------
    @staticmethod
    def _require_publisher(principal: Principal) -> None:
        if not any(principal.has_role(r) for r in PUBLISHERS):
            raise PermissionDenied(texts.PUBLISHERS_ONLY)

    def _publishing_group(self, principal: Principal, group: str) -> str:
        """Whose times: an advisor's advisory service, a case worker's unit; an admin's choice."""
        self._require_publisher(principal)
        group = (group or "").strip()
        if not group:
            own = [principal.group] if principal.has_role("contact_agent") else []
            own += [principal.unit] if principal.has_role("case_worker") else []
            group = next((g for g in own if self.centre.bookable(g)), own[0] if own else "")
        found = self.centre.bookable(group)
        if found is None:
            raise ValidationFailed(
                texts.CHOOSE_ADVISORY_OR_UNIT,
                {"group": texts.NOT_BOOKABLE_GROUP},
            )
        mine = principal.has_role("admin") or (
            (found.kind == ADVISORY and principal.has_role("contact_agent") and principal.group == group)
            or (found.kind == CASE_UNIT and principal.has_role("case_worker") and principal.unit == group)
        )
        if not mine:
            raise PermissionDenied(texts.OWN_SERVICE_ONLY)
        return group

    def publish(self, principal: Principal, group: str, **pattern_fields) -> tuple[int, int, list[Slot]]:
        group = self._publishing_group(principal, group)
        pattern = rules.clean_pattern(group, **pattern_fields)
        at = now()
        wanted = [(s, e) for s, e in pattern.times() if s > at]
        if not wanted:
            raise ValidationFailed(rules.FIX, {"start_time": rules.ALL_PASSED})
        try:
            return self._publish(principal, group, pattern, wanted, at)
        except IntegrityError:  # the same pattern published at the same moment elsewhere
            raise Conflict(texts.JUST_PUBLISHED_MANY) from None

    @staticmethod
    def _own_times(session: Session, principal: Principal, start: datetime, end: datetime) -> list[Slot]:
        """The person's times that touch [start, end), earliest first. One person's publishing is
        serialized (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL), so two
        overlapping patterns sent at once cannot both pass the overlap check."""
        if session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(principal.user_id.encode()).digest()[:8], "big", signed=True)
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return list(
            session.scalars(
                select(Slot)
                .where(Slot.advisor_id == principal.user_id, Slot.ends_at > start, Slot.starts_at < end)
                .order_by(Slot.starts_at)
            )
        )

    @staticmethod
    def _clash(own: list[Slot], start: datetime, end: datetime) -> Slot | None:
        """The person's time (not withdrawn) that overlaps [start, end), if any."""
        for slot in own:
            if slot.status != rules.WITHDRAWN and _aware(slot.starts_at) < end and start < _aware(slot.ends_at):
                return slot
        return None

    def _publish(self, principal: Principal, group: str, pattern: rules.Pattern, wanted: list, at: datetime):
        with self.db.transaction() as session:
            own = self._own_times(session, principal, wanted[0][0], wanted[-1][1])
            by_start = {_aware(s.starts_at): s for s in own}
            taken = _OwnTimes([s for s in own if s.status != rules.WITHDRAWN])
            created, already = [], 0
            for s, e in wanted:
                same = by_start.get(s)
                if same is not None and (same.status == rules.WITHDRAWN or _aware(same.ends_at) == e):
                    # Published before (or withdrawn as an exception, which stands).
                    already += 1
                    continue
                clash = taken.overlapping(s, e)
                if clash is not None:
                    raise ValidationFailed(rules.FIX, {"start_time": rules.overlap_message(s, _aware(clash.starts_at))})
                created.append(self._new_slot(principal, group, pattern.kind, s, e, pattern.location, at))
            session.add_all(created)
        metrics.BUSINESS.labels("slots_published").inc(len(created))
        return len(created), already, created

    @staticmethod
    def _new_slot(
        principal: Principal, group: str, kind: str, start: datetime, end: datetime, location: str, at: datetime
    ) -> Slot:
        return Slot(
            id=str(uuid.uuid4()),
            advisor_id=principal.user_id,
            advisor_name=principal.name,
            group_code=group,
            kind=kind,
            starts_at=start,
            ends_at=end,
            location=location,
            status=rules.FREE,
            published_at=at,
        )

    def add(self, principal: Principal, group: str, **fields) -> Slot:
        """An exception to the pattern: one extra time. A time withdrawn earlier at the same start is
        published again with the new length and kind (its old booking stays cancelled)."""
        group = self._publishing_group(principal, group)
        at = now()
        extra = rules.clean_extra(at=at, **fields)
        try:
            with self.db.transaction() as session:
                own = self._own_times(session, principal, extra.starts_at, extra.ends_at)
                clash = self._clash(own, extra.starts_at, extra.ends_at)
                if clash is not None:
                    message = rules.overlap_message(extra.starts_at, _aware(clash.starts_at))
                    raise ValidationFailed(rules.FIX, {"start_time": message})
                again = next((s for s in own if _aware(s.starts_at) == extra.starts_at), None)
                if again is None:
                    again = self._new_slot(
                        principal, group, extra.kind, extra.starts_at, extra.ends_at, extra.location, at
                    )
                    session.add(again)
                else:
                    again.group_code, again.kind, again.location = group, extra.kind, extra.location
                    again.ends_at, again.status, again.published_at = extra.ends_at, rules.FREE, at
        except IntegrityError:
            raise Conflict(texts.JUST_PUBLISHED) from None
        metrics.BUSINESS.labels("slots_published").inc()
        return again

    def withdraw(self, principal: Principal, slot_id: str) -> Slot:
        """An exception for one time (illness, a meeting): withdrawn; a booking of it is cancelled
        and the resident told (booking_cancelled, by the advisor)."""
        self._require_publisher(principal)
        with self.work() as session:
            slot = self._slot(session, slot_id, lock=True)
            if slot.advisor_id != principal.user_id and not principal.has_role("admin"):
                raise NotFound(rules.SLOT_NOT_FOUND)
            if _aware(slot.starts_at) <= now():
                raise Conflict(rules.PAST)
            booking = self._active_booking(session, slot.id)
            if booking is not None:
                self._cancel(session, booking, slot, "advisor")
            slot.status = rules.WITHDRAWN
        metrics.BUSINESS.labels("slot_withdrawn").inc()
        return slot

    def withdraw_day(self, principal: Principal, day: str) -> tuple[date, list[BookedTime | Slot]]:
        """An exception for a day (a day off): the person's coming times that day withdrawn, their
        bookings cancelled and the residents told. Times that have begun stay as they were."""
        self._require_publisher(principal)
        if not (day or "").strip():  # never "today" by default: it cancels bookings
            raise ValidationFailed(rules.FIX, {"date": texts.CHOOSE_DAY_OFF})
        the_day = self._the_day(day)
        if the_day < rules.today():
            raise ValidationFailed(rules.FIX, {"date": texts.DAY_PASSED})
        start = max(_day_start(the_day), now())
        with self.work() as session:
            slots = list(
                session.scalars(
                    select(Slot)
                    .where(
                        Slot.advisor_id == principal.user_id,
                        Slot.starts_at > start,
                        Slot.starts_at < _day_start(the_day) + timedelta(days=1),
                        Slot.status != rules.WITHDRAWN,
                    )
                    .order_by(Slot.starts_at)
                    .with_for_update()
                )
            )
            for slot in slots:
                booking = self._active_booking(session, slot.id)
                if booking is not None:
                    self._cancel(session, booking, slot, "advisor")
                slot.status = rules.WITHDRAWN
        if slots:
            metrics.BUSINESS.labels("day_withdrawn").inc()
        return self.day(principal, the_day.isoformat())

    @staticmethod
    def _the_day(day: str) -> date:
        errors: dict[str, str] = {}
        the_day = rules.parse_date(day, "date", errors) if (day or "").strip() else rules.today()
        if the_day is None:
            raise ValidationFailed(texts.CHOOSE_DAY, errors)
        return the_day

    def day(self, principal: Principal, day: str) -> tuple[date, list[BookedTime | Slot]]:
        self._require_publisher(principal)
        the_day = self._the_day(day)
        start = _day_start(the_day)
        with self.db.read() as session:
            slots = list(
                session.scalars(
                    select(Slot)
                    .where(
                        Slot.advisor_id == principal.user_id,
                        Slot.starts_at >= start,
                        Slot.starts_at < start + timedelta(days=1),
                    )
                    .order_by(Slot.starts_at)
                )
            )
            booked = {
                b.slot_id: b
                for b in session.scalars(
                    select(Booking).where(Booking.slot_id.in_([s.id for s in slots]), Booking.status == rules.BOOKED)
                )
            }
        return the_day, [BookedTime(booked[s.id], s) if s.id in booked else s for s in slots]

    # -- anyone -------------------------------------------------------------------------------------
    def free(self, group: str, kind: str = "", from_date: str = "", limit: int = 0) -> list[Slot]:
        group = (group or "").strip()
        errors: dict[str, str] = {}
        if self.centre.bookable(group) is None:
            errors["group"] = texts.CHOOSE_ADVISORY
        if kind and kind not in rules.KINDS:
            errors["kind"] = texts.KIND
        start = now()
        if (from_date or "").strip():
            day = rules.parse_date(from_date, "from_date", errors)
            if day:
                start = max(start, datetime.combine(day, datetime.min.time(), rules.LOCAL).astimezone(UTC))
        if errors:
            raise ValidationFailed(texts.FIX, errors)
        limit = min(limit or FREE_LIMIT_DEFAULT, FREE_LIMIT_MAX)
        with self.db.read() as session:
            return self._free(session, group, kind, start, limit)

    @staticmethod
    def _free(session: Session, group: str, kind: str, start: datetime, limit: int, besides: str = "") -> list[Slot]:
        query = select(Slot).where(Slot.group_code == group, Slot.status == rules.FREE, Slot.starts_at > start)
        if kind:
            query = query.where(Slot.kind == kind)
        if besides:
            query = query.where(Slot.id != besides)
        return list(session.scalars(query.order_by(Slot.starts_at, Slot.id).limit(limit)))

    # -- residents ----------------------------------------------------------------------------------
    @staticmethod
    def _require_resident(principal: Principal) -> None:
        if not principal.is_resident:
            raise PermissionDenied(texts.RESIDENTS_BOOK)
        if "glance" in principal.scope:
            raise PermissionDenied(texts.WATCH_NO_BOOKING)

    def book(self, principal: Principal, slot_id: str, note: str = "", phone: str = "") -> BookedTime:
        self._require_resident(principal)
        note, phone = rules.clean_booking(note, phone)
        return self._take(principal, slot_id, note, phone, replacing=None)

    def reschedule(self, principal: Principal, booking_id: str, slot_id: str) -> BookedTime:
        """The new time taken and the old one freed in one transaction: a resident who loses the
        new time keeps the old one."""
        self._require_resident(principal)
        return self._take(principal, slot_id, "", "", replacing=booking_id)

    def _take(self, principal: Principal, slot_id: str, note: str, phone: str, replacing: str | None) -> BookedTime:
        group = kind = ""
        try:
            with self.work() as session:
                old = old_slot = None
                if replacing is not None:
                    old = self._my_booking(session, principal, replacing, lock=True)
                    old_slot = self._slot(session, old.slot_id)
                    if old.status != rules.BOOKED:
                        raise Conflict(texts.BOOKING_CANCELLED)
                    if _aware(old_slot.starts_at) <= now():
                        raise Conflict(texts.NO_RESCHEDULE_PAST)
                    note, phone = old.note, old.phone
                slot = self._slot(session, slot_id, lock=True)
                group, kind = slot.group_code, slot.kind
                if _aware(slot.starts_at) <= now():
                    raise Conflict(rules.PAST)
                if slot.status == rules.WITHDRAWN:
                    raise Conflict(rules.WITHDRAWN_TEXT)
                if old_slot is not None and old_slot.group_code != slot.group_code:
                    raise Conflict(texts.SAME_SERVICE)
                if slot.status == rules.BOOKED or self._active_booking(session, slot.id) is not None:
                    raise _Taken()
                if old is None:
                    self._refuse_second_booking(session, principal, slot.group_code)
                if old is not None and old_slot is not None:
                    self._cancel(session, old, old_slot, "rescheduled")
                booking = Booking(
                    id=str(uuid.uuid4()),
                    slot_id=slot.id,
                    resident_id=principal.user_id,
                    resident_name=principal.name,
                    status=rules.BOOKED,
                    note=note,
                    phone=phone,
                    booked_at=now(),
                    cancelled_by="",
                )
                session.add(booking)
                slot.status = rules.BOOKED
                # The unique index speaks here, inside the transaction, if anything above let a
                # second booking through.
                session.flush()
                self._event(session, "booking_made", booking, slot, replaces=replacing or "")
                self._confirmed(session, booking, slot)
        except (_Taken, IntegrityError):
            metrics.BUSINESS.labels("booking_lost_race").inc()
            raise Conflict(self._taken_message(group, kind, slot_id)) from None
        metrics.BUSINESS.labels("booking_made").inc()
        return BookedTime(booking, slot)

    def _taken_message(self, group: str, kind: str, slot_id: str) -> Text:
        with self.db.read() as session:
            if not group:
                slot = session.get(Slot, slot_id)
                group, kind = (slot.group_code, slot.kind) if slot else ("", "")
            free = self._free(session, group, kind, now(), NEXT_FREE_SHOWN, besides=slot_id) if group else []
        return rules.taken_message([_aware(s.starts_at) for s in free])

    def _refuse_second_booking(self, session: Session, principal: Principal, group: str) -> None:
        """One coming time per resident and service: a second is a reschedule (keeps times free for others)."""
        mine = session.execute(
            select(Booking.id)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.resident_id == principal.user_id,
                Booking.status == rules.BOOKED,
                Slot.group_code == group,
                Slot.starts_at > now(),
            )
            .limit(1)
        ).first()
        if mine:
            raise Conflict(texts.ALREADY_BOOKED.format(group=self.centre.group_name(group)))

    def cancel(self, principal: Principal, booking_id: str) -> BookedTime:
        self._require_resident(principal)
        with self.work() as session:
            booking = self._my_booking(session, principal, booking_id, lock=True)
            slot = self._slot(session, booking.slot_id, lock=True)
            if booking.status != rules.BOOKED:
                return BookedTime(booking, slot)  # cancelled already: nothing more to do
            if _aware(slot.starts_at) <= now():
                raise Conflict(texts.NO_CANCEL_PAST)
            self._cancel(session, booking, slot, "resident")
        metrics.BUSINESS.labels("booking_cancelled").inc()
        return BookedTime(booking, slot)

    def mine(self, principal: Principal, include_past: bool = False) -> list[BookedTime]:
        if not principal.is_resident:
            raise PermissionDenied(texts.RESIDENTS_BOOKINGS)
        with self.db.read() as session:
            rows = session.execute(
                select(Booking, Slot)
                .join(Slot, Slot.id == Booking.slot_id)
                .where(Booking.resident_id == principal.user_id)
                .order_by(Slot.starts_at)
            ).all()
        at = now()
        coming = [BookedTime(b, s) for b, s in rows if b.status == rules.BOOKED and _aware(s.ends_at) > at]
        if not include_past:
            return coming
        rest = [BookedTime(b, s) for b, s in reversed(rows) if BookedTime(b, s) not in coming][:50]
        return coming + rest

    def calendar(self, principal: Principal, booking_id: str) -> tuple[str, bytes]:
        if not principal.is_resident:
            raise PermissionDenied(texts.RESIDENTS_BOOKINGS)
        with self.db.read() as session:
            booking = self._my_booking(session, principal, booking_id)
            slot = self._slot(session, booking.slot_id)
        kind = rules.KINDS[slot.kind][0].lower()
        summary = f"Rådgivning: {self.centre.group_name(slot.group_code)} ({kind})"
        description = f"Bokad i Fickan. Rådgivare: {slot.advisor_name}." if slot.advisor_name else "Bokad i Fickan."
        content = rules.calendar(
            booking.id,
            _aware(slot.starts_at),
            _aware(slot.ends_at),
            summary,
            slot.location,
            description,
            now(),
            cancelled=booking.status != rules.BOOKED,
        )
        start = _aware(slot.starts_at).astimezone(rules.LOCAL)
        return f"radgivning-{start:%Y-%m-%d-%H%M}.ics", content

    # -- shared -------------------------------------------------------------------------------------
    @staticmethod
    def _slot(session: Session, slot_id: str, lock: bool = False) -> Slot:
        if not _is_uuid(slot_id or ""):
            raise NotFound(rules.SLOT_NOT_FOUND)
        query = select(Slot).where(Slot.id == slot_id)
        if lock:
            query = query.with_for_update()
        slot = session.scalars(query).first()
        if slot is None:
            raise NotFound(rules.SLOT_NOT_FOUND)
        return slot

    @staticmethod
    def _my_booking(session: Session, principal: Principal, booking_id: str, lock: bool = False) -> Booking:
        """Another resident's booking is as unknown as one that does not exist."""
        if not _is_uuid(booking_id or ""):
            raise NotFound(rules.BOOKING_NOT_FOUND)
        query = select(Booking).where(Booking.id == booking_id, Booking.resident_id == principal.user_id)
        if lock:
            query = query.with_for_update()
        booking = session.scalars(query).first()
        if booking is None:
            raise NotFound(rules.BOOKING_NOT_FOUND)
        return booking

    @staticmethod
    def _active_booking(session: Session, slot_id: str) -> Booking | None:
        return session.scalars(
            select(Booking).where(Booking.slot_id == slot_id, Booking.status == rules.BOOKED)
        ).first()

    def _cancel(self, session: Session, booking: Booking, slot: Slot, by: str) -> str:
        booking.status = rules.CANCELLED
        booking.cancelled_at = now()
        booking.cancelled_by = by
        if slot.status == rules.BOOKED:
            slot.status = rules.FREE
        # The freed time's index entry must be gone before a new booking of it is inserted.
        session.flush()
        return self._event(session, "booking_cancelled", booking, slot, by=by)

    @staticmethod
    def _event(session: Session, kind: str, booking: Booking, slot: Slot, replaces: str = "", by: str = "") -> str:
        if kind == "booking_made":
            message = events_pb2.BookingMade(
                booking_id=booking.id,
                slot_id=slot.id,
                resident_id=booking.resident_id,
                advisor_id=slot.advisor_id,
                group=slot.group_code,
                replaces_booking_id=replaces,
            )
        else:
            message = events_pb2.BookingCancelled(
                booking_id=booking.id,
                slot_id=slot.id,
                resident_id=booking.resident_id,
                advisor_id=slot.advisor_id,
                group=slot.group_code,
                cancelled_by=by,
            )
        return OUTBOX.add(session, kind, message)["event_id"]

    @staticmethod
    def _confirmed(session: Session, booking: Booking, slot: Slot) -> str:
        """notifications' contract: the confirmation now and the reminder the day before."""
        message = events_pb2.BookingConfirmed(
            booking_id=booking.id,
            resident_id=booking.resident_id,
            starts_at=to_timestamp(slot.starts_at),
            mode=NOTIFICATION_MODES[slot.kind],
        )
        return OUTBOX.add(session, "booking_confirmed", message)["event_id"]


class _OwnTimes:
    """A person's times (earliest first) asked "which one overlaps [start, end)?" quickly: a
    quarter's pattern against a quarter's times."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.starts = [_aware(s.starts_at) for s in slots]
        self.ends = [_aware(s.ends_at) for s in slots]
        self.latest_end: list[datetime] = []  # the latest end among slots[0..i]
        for end in self.ends:
            self.latest_end.append(max(end, self.latest_end[-1]) if self.latest_end else end)

    def overlapping(self, start: datetime, end: datetime) -> Slot | None:
        i = bisect.bisect_left(self.starts, end)  # slots[:i] start before `end`
        if i == 0 or self.latest_end[i - 1] <= start:
            return None
        return next(self.slots[j] for j in range(i - 1, -1, -1) if self.ends[j] > start)


class _Taken(Exception):
    """The time is booked by someone else (turned into a Conflict with the next free times)."""
