"""E-mail over a real SMTP server and Web Push through a real Web Push service double (VAPID checked,
payload decrypted): once per message however often the event comes, never case contents, retried
with backoff while the mail server is down, dead letters an admin can replay, quiet hours and
preferences honoured with a controlled clock, and bad input refused without a change."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from test_handlers_deliver_each_event_once import make_envelope

from fickan.applications.events.v1 import events_pb2 as app_events
from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.testing import SmtpSink, WebPushTestingService
from fickan_common.tokens import Principal
from notifications import handlers
from notifications.channels import SmtpMailer, WebPushProvider, vapid_public_key
from notifications.dispatch import Dispatcher
from notifications.service import Notifications
from notifications.store import DeliveryRow, Message, PushSubscriptionRow

# 12:00 in Stockholm on a winter day ahead of the real clock (what the tests make is due now):
# outside the default quiet hours.
NOON = datetime(2030, 1, 15, 11, 0, tzinfo=UTC)


def resident(user_id: str | None = None) -> Principal:
    return Principal(user_id=user_id or str(uuid.uuid4()), roles=("resident",))


@pytest.fixture
def vapid_file(tmp_path: Path) -> str:
    return str(tmp_path / "vapid.pem")


@pytest.fixture
def service(db: Database, push_service: WebPushTestingService) -> Notifications:
    return Notifications(db, "https://fickan.example", http_push_hosts=f"localhost:{push_service.port}")


def dispatcher(db: Database, smtp: SmtpSink, vapid_file: str, **kw) -> Dispatcher:  # type: ignore[no-untyped-def]
    return Dispatcher(
        db,
        SmtpMailer("127.0.0.1", smtp.port, "Fickan <no-reply@fickan.local>", timeout=5),
        {"webpush": WebPushProvider(vapid_file, "mailto:test@fickan.local")},
        "https://fickan.example",
        **kw,
    )


def confirmed_email(service: Notifications, smtp: SmtpSink, who: Principal, vapid_file: str, now=NOON) -> str:  # type: ignore[no-untyped-def]
    address = f"r{uuid.uuid4().hex[:8]}@example.se"
    service.update_preferences(who, "sv", address, [], "22:00", "07:00", False)
    dispatcher(service.db, smtp, vapid_file).run_once(now=now)
    [mail] = [m for m in smtp.received() if m["To"] == address]
    link = next(line for line in mail.get_content().splitlines() if "token=" in line)
    assert link.startswith("https://fickan.example/mina-sidor/aviseringar/bekrafta?token=")
    assert service.confirm_email(who, link.split("token=")[1]).email_confirmed
    return address


def subscribed(service: Notifications, push: WebPushTestingService, who: Principal, vapid_file: str) -> str:
    sub = push.subscribe(vapid_public_key(vapid_file))
    service.register_push(who, "webpush", sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], "web")
    return sub["clientHash"]


def decided(resident_id: str, amount: int = 4200) -> dict:
    return make_envelope(
        "applications",
        "decision_made",
        app_events.DecisionMade(
            application_id=str(uuid.uuid4()),
            resident_ids=[resident_id],
            outcome="approved",
            amount=amount,
            period="2026-12",
        ),
    )


def deliveries(db: Database, who: Principal) -> list[DeliveryRow]:
    with db.read() as session:
        return list(session.scalars(select(DeliveryRow).where(DeliveryRow.recipient_id == who.user_id)))


def test_a_decision_is_mailed_and_pushed_once_however_often_the_event_comes_and_says_nothing_of_the_case(
    db: Database, service: Notifications, smtp: SmtpSink, push_service: WebPushTestingService, vapid_file: str
) -> None:
    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    client = subscribed(service, push_service, who, vapid_file)
    body = decided(who.user_id)
    for _ in range(3):
        handlers.handle_application_event(db, "decision_made", body)
    sender = dispatcher(db, smtp, vapid_file)
    sent = sender.run_once(now=NOON)
    assert sent == 2, [(d.channel, d.status, d.last_error) for d in deliveries(db, who)]
    assert sender.run_once(now=NOON + timedelta(hours=1)) == 0

    mails = [m for m in smtp.received() if m["To"] == address and "Nytt meddelande" in m["Subject"]]
    assert len(mails) == 1
    text = mails[0].get_content()
    assert "kr" not in text.replace("Fickan", "") and "beviljad" not in text and "beslut" not in text.lower()
    assert "https://fickan.example/ansokan/" in text
    [pushed] = push_service.messages(client)
    payload = json.loads(pushed) if isinstance(pushed, str) else pushed
    assert payload["title"] == "Fickan" and payload["body"] == "Du har ett nytt meddelande."
    assert "4" not in payload["body"]
    with db.read() as session:
        [message] = session.scalars(select(Message).where(Message.recipient_id == who.user_id)).all()
    assert payload["tag"] == message.id


def test_an_unconfirmed_address_gets_only_the_confirmation_mail(
    db: Database, service: Notifications, smtp: SmtpSink, vapid_file: str
) -> None:
    who = resident()
    address = f"new{uuid.uuid4().hex[:6]}@example.se"
    service.update_preferences(who, "sv", address, [], "22:00", "07:00", False)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    dispatcher(db, smtp, vapid_file).run_once(now=NOON)
    subjects = [m["Subject"] for m in smtp.received() if m["To"] == address]
    assert subjects == ["Bekräfta din e-postadress i Fickan"]
    with pytest.raises(ValidationFailed):
        service.confirm_email(who, "a-guessed-token")
    assert service.get_preferences(who).email_confirmed is False


def test_the_mail_server_down_for_a_while_delays_the_mail_and_it_arrives_once(
    db: Database, service: Notifications, smtp: SmtpSink, vapid_file: str
) -> None:
    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    sender = dispatcher(db, smtp, vapid_file, retry_base=30)
    smtp.down()
    try:
        assert sender.run_once(now=NOON) == 0
        [row] = [d for d in deliveries(db, who) if d.kind == "decision_approved"]
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at.replace(tzinfo=UTC) == NOON + timedelta(seconds=30)
        assert sender.run_once(now=NOON + timedelta(seconds=10)) == 0  # not before its time
        assert sender.run_once(now=NOON + timedelta(seconds=31)) == 0  # still down: 60 s next
    finally:
        smtp.up()
    assert sender.run_once(now=NOON + timedelta(seconds=92)) == 1
    assert len([m for m in smtp.received() if m["To"] == address and "Nytt" in m["Subject"]]) == 1


def test_after_the_last_try_the_delivery_is_a_dead_letter_an_admin_sees_and_replays(
    db: Database, service: Notifications, smtp: SmtpSink, vapid_file: str
) -> None:
    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    sender = dispatcher(db, smtp, vapid_file, max_attempts=2, retry_base=1)
    smtp.down()
    try:
        sender.run_once(now=NOON)
        sender.run_once(now=NOON + timedelta(seconds=5))
    finally:
        smtp.up()
    admin = Principal(user_id=str(uuid.uuid4()), roles=("admin",))
    dead = [d for d in service.dead_letters(admin, 100) if d.recipient_id == who.user_id]
    assert [(d.status, d.attempts, d.channel) for d in dead] == [("dead", 2, "email")]
    assert REGISTRY.get_sample_value("fickan_notifications_dead_letters") == 1  # what the alert watches
    with pytest.raises(PermissionDenied):
        service.dead_letters(who, 10)
    with pytest.raises(PermissionDenied):
        service.replay(who, dead[0].id)
    service.replay(admin, dead[0].id)
    service.replay(admin, dead[0].id)  # a second click changes nothing
    assert sender.run_once(now=NOON + timedelta(seconds=10)) == 1
    assert REGISTRY.get_sample_value("fickan_notifications_dead_letters") == 0
    assert len([m for m in smtp.received() if m["To"] == address and "Nytt" in m["Subject"]]) == 1


def test_quiet_hours_hold_email_and_push_until_morning_and_the_inbox_gets_it_at_once(
    db: Database, service: Notifications, smtp: SmtpSink, push_service: WebPushTestingService, vapid_file: str
) -> None:
    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    client = subscribed(service, push_service, who, vapid_file)
    late = datetime(2030, 1, 15, 22, 30, tzinfo=UTC)  # 23:30 in Stockholm
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    sender = dispatcher(db, smtp, vapid_file)
    assert sender.run_once(now=late) == 0
    assert [m.kind for m in service.list_messages(who, 10)] == ["decision_approved"]  # the inbox does not wait
    assert push_service.messages(client) == []
    waiting = {d.next_attempt_at.replace(tzinfo=UTC) for d in deliveries(db, who) if d.kind == "decision_approved"}
    assert waiting == {datetime(2030, 1, 16, 6, 0, tzinfo=UTC)}  # 07:00 in Stockholm
    assert sender.run_once(now=datetime(2030, 1, 16, 5, 59, tzinfo=UTC)) == 0
    assert sender.run_once(now=datetime(2030, 1, 16, 6, 0, tzinfo=UTC)) == 2
    assert len([m for m in smtp.received() if m["To"] == address and "Nytt" in m["Subject"]]) == 1
    assert len(push_service.messages(client)) == 1


def test_a_resident_who_asked_for_it_is_told_in_quiet_hours_and_channels_can_be_turned_off_per_kind(
    db: Database, service: Notifications, smtp: SmtpSink, push_service: WebPushTestingService, vapid_file: str
) -> None:
    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    client = subscribed(service, push_service, who, vapid_file)
    service.update_preferences(
        who, "en", address, [("decision_approved", False, True), ("", True, False)], "22:00", "07:00", True
    )
    late = datetime(2030, 1, 15, 23, 0, tzinfo=UTC)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    handlers.handle_application_event(
        db,
        "payment_made",
        make_envelope(
            "applications",
            "payment_made",
            app_events.PaymentMade(application_id=str(uuid.uuid4()), resident_ids=[who.user_id], amount=5),
        ),
    )
    assert dispatcher(db, smtp, vapid_file).run_once(now=late) == 2
    mails = [m for m in smtp.received() if m["To"] == address and "essage" in m["Subject"]]
    assert [m["Subject"] for m in mails] == ["New message from Fickan"]  # the payment, in English only
    [pushed] = push_service.messages(client)  # the decision
    assert json.loads(pushed)["body"] == "You have a new message."


def test_a_subscription_the_push_service_forgot_is_removed(
    db: Database, service: Notifications, smtp: SmtpSink, push_service: WebPushTestingService, vapid_file: str
) -> None:
    who = resident()
    client = subscribed(service, push_service, who, vapid_file)
    push_service.expire(client)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))
    assert dispatcher(db, smtp, vapid_file).run_once(now=NOON) == 0
    with db.read() as session:
        assert (
            session.scalars(select(PushSubscriptionRow).where(PushSubscriptionRow.recipient_id == who.user_id)).all()
            == []
        )
    [row] = deliveries(db, who)
    assert row.status == "skipped"


@pytest.mark.parametrize(
    "endpoint,p256dh,auth,field",
    [
        ("javascript:alert(1)", None, None, "endpoint"),
        ("ftp://push.example/x", None, None, "endpoint"),
        ("http://evil.example/notify/x", None, None, "endpoint"),
        ("https://user:pw@push.example/x", None, None, "endpoint"),
        ("https://push.example/x", "short", None, "p256dh"),
        ("https://push.example/x", None, "!!", "auth"),
    ],
)
def test_a_subscription_with_a_foreign_scheme_or_broken_keys_is_refused_and_changes_nothing(
    db: Database, service: Notifications, endpoint: str, p256dh: str | None, auth: str | None, field: str
) -> None:
    good_key = "BJ8pdakKAW4ucgNED8P25ycIbVFxjTNRGRQUsggMHI2eEvhTtU5iUru0QjhOoW34RlhIezUKyr4V8e0RTGJ8BH4"
    who = resident()
    with pytest.raises(ValidationFailed) as refused:
        service.register_push(who, "webpush", endpoint, p256dh or good_key, auth or "fFGNsOc-f-dAP0I28zrZsA", "web")
    assert field in refused.value.field_errors
    with db.read() as session:
        assert session.scalars(select(PushSubscriptionRow)).all() == []


def test_apns_and_fcm_are_refused_until_a_provider_is_configured(service: Notifications) -> None:
    with pytest.raises(ValidationFailed, match="används inte här"):
        service.register_push(resident(), "apns", "https://api.push.apple.com/x", "", "", "mobile")


def test_another_residents_subscription_cannot_be_removed(
    service: Notifications, push_service, vapid_file: str
) -> None:  # type: ignore[no-untyped-def]
    owner = resident()
    sub = push_service.subscribe(vapid_public_key(vapid_file))
    row = service.register_push(owner, "webpush", sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], "web")
    with pytest.raises(PermissionDenied):
        service.remove_push(resident(), row.id)
    with pytest.raises(NotFound):
        service.remove_push(owner, str(uuid.uuid4()))
    service.remove_push(owner, row.id)


def test_bad_preferences_are_refused_with_the_field_named(service: Notifications) -> None:
    who = resident()
    cases = [
        (("de", "", [], "22:00", "07:00", False), "language"),
        (("sv", "not-an-address", [], "22:00", "07:00", False), "email"),
        (("sv", "", [], "25:00", "07:00", False), "quiet_start"),
        (("sv", "", [("no_such_kind", True, True)], "22:00", "07:00", False), "channels"),
    ]
    for args, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            service.update_preferences(who, *args)
        assert field in refused.value.field_errors
    assert service.get_preferences(who).language == "sv"


SENDER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, UTC
    from fickan_common.db import Database
    from notifications.channels import SmtpMailer
    from notifications.dispatch import Dispatcher
    db = Database(sys.argv[1])
    Dispatcher(db, SmtpMailer("127.0.0.1", int(sys.argv[2]), "f@fickan.local", timeout=60), {}, "https://x",
               lease=float(sys.argv[3])).run_once(now=datetime.fromisoformat(sys.argv[4]))
    """
)


def test_a_sender_killed_mid_send_leaves_the_mail_to_the_next_after_its_lease_and_it_arrives_once(
    db: Database, database_url: str, service: Notifications, smtp: SmtpSink, vapid_file: str, tmp_path: Path
) -> None:
    """SIGKILL while the SMTP conversation hangs (the server has not accepted the mail): the lease
    keeps others off until it runs out, then the mail is sent once."""
    import socket
    import threading

    who = resident()
    address = confirmed_email(service, smtp, who, vapid_file)
    handlers.handle_application_event(db, "decision_made", decided(who.user_id))

    # A mail server that accepts the connection and then says nothing: the sender hangs mid-send.
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen()
    accepted = threading.Event()
    held: list[socket.socket] = []  # the connection stays open, silent, until the sender dies

    def accept() -> None:
        held.append(hang.accept()[0])
        accepted.set()

    threading.Thread(target=accept, daemon=True).start()
    script = tmp_path / "sender.py"
    script.write_text(SENDER)
    child = subprocess.Popen(
        [sys.executable, str(script), database_url, str(hang.getsockname()[1]), "60", NOON.isoformat()],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert accepted.wait(30), "the sender never connected"
        time.sleep(0.5)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        for conn in held:
            conn.close()
        hang.close()
    sender = dispatcher(db, smtp, vapid_file)
    sent = sender.run_once(now=NOON + timedelta(seconds=30))
    assert sent == 0, [(d.kind, d.status, d.lease_until, d.last_error) for d in deliveries(db, who)]  # its lease holds
    assert sender.run_once(now=NOON + timedelta(seconds=61)) == 1
    assert sender.run_once(now=NOON + timedelta(seconds=200)) == 0
    assert len([m for m in smtp.received() if m["To"] == address and "Nytt" in m["Subject"]]) == 1
