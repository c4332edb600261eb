"""Races in identity, fired for real on SQLite and PostgreSQL: a refresh token spent by eight requests
at once, eight residents typing one watch code, eight polls of a confirmed watch, eight admins saving
the same roles, eight first sights of the same person. Each changes identity exactly once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import grpc
from sqlalchemy import func, select

from fickan.identity.v1 import identity_pb2 as pb
from identity.store import OUTBOX, Session, User, WatchPairing

from .grpc_helpers import bearer, login

N = 8
STAFF = "198501012382"
NEW_PERSON = "199001022384"


def fire(call: Callable[[int], Any], n: int = N) -> tuple[list[Any], list[grpc.StatusCode]]:
    """call(i) in n threads released together: (answers, error codes)."""
    gate = threading.Barrier(n)
    answers: list[Any] = []
    codes: list[grpc.StatusCode] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        gate.wait()
        try:
            answer = call(i)
        except grpc.RpcError as error:
            with lock:
                codes.append(error.code())
        else:
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers, codes


def resident_token(running, user_id: str) -> str:
    return running.identity.keys.sign(user_id, 60, roles=["resident"], device="web", sid=uuid.uuid4().hex)


def test_a_refresh_token_spent_by_eight_requests_at_once_gives_one_new_pair(running):
    tokens = login(running)
    request = pb.RefreshTokenRequest(refresh_token=tokens.refresh_token)
    answers, codes = fire(lambda _i: running.stub.RefreshToken(request))
    assert len(answers) == 1 and set(codes) == {grpc.StatusCode.FAILED_PRECONDITION}, codes
    # The client's own race revokes nothing: the winner's refresh token goes on working.
    again = running.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=answers[0].refresh_token))
    assert again.access_token
    with running.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Session).where(Session.revoked_at.is_not(None))) == 0


def test_one_watch_code_typed_by_eight_residents_at_once_pairs_one(running):
    started = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    people = [str(uuid.uuid4()) for _ in range(N)]
    request = pb.ConfirmWatchPairingRequest(user_code=started.user_code)
    answers, codes = fire(
        lambda i: (
            people[i],
            running.stub.ConfirmWatchPairing(request, metadata=bearer(resident_token(running, people[i]))),
        )
    )
    assert len(answers) == 1 and set(codes) == {grpc.StatusCode.NOT_FOUND}, codes
    winner, confirmed = answers[0]
    with running.db.read() as session:
        pairing = session.get(WatchPairing, confirmed.device_id.removeprefix("watch:"))
    assert pairing.user_id == winner and pairing.status == "confirmed"


def test_eight_polls_of_a_confirmed_watch_hand_out_one_working_token(running):
    web = login(running)
    started = running.stub.StartWatchPairing(pb.StartWatchPairingRequest())
    running.stub.ConfirmWatchPairing(
        pb.ConfirmWatchPairingRequest(user_code=started.user_code), metadata=bearer(web.access_token)
    )
    request = pb.PollWatchPairingRequest(device_code=started.device_code)
    answers, codes = fire(lambda _i: running.stub.PollWatchPairing(request))
    assert not codes
    complete = [a for a in answers if a.status == pb.PollWatchPairingResponse.COMPLETE]
    assert len(complete) == 1, [a.status for a in answers]
    glance = running.stub.ExchangeWatchToken(pb.ExchangeWatchTokenRequest(watch_token=complete[0].watch_token))
    assert glance.access_token


def test_the_same_roles_saved_by_eight_requests_at_once_change_them_once(running):
    admin = running.identity.users.ensure("198501042389", "Adam Admin", ["resident", "admin"])
    token = running.identity.sessions.access_token(admin, "web", "admin-session")
    request = pb.AssignRolesRequest(
        personal_number=STAFF, name="Karin", roles=["case_worker"], unit="ekonomiskt-bistand", reason="Nyanställd"
    )
    answers, codes = fire(lambda _i: running.stub.AssignRoles(request, metadata=bearer(token)))
    assert not codes and len({a.user_id for a in answers}) == 1
    with running.db.read() as session:
        changed = [
            e for e in session.execute(select(OUTBOX.table.c.envelope)).scalars() if e["event_type"] == "roles_changed"
        ]
        users = session.scalar(select(func.count()).select_from(User).where(User.personal_number == STAFF))
    assert len(changed) == 1 and users == 1


def test_eight_first_sights_of_one_person_make_one_user(running):
    request = pb.ResolvePersonRequest(personal_number=NEW_PERSON)
    answers, codes = fire(
        lambda _i: running.stub.ResolvePerson(request, metadata=bearer(resident_token(running, str(uuid.uuid4()))))
    )
    assert not codes and len({a.user_id for a in answers}) == 1
    with running.db.read() as session:
        assert session.scalar(select(func.count()).select_from(User).where(User.personal_number == NEW_PERSON)) == 1
