"""A paired watch sends its opaque watch token; the BFF trades it with identity for a short-lived
glance token, verifies that, caches it until 30 s before it expires and calls the services with it.
A revoked pairing is a 401 saying the watch is no longer paired. No token ever reaches a log line."""

from __future__ import annotations

import hashlib
import threading

import pytest
from conftest import exchanged, glance_callers

from bff_watch.app import create_app
from bff_watch.auth import EXTENSION, WatchTokenCache
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_common.errors import Unauthenticated
from fickan_common.grpc_server import current_principal
from fickan_common.testing import TokenFactory, captured_logs
from fickan_common.tokens import Principal
from identity import pairing
from identity.pairing import WATCH_ACCESS_TTL


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.extensions[EXTENSION].clock = clock
    return clock


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_services_are_called_with_the_glance_token_not_the_watch_token(client, world, tove):
    watch_token = world.identity.pair_watch(tove)
    world.applications.draft(tove)

    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 200
    assert answer.get_json()["case"]["status"] == "draft"
    assert exchanged(world) == [watch_token]
    [call] = world.spies["applications"].of("GetMyCaseGlance")
    assert call.caller.scope == ("glance",) and call.caller.token != watch_token


def test_a_second_glance_uses_the_cached_token_without_asking_identity(client, world, clock, tove):
    watch_token = world.identity.pair_watch(tove)

    first = client.get("/v1/glance", headers=_bearer(watch_token))
    clock.now += 200  # well within 300 s - 30 s
    second = client.get("/v1/glance", headers=_bearer(watch_token))

    assert first.status_code == second.status_code == 200
    assert exchanged(world) == [watch_token]
    assert glance_callers(world) == [tove.user_id, tove.user_id]


def test_a_cached_token_that_is_about_to_expire_is_traded_again(client, world, clock, tove):
    watch_token = world.identity.pair_watch(tove)

    client.get("/v1/glance", headers=_bearer(watch_token))
    clock.now += WATCH_ACCESS_TTL - 30  # 30 s before it expires: no longer used
    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 200
    assert exchanged(world) == [watch_token, watch_token]
    clock.now += 1
    client.get("/v1/glance", headers=_bearer(watch_token))
    assert len(exchanged(world)) == 2  # the new one is cached in turn


def test_a_token_that_lives_30_s_or_less_is_not_cached(client, world, tove, monkeypatch):
    monkeypatch.setattr(pairing, "WATCH_ACCESS_TTL", 30)  # identity's setting, in its own process
    watch_token = world.identity.pair_watch(tove)

    for _ in range(3):
        assert client.get("/v1/glance", headers=_bearer(watch_token)).status_code == 200

    assert len(exchanged(world)) == 3


def test_each_watch_has_its_own_entry(client, world, tove, nils):
    mine, theirs = world.identity.pair_watch(tove), world.identity.pair_watch(nils)
    world.applications.submitted(nils)

    assert client.get("/v1/glance", headers=_bearer(mine)).get_json()["case"] is None
    assert client.get("/v1/glance", headers=_bearer(theirs)).get_json()["case"]["status"] == "received"
    assert client.get("/v1/glance", headers=_bearer(mine)).get_json()["case"] is None

    assert exchanged(world) == [mine, theirs]
    assert glance_callers(world) == [tove.user_id, nils.user_id, tove.user_id]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("sv", "Klockan är inte längre kopplad. Koppla den igen."),
        ("en", "The watch is no longer paired. Pair it again."),
    ],
)
def test_a_revoked_watch_is_401_saying_it_is_no_longer_paired(client, world, tove, lang, message):
    watch_token = world.identity.pair_watch(tove)
    world.identity.unpair_watches(tove)

    answer = client.get("/v1/glance", headers={**_bearer(watch_token), "Accept-Language": lang})

    assert answer.status_code == 401
    assert answer.get_json() == {"error": {"code": "watch_unpaired", "message": message}}
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert glance_callers(world) == []


def test_a_watch_revoked_while_cached_is_refused_once_its_glance_token_runs_out(client, world, clock, tove):
    watch_token = world.identity.pair_watch(tove)
    assert client.get("/v1/glance", headers=_bearer(watch_token)).status_code == 200
    world.identity.unpair_watches(tove)

    clock.now += 100
    assert client.get("/v1/glance", headers=_bearer(watch_token)).status_code == 200  # the cached token
    clock.now += 200
    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "watch_unpaired"


@pytest.mark.parametrize("token", ["short", "x" * 101, "abc$def" * 4, "abc def ghi jkl mno", "åäö" * 8])
def test_something_that_cannot_be_a_watch_token_is_401_without_asking_identity(client, world, token):
    answer = client.get("/v1/glance", headers=_bearer(token))

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] in {"watch_unpaired", "token_missing"}
    assert exchanged(world) == []
    assert glance_callers(world) == []


def _exchange_answers(world, mint):
    """Failure injection: identity's ExchangeWatchToken answers with a token `mint` makes."""

    def answer(request, context):
        return identity_pb.ExchangeWatchTokenResponse(access_token=mint(), expires_in=WATCH_ACCESS_TTL)

    world.spies["identity"].inject("ExchangeWatchToken", answer)


def test_an_exchanged_token_that_does_not_verify_is_never_used(client, world, tove):
    forger = TokenFactory()
    watch_token = world.identity.pair_watch(tove)
    _exchange_answers(world, lambda: forger.token(tove.user_id, device="watch", scope="glance"))

    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "internal"
    assert glance_callers(world) == []
    client.get("/v1/glance", headers=_bearer(watch_token))
    assert len(exchanged(world)) == 2  # nothing was cached


@pytest.mark.parametrize("claims", [{"scope": ""}, {"roles": ("case_worker",)}])
def test_an_exchanged_token_that_is_not_a_residents_glance_token_is_never_used(client, world, tove, claims):
    given = {"device": "watch", "scope": "glance", "roles": ("resident",), **claims}
    watch_token = world.identity.pair_watch(tove)
    _exchange_answers(world, lambda: world.identity.token(tove.user_id, **given))  # signed by identity's key

    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 500
    assert glance_callers(world) == []


def _glance_refuses(world, refused):
    """Failure injection: applications refuses the glance tokens `refused` says (e.g. of a retired key)."""
    real = world.applications.servicer.GetMyCaseGlance

    def answer(request, context):
        if refused(current_principal().token):
            raise Unauthenticated("Inloggningen kunde inte kontrolleras. Logga in igen.")
        return real(request, context)

    world.spies["applications"].inject("GetMyCaseGlance", answer)


def test_a_cached_token_the_services_refuse_is_traded_again_once(client, world, app, tove):
    watch_token = world.identity.pair_watch(tove)
    client.get("/v1/glance", headers=_bearer(watch_token))
    cached = app.extensions[EXTENSION].get(watch_token)
    _glance_refuses(world, lambda token: token == cached.token)

    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 200
    assert len(exchanged(world)) == 2
    assert app.extensions[EXTENSION].get(watch_token).token != cached.token


def test_a_fresh_token_the_services_refuse_is_401_and_not_kept(client, world, app, tove):
    watch_token = world.identity.pair_watch(tove)
    _glance_refuses(world, lambda token: True)  # every glance token is refused: no retry loop

    answer = client.get("/v1/glance", headers=_bearer(watch_token))

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "token_invalid"
    assert exchanged(world) == [watch_token]
    assert len(app.extensions[EXTENSION]) == 0


def test_a_dead_identity_is_503_for_a_watch_that_is_not_cached(world, dead_target, tove):
    client = create_app(world.services(identity=dead_target)).test_client()

    answer = client.get("/v1/glance", headers=_bearer(world.identity.pair_watch(tove)))

    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"


# --- the cache itself ----------------------------------------------------------------------------
def _principal(user_id: str) -> Principal:
    return Principal(user_id=user_id, roles=("resident",), scope=("glance",), token=f"jwt-of-{user_id}")


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    clock = Clock()
    cache = WatchTokenCache(max_entries=3, clock=clock)
    for name in ("a", "b", "c"):
        cache.put(f"watch-{name}", _principal(name), 300)
    assert cache.get("watch-a") is not None  # a is now the most recently used

    cache.put("watch-d", _principal("d"), 300)

    assert len(cache) == 3
    assert cache.get("watch-b") is None
    assert [cache.get(f"watch-{n}").user_id for n in ("a", "c", "d")] == ["a", "c", "d"]


def test_the_cache_keeps_no_watch_token_only_its_sha256():
    cache = WatchTokenCache()
    cache.put("the-secret-watch-token", _principal("a"), 300)

    keys = list(cache._entries)  # what is kept in memory is the point
    assert keys == [hashlib.sha256(b"the-secret-watch-token").hexdigest()]
    assert "the-secret-watch-token" not in repr(cache._entries)


def test_the_cache_is_safe_to_use_from_many_threads():
    cache = WatchTokenCache(max_entries=500)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(2000):
                token = f"watch-{n}-{i % 700}"
                cache.put(token, _principal(token), 300)
                found = cache.get(token)
                assert found is None or found.user_id == token
                if i % 3 == 0:
                    cache.drop(token)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(cache) <= 500


# --- logs ---------------------------------------------------------------------------------------
def test_no_watch_token_device_code_or_glance_token_is_ever_in_a_log_line(client, world, app, tove):
    with captured_logs() as stream:
        started = client.post("/v1/pairing").get_json()
        client.post("/v1/pairing/poll", json={"deviceCode": started["deviceCode"]})
        world.identity.confirm_watch(tove, started["userCode"])
        world.identity.age_pairings(10)  # the watch waits its interval
        watch_token = client.post("/v1/pairing/poll", json={"deviceCode": started["deviceCode"]}).get_json()[
            "watchToken"
        ]
        client.get("/v1/glance", headers=_bearer(watch_token))
        glance_token = app.extensions[EXTENSION].get(watch_token).token
        client.get("/v1/glance", headers=_bearer(watch_token + "x"))  # unknown: identity refuses
        world.identity.unpair_watches(tove)
        app.extensions[EXTENSION].drop(watch_token)
        client.get("/v1/glance", headers=_bearer(watch_token))
        client.post("/v1/pairing/poll", json={"deviceCode": started["deviceCode"] + "$"})

    logged = stream.getvalue()
    assert "watch pairing polled" in logged  # things were logged, so the checks below mean something
    for secret in (watch_token, started["deviceCode"], glance_token, glance_token.split(".")[1]):
        assert secret not in logged
        assert secret[:16] not in logged
    assert started["userCode"] not in logged
