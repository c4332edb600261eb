"""The revocation feed over the real RabbitMQ: what identity announces as session_revoked reaches
every process's feed, the start-up list covers what came before, and the verifier refuses tokens of
revoked sessions (until they have expired anyway)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fickan.identity.events.v1 import events_pb2
from fickan_common.events import Publisher, envelope
from fickan_common.revocations import RevocationFeed
from fickan_common.testing import TokenFactory
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import InvalidToken, JwksCache, TokenVerifier

AMQP = "amqp://guest:guest@127.0.0.1:5672//"


def eventually(check, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Polls until check() holds (no timed assertion: the timeout only ends a hopeless wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def announce(sid: str, forget_after: datetime | None = None) -> None:
    now = datetime.now(UTC)
    publisher = Publisher(AMQP)
    try:
        publisher.publish(
            envelope(
                "identity",
                "session_revoked",
                events_pb2.SessionRevoked(
                    session_id=sid,
                    user_id="u1",
                    reason="logout",
                    revoked_at=to_timestamp(now),
                    forget_after=to_timestamp(forget_after or now + timedelta(minutes=16)),
                ),
            )
        )
    finally:
        publisher.close()


@pytest.fixture
def feeds():  # type: ignore[no-untyped-def]
    started: list[RevocationFeed] = []

    def start(load=None) -> RevocationFeed:  # type: ignore[no-untyped-def]
        feed = RevocationFeed(AMQP, load, "test").start()
        started.append(feed)
        assert feed.connected.wait(15), "the feed never reached RabbitMQ"
        return feed

    yield start
    for feed in started:
        feed.stop()


def test_every_process_hears_a_revocation(feeds):  # type: ignore[no-untyped-def]
    first, second = feeds(), feeds()  # two BFF processes: each has a queue of its own
    sid = uuid.uuid4().hex
    assert not first.is_revoked(sid)
    announce(sid)
    assert eventually(lambda: first.is_revoked(sid) and second.is_revoked(sid))


def test_the_list_at_start_covers_what_came_before(feeds):  # type: ignore[no-untyped-def]
    earlier = uuid.uuid4().hex
    feed = feeds(lambda: [(earlier, time.time() + 600), ("long-gone", time.time() - 1)])
    assert feed.is_revoked(earlier)
    assert not feed.is_revoked("long-gone")


def test_a_revocation_is_forgotten_once_its_tokens_have_expired():
    feed = RevocationFeed(None)
    feed.revoke("s1", time.time() + 0.05)
    assert feed.is_revoked("s1")
    assert eventually(lambda: not feed.is_revoked("s1"), timeout=5)


def test_the_verifier_refuses_tokens_of_a_revoked_session():
    factory = TokenFactory()
    feed = RevocationFeed(None)
    verifier = TokenVerifier(JwksCache(factory.jwks_json), revoked=feed)
    mine, other = factory.token("u1", sid="s-mine"), factory.token("u1", sid="s-other")
    assert verifier.verify(mine).session_id == "s-mine"
    feed.revoke("s-mine")
    with pytest.raises(InvalidToken) as err:
        verifier.verify(mine)
    assert err.value.reason == "revoked"
    assert verifier.verify(other).session_id == "s-other"
