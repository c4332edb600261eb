"""Every way a session ends early is announced as session_revoked (in the same transaction, through
the outbox) and listed by ListRevokedSessions, so every BFF and service refuses its access tokens
at once instead of for up to 15 minutes (the probe used them after logout, after theft detection
and after a change of roles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.events import parse_data
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.sessions import token_hash
from identity.store import OUTBOX, RefreshToken

from .grpc_helpers import bearer, login
from .test_watch_pairing import pair

STAFF = "198501012382"


def sid_of(running, access_token: str) -> str:
    return TokenVerifier(JwksCache(running.identity.keys.jwks_json)).verify(access_token).session_id


def announced(running) -> list[events_pb2.SessionRevoked]:
    with running.db.read() as session:
        envelopes = session.execute(select(OUTBOX.table.c.envelope)).scalars().all()
    return [parse_data(e, events_pb2.SessionRevoked) for e in envelopes if e["event_type"] == "session_revoked"]


def listed(running) -> set[str]:
    return {s.session_id for s in running.stub.ListRevokedSessions(pb.ListRevokedSessionsRequest()).sessions}


def test_logout_announces_the_session_and_lists_it(running):
    done = login(running, device=pb.DEVICE_MOBILE)
    sid = sid_of(running, done.access_token)
    assert sid not in listed(running)
    running.stub.Logout(pb.LogoutRequest(refresh_token=done.refresh_token))
    [event] = [e for e in announced(running) if e.session_id == sid]
    assert event.reason == "logout" and event.user_id == done.user.user_id
    # remembered until the session's last access token has expired (the fixture's tokens live 60 s)
    forget = event.forget_after.ToDatetime(tzinfo=UTC)
    assert datetime.now(UTC) + timedelta(seconds=60) < forget < datetime.now(UTC) + timedelta(minutes=10)
    assert sid in listed(running)
    running.stub.Logout(pb.LogoutRequest(refresh_token=done.refresh_token))  # twice: announced once
    assert len([e for e in announced(running) if e.session_id == sid]) == 1


def test_logout_with_the_access_token_announces_it_too(running):
    done = login(running, device=pb.DEVICE_WEB)
    running.stub.Logout(pb.LogoutRequest(), metadata=bearer(done.access_token))
    assert sid_of(running, done.access_token) in listed(running)


def test_a_reused_refresh_token_announces_the_stolen_session(running):
    first = login(running, device=pb.DEVICE_MOBILE)
    running.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token))
    with running.db.transaction() as session:
        session.get(RefreshToken, token_hash(first.refresh_token)).used_at = datetime.now(UTC) - timedelta(minutes=5)
    try:
        running.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token))
    except Exception:  # noqa: BLE001 - refused, as it should be
        pass
    sid = sid_of(running, first.access_token)
    assert [e.reason for e in announced(running) if e.session_id == sid] == ["refresh_token_reused"]


def test_a_change_of_roles_announces_every_session_and_watch_of_the_person(running):
    admin = running.identity.users.ensure("198501042389", "Adam Admin", ["resident", "admin"])
    admin_token = running.identity.sessions.access_token(admin, "web", "admin-session")
    web, phone = login(running, STAFF), login(running, STAFF, pb.DEVICE_MOBILE)
    watch = pair(running, web.access_token)
    assert watch.watch_token
    running.stub.AssignRoles(
        pb.AssignRolesRequest(personal_number=STAFF, roles=["contact_agent"], answer_group="BBMT"),
        metadata=bearer(admin_token),
    )
    revoked = {e.session_id: e.reason for e in announced(running)}
    assert revoked[sid_of(running, web.access_token)] == "roles_changed"
    assert revoked[sid_of(running, phone.access_token)] == "roles_changed"
    assert any(s.startswith("watch:") and r == "roles_changed" for s, r in revoked.items())


def test_removing_a_device_or_a_watch_announces_it(running):
    web, phone = login(running), login(running, device=pb.DEVICE_MOBILE)
    watch = pair(running, web.access_token)
    devices = running.stub.ListMyDevices(pb.ListMyDevicesRequest(), metadata=bearer(web.access_token)).devices
    for device in devices:
        if not device.current:
            running.stub.RevokeDevice(
                pb.RevokeDeviceRequest(device_id=device.device_id), metadata=bearer(web.access_token)
            )
    revoked = {e.session_id for e in announced(running)}
    assert sid_of(running, phone.access_token) in revoked
    assert watch.watch_token and any(s.startswith("watch:") for s in revoked)  # glance tokens' sid
    assert sid_of(running, web.access_token) not in revoked
