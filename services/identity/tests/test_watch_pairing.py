"""Watch pairing over real gRPC (RFC 8628's device flow): the code the watch shows, confirmation by
the logged-in resident, the watch token handed out once, glance-only tokens, and revocation."""

from __future__ import annotations

import grpc
import pytest

from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.store import WatchPairing

from .grpc_helpers import bearer, code_of, login

RESIDENT = "199001012385"
STATUS = pb.PollWatchPairingResponse


def poll(running, device_code):
    # the tests do not wait out the interval between polls
    with running.db.transaction() as session:
        for row in session.query(WatchPairing):
            row.last_polled_at = None
    return running.stub.PollWatchPairing(pb.PollWatchPairingRequest(device_code=device_code))


def pair(running, access_token):
    started = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    running.stub.ConfirmWatchPairing(
        pb.ConfirmWatchPairingRequest(user_code=started.user_code), metadata=bearer(access_token)
    )
    return poll(running, started.device_code)


def test_the_watch_is_paired_by_the_code_it_shows(running):
    started = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    assert len(started.user_code) == 9 and started.user_code[4] == "-" and started.interval == 5
    assert poll(running, started.device_code).status == STATUS.AUTHORIZATION_PENDING
    web = login(running)
    typed = started.user_code.lower().replace("-", " ")  # as a person might type it
    confirmed = running.stub.ConfirmWatchPairing(
        pb.ConfirmWatchPairingRequest(user_code=typed), metadata=bearer(web.access_token)
    )
    assert confirmed.device_id.startswith("watch:")
    done = poll(running, started.device_code)
    assert done.status == STATUS.COMPLETE and done.watch_token and done.name == "Anna Andersson"
    # handed out once: the device code is spent
    assert poll(running, started.device_code).status == STATUS.EXPIRED


def test_polling_too_often_is_told_to_slow_down(running):
    started = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    request = pb.PollWatchPairingRequest(device_code=started.device_code)
    assert running.stub.PollWatchPairing(request).status == STATUS.AUTHORIZATION_PENDING
    assert running.stub.PollWatchPairing(request).status == STATUS.SLOW_DOWN


def test_the_watch_token_gives_only_a_glance_token(running):
    web = login(running)
    watch = pair(running, web.access_token)
    exchanged = running.stub.ExchangeWatchToken(pb.ExchangeWatchTokenRequest(watch_token=watch.watch_token))
    principal = TokenVerifier(JwksCache(running.identity.keys.jwks_json)).verify(exchanged.access_token)
    assert principal.scope == ("glance",) and principal.device == "watch" and principal.roles == ("resident",)
    assert principal.user_id == web.user.user_id and exchanged.expires_in <= 300
    # identity itself lets a glance token ask who it is, and nothing else
    assert running.stub.GetMe(pb.GetMeRequest(), metadata=bearer(exchanged.access_token)).user_id == web.user.user_id
    code, details = code_of(
        lambda: running.stub.ListMyDevices(pb.ListMyDevicesRequest(), metadata=bearer(exchanged.access_token))
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED and "Klockan" in details
    # and a watch cannot pair another watch
    other = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    code, _ = code_of(
        lambda: running.stub.ConfirmWatchPairing(
            pb.ConfirmWatchPairingRequest(user_code=other.user_code), metadata=bearer(exchanged.access_token)
        )
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED


def test_an_unpaired_watch_gets_no_more_tokens(running):
    web = login(running)
    watch = pair(running, web.access_token)
    devices = running.stub.ListMyDevices(pb.ListMyDevicesRequest(), metadata=bearer(web.access_token)).devices
    watch_id = next(d.device_id for d in devices if d.kind == "watch")
    running.stub.RevokeDevice(pb.RevokeDeviceRequest(device_id=watch_id), metadata=bearer(web.access_token))
    code, details = code_of(
        lambda: running.stub.ExchangeWatchToken(pb.ExchangeWatchTokenRequest(watch_token=watch.watch_token))
    )
    assert code == grpc.StatusCode.UNAUTHENTICATED and "inte längre kopplad" in details


@pytest.mark.parametrize("code", ["", "ABCD-EFGH", "BCDF-GHJ", "BCDFGHJKL", "ÅÄÖÅ-ÄÖÅÄ"])
def test_a_wrong_code_is_refused(running, code):
    web = login(running)
    got, details = code_of(
        lambda: running.stub.ConfirmWatchPairing(
            pb.ConfirmWatchPairingRequest(user_code=code), metadata=bearer(web.access_token)
        )
    )
    assert got in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND) and "Koden stämmer inte" in details


def test_guessing_codes_is_limited(running):
    web = login(running)
    codes = []
    for _ in range(12):
        try:
            running.stub.ConfirmWatchPairing(
                pb.ConfirmWatchPairingRequest(user_code="BCDF-GHJK"), metadata=bearer(web.access_token)
            )
        except grpc.RpcError as exc:
            codes.append(exc.code())
    assert codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize("token", ["", "x" * 200, "forged-token"])
def test_an_unknown_watch_token_is_refused(running, token):
    code, _ = code_of(lambda: running.stub.ExchangeWatchToken(pb.ExchangeWatchTokenRequest(watch_token=token)))
    assert code == grpc.StatusCode.UNAUTHENTICATED


def test_an_unknown_device_code_is_refused(running):
    code, _ = code_of(lambda: running.stub.PollWatchPairing(pb.PollWatchPairingRequest(device_code="nope")))
    assert code == grpc.StatusCode.NOT_FOUND
