"""Staff roles and the access log over real gRPC: an admin assigns roles (and only an admin), a change
ends the person's sessions, and every staff read of a resident's data lands once in the log the
resident can read."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.json_format import ParseDict
from sqlalchemy import MetaData, select

from fickan.identity.events.v1 import events_pb2
from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.access import record_staff_access
from fickan_common.events import Outbox, outbox_table
from fickan_common.tokens import JwksCache, Principal, TokenVerifier
from identity.access_log import AccessLog
from identity.store import OUTBOX, AccessLogEntry

from .grpc_helpers import bearer, code_of, login

RESIDENT = "199001012385"
STAFF = "198501012382"


@pytest.fixture
def admin_token(running):
    admin = running.identity.users.ensure("198501042389", "Adam Admin", ["resident", "admin"])
    return running.identity.sessions.access_token(admin, "web", "admin-session")


def test_an_admin_makes_someone_a_case_worker_in_a_unit(running, admin_token):
    user = running.stub.AssignRoles(
        pb.AssignRolesRequest(
            personal_number=STAFF, name="Karin", roles=["case_worker"], unit="ekonomiskt-bistand", reason="Nyanställd"
        ),
        metadata=bearer(admin_token),
    )
    assert list(user.roles) == ["resident", "case_worker"] and user.unit == "ekonomiskt-bistand"
    answer = login(running, STAFF)  # the roles are in the token from the next login
    principal = TokenVerifier(JwksCache(running.identity.keys.jwks_json)).verify(answer.access_token)
    assert principal.has_role("case_worker") and principal.unit == "ekonomiskt-bistand"
    staff = running.stub.ListStaff(pb.ListStaffRequest(), metadata=bearer(admin_token)).staff
    # Karin logged in since, so BankID's name for her ("Test Testsson" in the simulator) wins
    assert sorted(s.user_id for s in staff) == sorted([user.user_id, principal_of_admin(running, admin_token)])


def test_a_change_of_roles_ends_the_persons_sessions_and_is_announced(running, admin_token):
    before = login(running, STAFF)
    running.stub.AssignRoles(
        pb.AssignRolesRequest(personal_number=STAFF, roles=["contact_agent"], answer_group="BBMT"),
        metadata=bearer(admin_token),
    )
    code, _ = code_of(lambda: running.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=before.refresh_token)))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    with running.db.transaction() as session:
        types = [e["event_type"] for e in session.execute(select(OUTBOX.table.c.envelope)).scalars()]
    assert "roles_changed" in types


@pytest.mark.parametrize(
    ("roles", "unit", "group", "field"),
    [
        (["case_worker"], "", "", "unit"),
        (["case_worker"], "Ekonomiskt Bistånd!", "", "unit"),
        (["contact_agent"], "", "Okänd grupp", "answer_group"),
        (["superuser"], "", "", "roles"),
        ([], "ekonomiskt-bistand", "", "unit"),
    ],
)
def test_roles_that_do_not_make_sense_are_refused(running, admin_token, roles, unit, group, field):
    with pytest.raises(grpc.RpcError) as err:
        running.stub.AssignRoles(
            pb.AssignRolesRequest(personal_number=STAFF, roles=roles, unit=unit, answer_group=group),
            metadata=bearer(admin_token),
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in dict(err.value.trailing_metadata())["fickan-field-errors-bin"].decode()


def test_only_an_admin_assigns_roles_and_an_admin_keeps_their_own(running, admin_token):
    resident = login(running, RESIDENT)
    request = pb.AssignRolesRequest(personal_number=RESIDENT, roles=["admin"])
    assert code_of(lambda: running.stub.AssignRoles(request, metadata=bearer(resident.access_token)))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    assert code_of(lambda: running.stub.ListStaff(pb.ListStaffRequest(), metadata=bearer(resident.access_token)))[
        0
    ] == (grpc.StatusCode.PERMISSION_DENIED)
    demote_self = pb.AssignRolesRequest(personal_number="198501042389", roles=[])
    assert code_of(lambda: running.stub.AssignRoles(demote_self, metadata=bearer(admin_token)))[0] == (
        grpc.StatusCode.FAILED_PRECONDITION
    )


def principal_of_admin(running, token):
    return TokenVerifier(JwksCache(running.identity.keys.jwks_json)).verify(token).user_id


class _NoDatabase:
    """record_staff_access writes its outbox row through session.execute (and notes its id in
    session.info for the unit of work); here only the envelope counts."""

    def __init__(self) -> None:
        self.info: dict = {}

    def execute(self, _statement):
        return None


def _access_event(subjects, resource="application:42"):
    """The event applications would publish for a case worker's read (built by the shared helper)."""
    staff = Principal("staff-1", ("resident", "case_worker"), name="Karin Handläggare", unit="ekonomiskt-bistand")
    outbox = Outbox("applications", outbox_table(MetaData()))
    return record_staff_access(
        _NoDatabase(), outbox, staff, subjects, "read", resource, "Ansökan om ekonomiskt bistånd"
    )


def test_a_staff_read_reaches_the_residents_access_log_once(running):
    resident = login(running, RESIDENT)
    partner = login(running, "199001022384")
    event = _access_event([resident.user.user_id, partner.user.user_id])
    log = AccessLog(running.db)
    assert log.handle_event("applications", event) is True
    assert log.handle_event("applications", event) is False  # redelivered: kept once
    for who in (resident, partner):
        entries = running.stub.ListMyAccessLog(pb.ListMyAccessLogRequest(), metadata=bearer(who.access_token)).entries
        assert [(e.actor_name, e.actor_role, e.actor_unit, e.action, e.source) for e in entries] == [
            ("Karin Handläggare", "case_worker", "ekonomiskt-bistand", "read", "applications")
        ]
        assert entries[0].description == "Ansökan om ekonomiskt bistånd" and entries[0].at.seconds > 0
    only = running.stub.ListMyAccessLog(
        pb.ListMyAccessLogRequest(resource="application:other"), metadata=bearer(resident.access_token)
    ).entries
    assert list(only) == []


def test_malformed_access_records_are_dropped_not_looped(running):
    log = AccessLog(running.db)
    assert log.handle_event("applications", {"event_id": "e1", "data": {"subject_ids": "x"}}) is False
    assert log.handle_event("applications", {"event_id": "e2", "data": {"actor_id": "a", "action": "read"}}) is False
    with running.db.transaction() as session:
        assert session.scalars(select(AccessLogEntry)).all() == []


def test_staff_record_reads_from_their_pages_and_residents_cannot(running, admin_token):
    resident = login(running, RESIDENT)
    request = pb.RecordAccessRequest(
        subject_ids=[resident.user.user_id], action="read", resource="question:7", description="Fråga till BBMT"
    )
    running.stub.RecordAccess(request, metadata=bearer(admin_token))
    entries = running.stub.ListMyAccessLog(pb.ListMyAccessLogRequest(), metadata=bearer(resident.access_token)).entries
    assert [(e.resource, e.actor_role) for e in entries] == [("question:7", "admin")]
    assert code_of(lambda: running.stub.RecordAccess(request, metadata=bearer(resident.access_token)))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    bad = pb.RecordAccessRequest(subject_ids=[], action="peek", resource="", description="")
    assert (
        code_of(lambda: running.stub.RecordAccess(bad, metadata=bearer(admin_token)))[0]
        == grpc.StatusCode.INVALID_ARGUMENT
    )


def test_the_access_event_contract_parses(running):
    env = _access_event(["u1"])
    message = events_pb2.ResidentDataAccessed()
    ParseDict(env["data"], message)
    assert message.actor_role == "case_worker" and list(message.subject_ids) == ["u1"]
