"""On the running platform: every event delivered twice, and the notifications worker SIGKILLed
while it is in the middle of sending an e-mail (the mail server has the connection, not the mail).
Each fact is still exactly one inbox message, one e-mail and one push."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from fickan.applications.events.v1 import events_pb2 as app_events
from fickan_common.events import Publisher, envelope
from fickan_common.testing import SmtpSink, WebPushTestingService, fresh_rabbitmq_vhost

from ..conftest import DEMO_RESIDENT, TEARDOWN_STOP_TIMEOUT, Platform, _platform
from ..support.mobile import MobileClient

NOTICE = "Nytt meddelande från Fickan"


class HangingSmtp(SmtpSink):
    """An SMTP server that, when armed, holds the next sender at RCPT until released."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    def up(self) -> HangingSmtp:
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
                if sink.armed.is_set():
                    sink.armed.clear()
                    sink.holding.set()
                    while not sink.release.is_set():
                        await asyncio.sleep(0.05)
                    return "451 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
                with sink._lock:
                    sink.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self


@pytest.fixture(scope="module")
def smtp() -> Iterator[HangingSmtp]:
    sink = HangingSmtp().up()
    yield sink
    sink.release.set()
    sink.down()


@pytest.fixture(scope="module")
def push_service() -> Iterator[WebPushTestingService]:
    service = WebPushTestingService()
    if not service.available():
        pytest.fail("web-push-testing is not installed: run scripts/ensure_test_services.sh")
    yield service.start()
    service.stop()


@pytest.fixture(scope="module")
def notices_platform(tmp_path_factory, smtp, push_service) -> Iterator[Platform]:  # type: ignore[no-untyped-def]
    settings = {
        "FICKAN_SMTP_PORT": str(smtp.port),
        "FICKAN_SMTP_TIMEOUT": "30",
        "FICKAN_PUSH_ALLOW_HTTP_HOSTS": f"localhost:{push_service.port}",
        "FICKAN_DELIVERY_INTERVAL": "0.2",
        "FICKAN_DELIVERY_LEASE": "5",
        "FICKAN_DELIVERY_RETRY_BASE": "1",
    }
    with fresh_rabbitmq_vhost() as amqp_uri:
        running = _platform(tmp_path_factory.mktemp("notices-platform"), amqp_uri, settings=settings)
        yield running
        running.stop(TEARDOWN_STOP_TIMEOUT)


def wait_until(check, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_each_fact_is_one_message_one_mail_and_one_push_despite_duplicates_and_a_kill(
    notices_platform: Platform, smtp: HangingSmtp, push_service: WebPushTestingService
) -> None:
    mobile = MobileClient(notices_platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    me = mobile.call("GET", "/me", token).json()["id"]
    address = f"r{uuid.uuid4().hex[:6]}@example.se"
    body = {"email": address, "ignoreQuietHours": True}
    assert mobile.call("PUT", "/notifications/preferences", token, json=body).status_code == 200
    assert wait_until(lambda: any(m["To"] == address for m in smtp.received()), 30)
    [confirmation] = [m for m in smtp.received() if m["To"] == address]
    confirm_token = re.search(r"token=(\S+)", confirmation.get_content()).group(1)
    confirmed = mobile.call("POST", "/notifications/email/confirm", token, json={"token": confirm_token})
    assert confirmed.json()["emailConfirmed"] is True
    key = mobile.call("GET", "/push/config", token).json()["vapidPublicKey"]
    sub = push_service.subscribe(key)
    registered = mobile.call(
        "POST",
        "/push/subscriptions",
        token,
        json={"endpoint": sub["endpoint"], "p256dh": sub["keys"]["p256dh"], "auth": sub["keys"]["auth"]},
    )
    assert registered.status_code == 201

    cases = [str(uuid.uuid4()) for _ in range(3)]
    publisher = Publisher(notices_platform.amqp_uri)
    smtp.armed.set()  # the first mail's sender will hang at RCPT
    try:
        for case in cases:
            event = envelope(
                "applications",
                "decision_made",
                app_events.DecisionMade(
                    application_id=case, resident_ids=[me], outcome="approved", amount=1000, period="2026-12"
                ),
            )
            publisher.publish(event)
            publisher.publish(dict(event))  # the broker delivers it again
    finally:
        publisher.close()

    assert smtp.holding.wait(60), "no sender reached the mail server"
    worker = notices_platform.processes["notifications-worker"]
    notices_platform.stop_process("notifications-worker", sig=9)  # mid-send
    smtp.release.set()
    notices_platform.start_process(worker)
    notices_platform.wait_ready()

    def mails_about(case: str) -> list:
        return [m for m in smtp.received() if m["Subject"] == NOTICE and f"/ansokan/{case}" in m.get_content()]

    def pushes_about(case: str) -> list:
        return [p for p in push_service.messages(sub["clientHash"]) if f"/ansokan/{case}" in p]

    assert wait_until(lambda: all(len(mails_about(c)) >= 1 and len(pushes_about(c)) >= 1 for c in cases), 90)
    time.sleep(8)  # longer than a lease and a retry: a second send would have come by now
    inbox = mobile.inbox(token)["messages"]
    for case in cases:
        assert len([m for m in inbox if m["reference"] == f"application:{case}"]) == 1
        assert len(mails_about(case)) == 1
        assert len(pushes_about(case)) == 1
