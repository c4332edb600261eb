"""A Submit opens as few database transactions as correctness needs, counted on the engine itself
(every BEGIN, whichever code path opens it) while the real api answers a real Submit over gRPC.

What a Submit needs, on SQLite and PostgreSQL alike:
- a read: the case and the text its signature must be of, before identity is asked (no write lock
  is held over a call to another service), checked again under the lock in the write;
- one write: the unit of work that sends the case and receives it at once (calculation, proposal,
  automatic decision), with its timeline and events;
- a read for the answer: the case's timeline, completions and files, as every call that answers
  with a case reads them (a read, beside the writers).
With an idempotency key the interceptor adds its own two writes: claiming the key (committed alone,
so a repeat sees it and waits) and storing the answer after the use case committed.
Before the unit of work a Submit opened five: receiving was a second write, and the case was read
again after it.
"""

# ruff: noqa: F811 - test functions take the imported `desk` fixture as their argument
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from applications.service import Applications
from applications.store import OUTBOX
from fickan.applications.v1 import applications_pb2 as pb
from fickan_common.db import Database
from fickan_common.tokens import Principal
from tests.case_helpers import TODAY, UNIT

from .test_every_case_change_happens_once import Desk, desk  # noqa: F401 - the races' fixture

READS_PER_SUBMIT = 2  # before identity is asked; for the answer
WRITES_PER_SUBMIT = 1
IDEMPOTENCY_WRITES = 2  # the key's claim and its stored answer


@contextmanager
def transactions_counted(db: Database) -> Iterator[dict[str, int]]:
    """Counts the transactions this thread's requests open: {'read': n, 'write': n}."""
    counted = {"read": 0, "write": 0}
    lock = threading.Lock()

    def begin(connection) -> None:  # type: ignore[no-untyped-def]
        kind = "write" if connection.get_execution_options().get("fickan_write", True) else "read"
        with lock:
            counted[kind] += 1

    event.listen(db.engine, "begin", begin)
    try:
        yield counted
    finally:
        event.remove(db.engine, "begin", begin)


def submit_request(desk: Desk, resident: str) -> pb.SubmitRequest:
    draft = desk.draft(resident)
    return pb.SubmitRequest(
        application_id=draft.application_id,
        expected_version=draft.version,
        signature_id=desk.signature(resident, draft.application_id),
    )


def test_a_submit_opens_one_write_and_two_reads(desk: Desk) -> None:
    request = submit_request(desk, "r-count")
    with transactions_counted(desk.db) as counted:
        sent = desk.stub.Submit(request, metadata=desk.auth("r-count"))
    assert sent.status == pb.APPLICATION_STATUS_RECEIVED  # submitted and received at once, in the one write
    assert [t.status for t in sent.timeline][-2:] == [pb.APPLICATION_STATUS_SUBMITTED, pb.APPLICATION_STATUS_RECEIVED]
    assert counted == {"read": READS_PER_SUBMIT, "write": WRITES_PER_SUBMIT}


def test_a_submit_with_an_idempotency_key_adds_only_the_keys_writes(desk: Desk) -> None:
    request = submit_request(desk, "r-keyed")
    with transactions_counted(desk.db) as counted:
        sent = desk.stub.Submit(request, metadata=desk.auth("r-keyed", key=str(uuid.uuid4())))
    assert sent.status == pb.APPLICATION_STATUS_RECEIVED
    assert counted == {"read": READS_PER_SUBMIT, "write": WRITES_PER_SUBMIT + IDEMPOTENCY_WRITES}


def test_a_receive_that_fails_halfway_undoes_only_the_receiving_and_its_events(desk: Desk) -> None:
    """Receiving runs in a savepoint of the Submit's unit of work: a failure after it wrote (moved the
    case, added its events) takes back exactly that, the case commits as sent, and only the sent
    case's events are published; the worker's fallback then receives it."""
    kicked: list[str] = []

    def receive_then_fail(application_id: str, session: Session) -> None:
        desk.casework.receive(application_id, session)  # moves it to received, adds its events
        raise RuntimeError("the calculation blinked")

    failing = Applications(
        desk.db, kicked.extend, unit=UNIT, people=desk.identity, today=lambda: TODAY, receive=receive_then_fail
    )
    draft = desk.draft("r-half")
    sent = failing.submit(
        Principal("r-half", ("resident",)),
        draft.application_id,
        draft.version,
        desk.signature("r-half", draft.application_id),
    )
    assert sent.status == "submitted" and sent.calculation in (None, {})
    assert desk.rows(sent.id, "submitted") == 1 and desk.rows(sent.id, "received") == 0
    with desk.db.read() as session:
        committed = [
            (event_id, envelope["data"].get("to_status", ""))
            for event_id, envelope in session.execute(
                select(OUTBOX.table.c.event_id, OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id)
            )
            if envelope["data"].get("application_id") == sent.id
        ]
    assert [status for _, status in committed] == ["submitted", ""]  # case_status_changed, application_submitted
    assert kicked == [event_id for event_id, _ in committed]  # published: the committed ones, no more
    assert desk.casework.receive(sent.id) is not None  # the worker's fallback
    assert desk.rows(sent.id, "received") == 1
