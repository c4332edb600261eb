"""identity over real gRPC with the official client: login, tokens, JWKS and every refusal."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.events import parse_data
from fickan_common.testing import TokenFactory
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.store import OUTBOX

PNR = "19900101-2385"


def login(stub, pnr=PNR, device=pb.DEVICE_MOBILE):
    started = stub.StartLogin(pb.StartLoginRequest(personal_number=pnr, device=device))
    statuses = []
    while True:
        answer = stub.CollectLogin(
            pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
        )
        statuses.append(answer.status)
        if answer.status != pb.CollectLoginResponse.PENDING:
            return started, answer, statuses


def code_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_login_gives_a_token_that_verifies_against_the_served_jwks(running):
    started, answer, statuses = login(running.stub)
    assert started.qr_data.startswith("bankid.") and started.auto_start_token
    assert statuses == [pb.CollectLoginResponse.PENDING, pb.CollectLoginResponse.COMPLETE]
    assert answer.user.name == "Anna Andersson" and list(answer.user.roles) == ["resident"]
    jwks = running.stub.GetJwks(pb.GetJwksRequest()).jwks_json
    principal = TokenVerifier(JwksCache(lambda: jwks)).verify(answer.access_token)
    assert principal.user_id == answer.user.user_id and principal.device == "mobile"
    me = running.stub.GetMe(pb.GetMeRequest(), metadata=[("authorization", f"Bearer {answer.access_token}")])
    assert me.user_id == answer.user.user_id
    # the token carries no personnummer
    assert "199001012385" not in answer.access_token


def test_login_records_user_logged_in_in_the_outbox(running):
    _, answer, _ = login(running.stub)
    with running.db.transaction() as session:
        rows = session.execute(select(OUTBOX.table.c.envelope)).scalars().all()
    assert [r["event_type"] for r in rows] == ["user_logged_in"]
    event = parse_data(rows[0], events_pb2.UserLoggedIn)
    assert event.user_id == answer.user.user_id and event.device == "mobile"


def test_the_same_person_logs_in_as_the_same_user(running):
    first = login(running.stub)[1].user.user_id
    second = login(running.stub, pnr="199001012385", device=pb.DEVICE_WEB)[1].user.user_id
    assert first == second


@pytest.mark.parametrize("pnr", ["19900101-2386", "hej", "19901301-2385", "1990010123856"])
def test_a_bad_personnummer_is_refused_with_a_field_error(running, pnr):
    with pytest.raises(grpc.RpcError) as err:
        running.stub.StartLogin(pb.StartLoginRequest(personal_number=pnr, device=pb.DEVICE_WEB))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = dict(err.value.trailing_metadata())
    assert "personal_number" in fields["fickan-field-errors-bin"].decode()


def test_a_missing_device_is_refused(running):
    code, _ = code_of(lambda: running.stub.StartLogin(pb.StartLoginRequest(personal_number=PNR)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_and_malformed_order_refs_are_refused(running):
    unknown = "6f1c1c1e-0000-4000-8000-000000000000"
    assert code_of(lambda: running.stub.CollectLogin(pb.CollectLoginRequest(order_ref=unknown)))[0] == (
        grpc.StatusCode.NOT_FOUND
    )
    assert code_of(lambda: running.stub.CollectLogin(pb.CollectLoginRequest(order_ref="x")))[0] == (
        grpc.StatusCode.INVALID_ARGUMENT
    )


def test_a_completed_order_cannot_be_collected_again(running):
    started, _, _ = login(running.stub)
    code, _ = code_of(
        lambda: running.stub.CollectLogin(
            pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_a_second_login_while_one_is_pending_is_refused(running):
    running.stub.StartLogin(pb.StartLoginRequest(personal_number=PNR, device=pb.DEVICE_WEB))
    code, details = code_of(
        lambda: running.stub.StartLogin(pb.StartLoginRequest(personal_number=PNR, device=pb.DEVICE_WEB))
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "redan påbörjad" in details


def test_cancel_ends_the_order(running):
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=PNR, device=pb.DEVICE_WEB))
    running.stub.CancelLogin(pb.CancelLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret))
    code, _ = code_of(
        lambda: running.stub.CollectLogin(
            pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_get_me_refuses_missing_forged_and_expired_tokens(running):
    forged = TokenFactory().token()  # signed by a key identity never published
    _, answer, _ = login(running.stub)
    expired = running.identity.keys.sign(answer.user.user_id, ttl=-60, roles=["resident"])
    for metadata in ([], [("authorization", f"Bearer {forged}")], [("authorization", f"Bearer {expired}")]):
        code, details = code_of(lambda md=metadata: running.stub.GetMe(pb.GetMeRequest(), metadata=md))
        assert code == grpc.StatusCode.UNAUTHENTICATED and details
