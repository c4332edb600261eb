"""Idempotent commands: a retried request (the same caller, method, key and request) gets the first
answer instead of doing the work again.

A client sends an idempotency key with a command (the mobile API's `Idempotency-Key` header, the web
page's one-time form token); the BFF passes it on as the gRPC metadata `idempotency-key`. The service's
interceptor claims the key in the service's own database before the use case runs and stores the
answer after it succeeded, for a day. A second request with the same key either finds the answer
(and gets it back) or finds the claim and waits for the first one to finish — so a double click
decides once, and both clicks land on the decided case.

Failures are not stored: a refused or failed command releases its claim, so a retry runs again.
The answer is stored just after the use case committed, not in its transaction: if the process dies
in between, a retry after `stale` seconds runs the command again, and the case's version check
answers it with a clear conflict instead of doing the work twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fickan_common import texts
from fickan_common.db import Database
from fickan_common.errors import Conflict, ValidationFailed

log = logging.getLogger(__name__)

METADATA_KEY = "idempotency-key"
MAX_KEY_LENGTH = 200
PENDING, DONE = "pending", "done"
BAD_KEY = texts.BAD_IDEMPOTENCY_KEY
STILL_RUNNING = texts.STILL_RUNNING


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        # sha256 of caller, method, key and request: the key alone never leaves the request.
        Column("key_hash", String(64), primary_key=True),
        Column("state", String(10), nullable=False),
        Column("response", LargeBinary, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )


def is_valid_key(key: str) -> bool:
    """1–200 visible ASCII characters: keys travel as gRPC metadata, which allows nothing else."""
    return 1 <= len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def check_key(key: str) -> str:
    if not is_valid_key(key):
        raise ValidationFailed(BAD_KEY, {"idempotency_key": BAD_KEY})
    return key


def key_hash(caller: str, method: str, key: str, request: bytes) -> str:
    digest = hashlib.sha256()
    for part in (caller, method, key):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        table: Table,
        keep: timedelta = timedelta(days=1),
        wait: float = 10.0,
        stale: float = 60.0,
        poll: float = 0.025,
    ) -> None:
        self.db, self.table = db, table
        self.keep = keep  # how long an answer is given back
        self.wait = wait  # how long a repeat waits for the first request to finish
        self.stale = timedelta(seconds=stale)  # a claim this old was left by a process that died
        self.poll = poll

    def run(self, hashed: str, execute: Callable[[], bytes]) -> tuple[bytes, bool]:
        """(answer, replayed): the stored answer of an earlier run with this key, or execute()'s."""
        if not self._claim(hashed):
            stored = self._wait_for(hashed)
            if stored is not None:
                log.info("idempotent repeat answered from the first request")
                return stored, True
            if not self._claim(hashed):
                raise Conflict(STILL_RUNNING)
        try:
            answer = execute()
        except BaseException:
            self._release(hashed)
            raise
        with self.db.transaction() as session:
            session.execute(
                update(self.table).where(self.table.c.key_hash == hashed).values(state=DONE, response=answer)
            )
        return answer, False

    def _claim(self, hashed: str) -> bool:
        now = datetime.now(UTC)
        table = self.table
        try:
            with self.db.transaction() as session:
                # A forgotten answer (older than `keep`) or a claim left by a dead process is free.
                session.execute(
                    delete(table).where(
                        table.c.key_hash == hashed,
                        (table.c.created_at < now - self.keep)
                        | ((table.c.state == PENDING) & (table.c.created_at < now - self.stale)),
                    )
                )
                session.execute(insert(table).values(key_hash=hashed, state=PENDING, created_at=now))
        except IntegrityError:
            return False
        return True

    def _release(self, hashed: str) -> None:
        with self.db.transaction() as session:
            session.execute(delete(self.table).where(self.table.c.key_hash == hashed, self.table.c.state == PENDING))

    def _wait_for(self, hashed: str) -> bytes | None:
        """The first request's answer once it is stored; None when its claim went away (it failed)
        or is stale (its process died)."""
        give_up = time.monotonic() + self.wait
        while True:
            with self.db.read() as session:
                row = session.execute(
                    select(self.table.c.state, self.table.c.response, self.table.c.created_at).where(
                        self.table.c.key_hash == hashed
                    )
                ).first()
            if row is None:
                return None
            state, response, created = row
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            if state == DONE:
                return response
            if datetime.now(UTC) - created > self.stale or time.monotonic() > give_up:
                return None
            time.sleep(self.poll)

    def purge(self) -> int:
        """Forget answers older than `keep` (the worker calls this now and then)."""
        with self.db.transaction() as session:
            return session.execute(
                delete(self.table).where(self.table.c.created_at < datetime.now(UTC) - self.keep)
            ).rowcount
