"""The verifier remembers tokens whose signature checked out, and still refuses each one the moment
it expires, its session is revoked or its key is no longer published."""

from __future__ import annotations

import time

import pytest

from fickan_common import tokens
from fickan_common.revocations import RevocationFeed
from fickan_common.testing import TokenFactory
from fickan_common.tokens import InvalidToken, JwksCache, TokenVerifier


@pytest.fixture
def signature_checks(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts the real ES256 checks (jwt.decode) the verifier makes."""
    calls = []
    real = tokens.jwt.decode

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counting)
    return calls


def test_the_same_token_is_checked_once_and_gives_the_same_principal(signature_checks):
    factory = TokenFactory()
    verifier = factory.verifier()
    token = factory.token("u1", sid="s1")
    first, second = verifier.verify(token), verifier.verify(token)
    assert first == second and first.user_id == "u1" and first.session_id == "s1"
    assert len(signature_checks) == 1


def test_a_revoked_session_is_refused_at_once_though_its_token_was_remembered(signature_checks):
    factory = TokenFactory()
    feed = RevocationFeed(None)
    verifier = TokenVerifier(JwksCache(factory.jwks_json), revoked=feed)
    token = factory.token("u1", sid="s-revoked")
    verifier.verify(token)
    feed.revoke("s-revoked")
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason == "revoked"


def test_a_remembered_token_expires_on_time():
    factory = TokenFactory()
    now = [time.time()]
    verifier = TokenVerifier(JwksCache(factory.jwks_json), leeway=5.0, clock=lambda: now[0])
    token = factory.token("u1", expires_in=60)
    verifier.verify(token)
    now[0] += 60 + 4  # within the leeway: still good
    assert verifier.verify(token).user_id == "u1"
    now[0] += 2
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason == "expired"


def test_a_token_whose_key_identity_stopped_publishing_is_refused(signature_checks):
    old, new = TokenFactory(), TokenFactory()
    published = [old.jwks_json()]
    jwks = JwksCache(lambda: published[0], ttl=0.0, min_refetch=0.0)  # refetched at every look-up
    verifier = TokenVerifier(jwks)
    token = old.token("u1")
    verifier.verify(token)
    published[0] = new.jwks_json()  # the old key rotated out
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason == "invalid"
    assert len(signature_checks) == 1  # refused on the key look-up, before any signature check


def test_a_changed_signature_is_never_taken_for_a_remembered_token():
    factory = TokenFactory()
    verifier = factory.verifier()
    token = factory.token("u1")
    verifier.verify(token)
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_the_memory_is_bounded_and_forgets_the_least_recently_used(signature_checks):
    factory = TokenFactory()
    verifier = TokenVerifier(JwksCache(factory.jwks_json), cache_size=2)
    a, b, c = (factory.token(f"u{i}") for i in range(3))
    verifier.verify(a)
    verifier.verify(b)
    verifier.verify(a)  # a is now the most recently used
    verifier.verify(c)  # b goes
    assert len(verifier._verified) == 2
    checks = len(signature_checks)
    verifier.verify(a)
    assert len(signature_checks) == checks
    verifier.verify(b)
    assert len(signature_checks) == checks + 1
