"""A session that ends ends everywhere at once: identity announces session_revoked, and every BFF's
and service's revocation feed refuses the session's access tokens from then on, though they have
not expired (the probe used them for up to 15 minutes after logout, and a copied web cookie kept
working after its owner logged out). Each check polls until the refusal, for at most 2 s."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import requests

from fickan.applications.v1 import applications_pb2, applications_pb2_grpc

from ..conftest import DEMO_RESIDENT
from ..support.mobile import MobileClient
from ..support.web import form_fields, web_login

WITHIN = 2.0  # seconds


def refused_within(check: Callable[[], bool], seconds: float = WITHIN) -> bool:
    """Polls `check` (True once refused) until it holds or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_a_mobile_logout_ends_the_access_token_in_every_bff_and_service(platform):
    mobile = MobileClient(platform.url("mobile"))
    answer = mobile.login_answer(DEMO_RESIDENT)
    token = answer["accessToken"]
    watch = platform.url("watch")
    assert mobile.call("GET", "/me", token).status_code == 200
    channel = grpc.insecure_channel(platform.target("applications"))
    applications = applications_pb2_grpc.ApplicationsServiceStub(channel)
    metadata = [("authorization", f"Bearer {token}")]
    applications.ListMyApplications(applications_pb2.ListMyApplicationsRequest(), metadata=metadata, timeout=5)

    logout = mobile.http.post(f"{mobile.base}/auth/logout", json={"refreshToken": answer["refreshToken"]}, timeout=5)
    assert logout.status_code == 204

    def service_refuses() -> bool:
        try:
            applications.ListMyApplications(applications_pb2.ListMyApplicationsRequest(), metadata=metadata, timeout=5)
        except grpc.RpcError as exc:
            return exc.code() == grpc.StatusCode.UNAUTHENTICATED
        return False

    assert refused_within(lambda: mobile.call("GET", "/me", token).status_code == 401)
    assert mobile.call("GET", "/me", token).json()["error"]["code"] == "session_ended"
    assert refused_within(
        lambda: (
            requests.get(f"{watch}/v1/glance", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code
            == 401
        )
    )
    assert refused_within(service_refuses)
    channel.close()


def test_a_copied_web_cookie_stops_working_when_its_owner_logs_out(platform):
    web = platform.url("web")
    owner = web_login(web, DEMO_RESIDENT)
    thief = requests.Session()
    thief.cookies.update(owner.cookies)
    assert thief.get(f"{web}/mina-sidor", timeout=10, allow_redirects=False).status_code == 200
    overview = owner.get(f"{web}/mina-sidor", timeout=10).text
    fields = form_fields(overview, "/logga-ut")
    assert owner.post(f"{web}/logga-ut", data=fields, timeout=10, allow_redirects=False).status_code == 302
    assert refused_within(lambda: thief.get(f"{web}/mina-sidor", timeout=10, allow_redirects=False).status_code == 302)


def test_a_removed_watch_is_refused_at_once(platform):
    mobile, watch = MobileClient(platform.url("mobile")), platform.url("watch")
    token = mobile.login(DEMO_RESIDENT)
    # Other tests on this platform may have paired watches of the same person: find this one.
    earlier = {d["id"] for d in mobile.call("GET", "/devices", token).json()["devices"] if d["kind"] == "watch"}
    started = requests.post(f"{watch}/v1/pairing", timeout=5).json()
    assert mobile.call("POST", "/devices/watch", token, json={"userCode": started["userCode"]}).status_code == 200
    time.sleep(started["interval"])
    paired = requests.post(f"{watch}/v1/pairing/poll", json={"deviceCode": started["deviceCode"]}, timeout=5).json()
    headers = {"Authorization": f"Bearer {paired['watchToken']}"}
    assert requests.get(f"{watch}/v1/glance", headers=headers, timeout=5).status_code == 200  # now cached
    devices = mobile.call("GET", "/devices", token).json()["devices"]
    [the_watch] = [d for d in devices if d["kind"] == "watch" and d["id"] not in earlier]
    assert mobile.call("DELETE", f"/devices/{the_watch['id']}", token).status_code == 204
    assert refused_within(lambda: requests.get(f"{watch}/v1/glance", headers=headers, timeout=5).status_code == 401)
