"""A small nameko worker for the reliability tests, built as the services build theirs (the shared
WorkerRuntime, fickan's @event_handler, the inbox): what a test does to it, a service's worker would
live through the same way.

Each `drill.tick` event is handled once through the inbox (one row in `effects`), and every delivery
is recorded (one row in `deliveries`, outside the inbox's transaction) so a test can see a
redelivery. An event may ask the handler, after its commit, to
- `block_until`: block the whole process (as a driver call that is not green does, e.g. psycopg
  under eventlet) until that file exists, so the test can cut the broker connection before the ack;
- `hang`: sleep that many seconds without blocking the process (a handler stuck on a slow socket).

Run: nameko run --broker <uri> drill_worker   (FICKAN_DATABASE_URL, FICKAN_METRICS_PORT set)
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventlet import patcher
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from fickan_common.db import Database
from fickan_common.events import Outbox, handle_once, inbox_table, outbox_table
from fickan_common.worker import WorkerRuntime, event_handler

metadata = MetaData()
INBOX = inbox_table(metadata)
OUTBOX = Outbox("drill", outbox_table(metadata))
EFFECTS = Table("effects", metadata, Column("event_id", String(36), nullable=False))
DELIVERIES = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

_db = Database(os.environ["FICKAN_DATABASE_URL"])
metadata.create_all(_db.engine)
_real_sleep = patcher.original("time").sleep


class DrillWorker:
    name = "drill"

    runtime = WorkerRuntime(lambda: _db, OUTBOX)

    @event_handler("drill", "tick", requeue_on_error=True)
    def on_tick(self, body: dict[str, Any]) -> None:
        event_id = body["event_id"]
        with _db.transaction() as session:
            session.execute(insert(DELIVERIES).values(event_id=event_id, at=datetime.now(UTC)))
        handle_once(_db, INBOX, "drill.on_tick", body, lambda s: s.execute(insert(EFFECTS).values(event_id=event_id)))
        data = body.get("data", {})
        if data.get("block_until"):
            release = Path(data["block_until"])
            while not release.exists():
                _real_sleep(0.05)  # holds the whole process, the consumer's loop included
        if data.get("hang"):
            time.sleep(float(data["hang"]))  # green: only this handler waits
