"""The outbox reaches the real RabbitMQ in nameko's wire format, and survives a broker outage."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import kombu
import pytest
from sqlalchemy import select

from applications.store import OUTBOX
from fickan_common.events import Publisher, flush_outbox
from fickan_common.testing import fresh_rabbitmq_vhost


@pytest.fixture(scope="module")
def amqp_uri() -> Iterator[str]:
    with fresh_rabbitmq_vhost() as uri:
        yield uri


def add_event(db, application_id):
    with db.transaction() as session:
        return OUTBOX.add(session, "application_submitted", {"application_id": application_id})


def test_flush_publishes_to_the_applications_exchange_and_marks_rows_sent(db, amqp_uri):
    exchange = kombu.Exchange("applications.events", type="topic", durable=True)
    with kombu.Connection(amqp_uri) as conn:
        queue = kombu.Queue(f"test-{uuid.uuid4().hex}", exchange, routing_key="application_submitted", exclusive=True)
        queue(conn.default_channel).declare()
        env = add_event(db, "a1")
        publisher = Publisher(amqp_uri)
        assert flush_outbox(db, OUTBOX, publisher) == 1
        message = queue(conn.default_channel).get(no_ack=True)
        publisher.close()
    body = json.loads(message.body)
    assert body["event_id"] == env["event_id"] and body["producer"] == "applications"
    assert set(body) >= {"event_id", "event_type", "event_version", "occurred_at", "correlation_id", "data"}
    assert message.properties["delivery_mode"] == 2
    with db.transaction() as session:
        assert session.execute(select(OUTBOX.table.c.published_at)).scalar_one() is not None
    assert flush_outbox(db, OUTBOX, Publisher(amqp_uri)) == 0  # nothing is sent twice


def test_with_the_broker_away_rows_stay_and_go_out_later(db, amqp_uri):
    add_event(db, "a2")
    dead = Publisher("amqp://guest:guest@127.0.0.1:1//", connect_timeout=0.5)  # nothing listens there
    assert flush_outbox(db, OUTBOX, dead) == 0
    with db.transaction() as session:
        row = session.execute(select(OUTBOX.table.c.published_at, OUTBOX.table.c.attempts)).one()
    assert row.published_at is None and row.attempts == 1
    # the relay only takes rows older than its grace period
    assert flush_outbox(db, OUTBOX, Publisher(amqp_uri), older_than=timedelta(hours=1)) == 0
    assert flush_outbox(db, OUTBOX, Publisher(amqp_uri), older_than=timedelta(0)) == 1
