"""Reliability drills on the running platform: the broker connection cut between submit and
delivery, the notifications worker killed, and the same event delivered twice. No inbox message
is lost and none is doubled."""

from __future__ import annotations

import time
import uuid

from fickan_common.events import Publisher, envelope

from ..conftest import DEMO_RESIDENT
from ..support.mobile import MobileClient


def messages_about(mobile, token, reference):
    return [m for m in mobile.inbox(token)["messages"] if m["reference"] == reference]


def test_cutting_every_rabbitmq_connection_between_submit_and_delivery_loses_no_message(platform, broker_proxy):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    broker_proxy.cut()  # every process loses its broker connection; new ones are refused
    try:
        app = mobile.submit_application(token)  # the resident's submit does not depend on the broker
        assert app["status"] == "received"  # sent, and received by the service at once
        time.sleep(3)
        assert messages_about(mobile, token, f"application:{app['id']}") == []
    finally:
        broker_proxy.restore()
    message = mobile.wait_for_message(token, f"application:{app['id']}", timeout=90)
    assert message["subject"] == "Vi har tagit emot din ansökan"


def test_an_event_published_while_the_worker_is_dead_is_delivered_when_it_returns(platform):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    worker = platform.processes["notifications-worker"]
    platform.stop_process("notifications-worker", sig=9)  # killed, not stopped politely
    try:
        app = mobile.submit_application(token)
        time.sleep(2)
        assert messages_about(mobile, token, f"application:{app['id']}") == []
    finally:
        platform.start_process(worker)
        platform.wait_ready()
    mobile.wait_for_message(token, f"application:{app['id']}", timeout=60)


def test_the_same_event_delivered_twice_makes_one_message(platform):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    me = mobile.call("GET", "/me", token).json()
    application_id = str(uuid.uuid4())
    event = envelope(
        "applications",
        "application_submitted",
        {"application_id": application_id, "applicant_id": me["id"], "kind": "ekonomiskt_bistand", "period": "2026-12"},
    )
    publisher = Publisher(platform.amqp_uri)
    publisher.publish(event)
    publisher.publish(event)  # at-least-once delivery: a redelivery looks exactly like this
    publisher.close()
    mobile.wait_for_message(token, f"application:{application_id}")
    time.sleep(2)  # give a duplicate every chance to land
    assert len(messages_about(mobile, token, f"application:{application_id}")) == 1
