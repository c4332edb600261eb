"""Sessions over real gRPC: refresh tokens that rotate, reuse that revokes the whole session, logout,
idle and absolute limits per device, and the resident's list of devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.keys import SigningKeys
from identity.sessions import token_hash
from identity.store import RefreshToken, Session

from .grpc_helpers import code_of, login

RESIDENT = "199001012385"


def refresh(running, token):
    return running.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=token))


def test_a_refresh_token_works_once_and_gives_a_new_pair(running):
    first = login(running, device=pb.DEVICE_MOBILE)
    second = refresh(running, first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    verifier = TokenVerifier(JwksCache(running.identity.keys.jwks_json))
    assert verifier.verify(second.access_token).session_id == verifier.verify(first.access_token).session_id
    third = refresh(running, second.refresh_token)
    assert third.refresh_token


def test_the_login_and_each_refresh_say_how_long_the_session_may_go_unused(running):
    """The web warns a minute before an idle session ends: it learns the device's idle limit here."""
    web = login(running)
    assert web.idle_timeout == 30 * 60
    assert refresh(running, web.refresh_token).idle_timeout == 30 * 60
    assert login(running, device=pb.DEVICE_MOBILE).idle_timeout == 14 * 24 * 3600


def test_a_resident_gets_only_their_own_number_and_only_masked(running):
    """applications keeps it with a case when its resident signs; the case worker sees it masked."""
    anna = login(running)
    answer = running.stub.GetMyMaskedPersonalNumber(
        pb.GetMyMaskedPersonalNumberRequest(), metadata=[("authorization", f"Bearer {anna.access_token}")]
    )
    assert answer.masked == "19900101-****"
    code, _ = code_of(lambda: running.stub.GetMyMaskedPersonalNumber(pb.GetMyMaskedPersonalNumberRequest()))
    assert code == grpc.StatusCode.UNAUTHENTICATED


def _spent_long_ago(running, refresh_token):
    with running.db.transaction() as session:
        session.get(RefreshToken, token_hash(refresh_token)).used_at = datetime.now(UTC) - timedelta(minutes=5)


def test_a_second_use_within_seconds_is_a_race_and_revokes_nothing(running):
    first = login(running, device=pb.DEVICE_MOBILE)
    second = refresh(running, first.refresh_token)
    code, _ = code_of(lambda: refresh(running, first.refresh_token))  # the client's own parallel request
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert refresh(running, second.refresh_token).access_token  # the session lives on


def test_reusing_a_spent_refresh_token_revokes_the_whole_session(running):
    first = login(running, device=pb.DEVICE_MOBILE)
    second = refresh(running, first.refresh_token)
    _spent_long_ago(running, first.refresh_token)
    code, details = code_of(lambda: refresh(running, first.refresh_token))  # the copy an attacker kept
    assert code == grpc.StatusCode.UNAUTHENTICATED and "Logga in igen" in details
    # the legitimate holder's newer token is dead too
    assert code_of(lambda: refresh(running, second.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 500])
def test_unknown_refresh_tokens_are_refused(running, token):
    assert code_of(lambda: refresh(running, token))[0] == grpc.StatusCode.UNAUTHENTICATED


def test_logout_revokes_the_session(running):
    answer = login(running, device=pb.DEVICE_MOBILE)
    running.stub.Logout(pb.LogoutRequest(refresh_token=answer.refresh_token))
    running.stub.Logout(pb.LogoutRequest(refresh_token=answer.refresh_token))  # twice is fine
    assert code_of(lambda: refresh(running, answer.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED


def test_logout_with_the_access_token_ends_the_callers_own_session(running):
    answer = login(running, device=pb.DEVICE_WEB)
    running.stub.Logout(pb.LogoutRequest(), metadata=[("authorization", f"Bearer {answer.access_token}")])
    assert code_of(lambda: refresh(running, answer.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(lambda: running.stub.Logout(pb.LogoutRequest()))[0] == grpc.StatusCode.UNAUTHENTICATED


def _age_session(running, refresh_token, **changes):
    """Moves the session's clock: its row is found through the refresh token's hash."""
    with running.db.transaction() as session:
        row = session.get(RefreshToken, token_hash(refresh_token))
        live = session.get(Session, row.session_id)
        for name, value in changes.items():
            setattr(live, name, value)


def test_a_web_session_ends_after_its_idle_time(running):
    answer = login(running, device=pb.DEVICE_WEB)
    _age_session(running, answer.refresh_token, last_used_at=datetime.now(UTC) - timedelta(minutes=31))
    assert code_of(lambda: refresh(running, answer.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED


def test_a_mobile_session_survives_the_web_idle_time(running):
    answer = login(running, device=pb.DEVICE_MOBILE)
    _age_session(running, answer.refresh_token, last_used_at=datetime.now(UTC) - timedelta(hours=2))
    assert refresh(running, answer.refresh_token).access_token


def test_every_session_ends_at_its_absolute_limit(running):
    answer = login(running, device=pb.DEVICE_MOBILE)
    _age_session(running, answer.refresh_token, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert code_of(lambda: refresh(running, answer.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED


def test_the_resident_sees_and_ends_their_devices(running):
    web, mobile = login(running, device=pb.DEVICE_WEB), login(running, device=pb.DEVICE_MOBILE)
    md = [("authorization", f"Bearer {web.access_token}")]
    devices = running.stub.ListMyDevices(pb.ListMyDevicesRequest(), metadata=md).devices
    assert sorted(d.kind for d in devices) == ["mobile", "web"]
    assert [d.kind for d in devices if d.current] == ["web"]
    phone = next(d for d in devices if d.kind == "mobile")
    running.stub.RevokeDevice(pb.RevokeDeviceRequest(device_id=phone.device_id), metadata=md)
    assert code_of(lambda: refresh(running, mobile.refresh_token))[0] == grpc.StatusCode.UNAUTHENTICATED
    # someone else's device cannot be ended, nor can nonsense
    other = login(running, "199001022384", pb.DEVICE_WEB)
    other_md = [("authorization", f"Bearer {other.access_token}")]
    web_id = next(d.device_id for d in devices if d.kind == "web")
    for device_id, code in ((web_id, grpc.StatusCode.NOT_FOUND), ("nonsense", grpc.StatusCode.INVALID_ARGUMENT)):
        call = lambda i=device_id: running.stub.RevokeDevice(pb.RevokeDeviceRequest(device_id=i), metadata=other_md)  # noqa: E731
        assert code_of(call)[0] == code


def test_a_rotated_key_still_verifies_old_tokens_and_signs_new_ones(running, tmp_path):
    answer = login(running, device=pb.DEVICE_MOBILE)
    folder = running.identity.keys.folder
    old_kid = running.identity.keys.current_kid
    # Rotation: a new key file whose name sorts last; the old one stays until its tokens are gone.
    fresh = SigningKeys(tmp_path / "fresh", generate=True)
    (folder / "99999999-new.pem").write_bytes(next(fresh.folder.glob("*.pem")).read_bytes())
    rotated = SigningKeys(folder, generate=False)
    assert rotated.current_kid == "99999999-new" and old_kid in rotated.keys
    verifier = TokenVerifier(JwksCache(rotated.jwks_json))
    assert verifier.verify(answer.access_token).user_id == answer.user.user_id
    new_token = rotated.sign(answer.user.user_id, 60, roles=["resident"])
    assert verifier.verify(new_token).user_id == answer.user.user_id
