"""The thin slice end to end with every process running over the real RabbitMQ and gRPC:
log in with BankID (simulator), submit an application through the mobile BFF, and the inbox
message arrives; the watch glance shows it. Plus the refusals at the edge."""

from __future__ import annotations

import json
import uuid

import requests

from ..conftest import DEMO_CO_APPLICANT, DEMO_RESIDENT
from ..support.mobile import MobileClient


def test_submit_through_mobile_bff_puts_a_message_in_the_inbox(platform):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    me = mobile.call("GET", "/me", token).json()
    assert me["name"] == "Anna Andersson"
    app = mobile.submit_application(token)
    assert app["status"] == "received"  # sent, and received by the service at once
    message = mobile.wait_for_message(token, f"application:{app['id']}")
    assert message["subject"] == "Vi har tagit emot din ansökan" and "december 2026" in message["body"]
    listed = mobile.call("GET", "/applications", token).json()["applications"]
    assert app["id"] in [a["id"] for a in listed]

    glance = requests.get(f"{platform.url('watch')}/v1/glance", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert glance.status_code == 200 and len(glance.content) < 1024
    assert glance.json()["unread"] >= 1


def test_a_question_to_the_contact_centre_is_acknowledged_in_the_inbox(platform):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    asked = mobile.call("POST", "/questions", token, json={"subject": "Utbetalning", "body": "När kommer pengarna?"})
    assert asked.status_code == 201, asked.text
    mobile.wait_for_message(token, f"question:{asked.json()['id']}")


def test_the_correlation_id_follows_the_request_through_grpc_and_events(platform):
    mobile = MobileClient(platform.url("mobile"))
    token = mobile.login(DEMO_RESIDENT)
    cid = uuid.uuid4().hex
    mobile.http.headers["X-Correlation-Id"] = cid
    app = mobile.submit_application(token)
    mobile.wait_for_message(token, f"application:{app['id']}")
    for process in ("bff-mobile", "applications-api", "notifications-worker"):
        lines = (platform.var / "log" / f"{process}.log").read_text().splitlines()
        tagged = [json.loads(line) for line in lines if line.startswith("{") and cid in line]
        assert tagged, f"{process} logged nothing with the correlation id"
        assert all(line["correlation_id"] == cid for line in tagged)


def test_bad_input_at_the_edge_gets_a_clear_4xx_and_changes_nothing(platform):
    mobile = MobileClient(platform.url("mobile"))
    bad_pnr = mobile.http.post(f"{mobile.base}/auth/bankid", json={"personalNumber": "19900101-2386"}, timeout=5)
    assert bad_pnr.status_code == 400 and bad_pnr.json()["error"]["message"]
    wrong_type = mobile.http.post(f"{mobile.base}/auth/bankid", json={"personalNumber": 199001012385}, timeout=5)
    assert wrong_type.status_code == 400
    bad_return = mobile.http.post(f"{mobile.base}/auth/bankid", json={"returnUrl": "javascript:alert(1)"}, timeout=5)
    assert bad_return.status_code == 400
    not_json = mobile.http.post(f"{mobile.base}/auth/bankid", data="personalNumber=1", timeout=5)
    assert not_json.status_code in (400, 415)

    owner = mobile.login(DEMO_RESIDENT)
    other = mobile.login(DEMO_CO_APPLICANT)
    draft = mobile.call("POST", "/applications", owner, json={"kind": "ekonomiskt_bistand"}).json()
    foreign = mobile.call(
        "PUT", f"/applications/{draft['id']}/answers", other, json={"answers": {"income": "1"}, "version": 0}
    )
    assert foreign.status_code == 403
    typed = mobile.call(
        "PUT", f"/applications/{draft['id']}/answers", owner, json={"answers": {"income": [5]}, "version": 0}
    )
    assert typed.status_code == 400
    assert mobile.call("GET", f"/applications/{draft['id']}", owner).json()["answers"] == {}

    assert mobile.call("GET", "/applications", None).status_code == 401
    assert mobile.call("GET", "/applications", "not-a-token").status_code == 401


def test_an_expired_token_is_refused_by_the_bff_and_by_the_service(platform):
    import grpc

    from fickan.applications.v1 import applications_pb2, applications_pb2_grpc
    from identity.keys import SigningKeys

    keys = SigningKeys(platform.var / "keys" / "identity", generate=False)
    expired = keys.sign(str(uuid.uuid4()), ttl=-120, roles=["resident"], device="mobile")
    mobile = MobileClient(platform.url("mobile"))
    answer = mobile.call("GET", "/applications", expired)
    assert answer.status_code == 401 and answer.json()["error"]["message"]
    # defence in depth: the service refuses it too when called past the BFF
    stub = applications_pb2_grpc.ApplicationsServiceStub(grpc.insecure_channel(platform.target("applications")))
    try:
        stub.ListMyApplications(
            applications_pb2.ListMyApplicationsRequest(), metadata=[("authorization", f"Bearer {expired}")], timeout=5
        )
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    else:
        raise AssertionError("the service accepted an expired token")
