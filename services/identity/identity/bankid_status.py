"""BankID's own status as identity sees it: BankID has no status endpoint, but its RP API answers
`maintenance` (HTTP 503) while it is down for maintenance or disturbed. Every call identity makes
goes through WatchedBankId, which notes such an answer (and the next good one) in identity's own
database, so every api replica and the login pages can say "BankID har driftstörningar" before a
resident tries and fails.

A disruption counts for HOLD after the last `maintenance` answer unless a call succeeded since:
when nobody logs in, nothing can tell us it is over, and an old note must not scare people off."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fickan_common.db import Database
from identity.domain.bankid import BankIdClient, BankIdError
from identity.store import BankIdStatusRow

log = logging.getLogger(__name__)

DISRUPTED_CODES = {"maintenance"}
HOLD = timedelta(minutes=10)
ROW = "bankid"


@dataclass(frozen=True)
class Status:
    disrupted: bool
    since: datetime | None = None


def _aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class BankIdStatus:
    """Kept in the database; written only when it changes (a note of each disruption answer, and
    the first good answer after one), read from a copy at most `cache_seconds` old."""

    def __init__(
        self, db: Database, cache_seconds: float = 5.0, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self.now = now
        self._lock = threading.Lock()
        self._cached: tuple[float, BankIdStatusRow | None] | None = None

    def _row(self) -> BankIdStatusRow | None:
        with self._lock:
            if self._cached is not None and time.monotonic() - self._cached[0] < self.cache_seconds:
                return self._cached[1]
        with self.db.read() as session:
            row = session.get(BankIdStatusRow, ROW)
            if row is not None:
                session.expunge(row)
        with self._lock:
            self._cached = (time.monotonic(), row)
        return row

    def current(self) -> Status:
        row = self._row()
        if row is None or not row.disrupted:
            return Status(False)
        seen = _aware(row.seen_at)
        if seen is None or self.now() - seen > HOLD:
            return Status(False)
        return Status(True, _aware(row.since))

    def _write(self, disrupted: bool) -> None:
        try:
            self._write_once(disrupted)
        except IntegrityError:
            self._write_once(disrupted)  # two replicas made the first row at once: it is there now

    def _write_once(self, disrupted: bool) -> None:
        now = self.now()
        with self.db.transaction() as session:
            row = session.scalars(select(BankIdStatusRow).where(BankIdStatusRow.id == ROW).with_for_update()).first()
            if row is None:
                row = BankIdStatusRow(id=ROW, disrupted=False, since=now, seen_at=now)
                session.add(row)
            if disrupted and not (row.disrupted and now - (_aware(row.seen_at) or now) <= HOLD):
                row.since = now  # a new disruption (or the first after the last one ran out)
            row.disrupted, row.seen_at = disrupted, now
        with self._lock:
            self._cached = None

    def saw_disruption(self, error_code: str) -> None:
        log.warning("bankid reports a disruption", extra={"fields": {"error_code": error_code}})
        self._write(True)

    def saw_answer(self) -> None:
        if self.current().disrupted:
            log.info("bankid answers again")
            self._write(False)


class WatchedBankId:
    """A BankID client that tells BankIdStatus what BankID answered. Never lets a failure to note
    the status fail the resident's login: the note is a side matter."""

    CALLS = ("auth", "sign", "phone_auth", "phone_sign", "collect", "cancel")

    def __init__(self, client: BankIdClient, status: BankIdStatus) -> None:
        self.client = client
        self.status = status

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if name not in self.CALLS:
            return attribute

        def watched(*args: Any, **kwargs: Any) -> Any:
            try:
                answer = attribute(*args, **kwargs)
            except BankIdError as exc:
                if exc.error_code in DISRUPTED_CODES:
                    self._note(self.status.saw_disruption, exc.error_code)
                raise
            self._note(self.status.saw_answer)
            return answer

        return watched

    @staticmethod
    def _note(note: Callable[..., None], *args: str) -> None:
        try:
            note(*args)
        except Exception:
            log.exception("could not note BankID's status")
