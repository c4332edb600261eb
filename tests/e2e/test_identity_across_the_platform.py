"""identity's promises end to end, every process real over RabbitMQ and gRPC: a watch paired
through the watch and mobile BFFs reads its glance with its own token; a refresh token gives a new
pair through the mobile BFF (reuse is proven in identity's own tests); a case worker's reading of a
case reaches the resident's access log through the outbox, RabbitMQ and identity's worker, while a
case worker of another unit is refused."""

from __future__ import annotations

import re
import time

import requests

from ..conftest import DEMO_RESIDENT
from ..support.mobile import MobileClient
from ..support.web import web_login

CASE_WORKER = "198501012382"  # Karin Handläggare, unit ekonomiskt-bistand (demo data)
OTHER_UNIT_WORKER = "198501022381"  # Olle Annanenhet, unit aldreomsorg


def test_a_watch_pairs_by_its_code_and_reads_its_glance_with_its_own_token(platform):
    mobile, watch = MobileClient(platform.url("mobile")), platform.url("watch")
    token = mobile.login(DEMO_RESIDENT)
    started = requests.post(f"{watch}/v1/pairing", timeout=5).json()
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", started["userCode"])
    waiting = requests.post(f"{watch}/v1/pairing/poll", json={"deviceCode": started["deviceCode"]}, timeout=5)
    assert waiting.json()["status"] == "authorization_pending"
    confirmed = mobile.call("POST", "/devices/watch", token, json={"userCode": started["userCode"].lower()})
    assert confirmed.status_code == 200, confirmed.text
    time.sleep(started["interval"])  # a well-behaved watch waits the interval between polls
    done = requests.post(f"{watch}/v1/pairing/poll", json={"deviceCode": started["deviceCode"]}, timeout=5).json()
    assert done["status"] == "complete" and done["watchToken"]
    glance = requests.get(f"{watch}/v1/glance", headers={"Authorization": f"Bearer {done['watchToken']}"}, timeout=5)
    assert glance.status_code == 200 and len(glance.content) < 1024
    devices = mobile.call("GET", "/devices", token).json()["devices"]
    assert "watch" in {d["kind"] for d in devices}


def test_a_refresh_token_gives_a_new_pair_through_the_mobile_bff(platform):
    mobile = MobileClient(platform.url("mobile"))
    started = mobile.http.post(f"{mobile.base}/auth/bankid", json={"personalNumber": DEMO_RESIDENT}, timeout=10).json()
    for _ in range(50):
        order = {"orderRef": started["orderRef"], "collectSecret": started["collectSecret"]}
        answer = mobile.http.post(f"{mobile.base}/auth/collect", json=order, timeout=10)
        if answer.json()["status"] == "complete":
            break
        time.sleep(0.1)
    first = answer.json()["refreshToken"]
    renewed = mobile.http.post(f"{mobile.base}/auth/refresh", json={"refreshToken": first}, timeout=10)
    assert renewed.status_code == 200 and renewed.json()["refreshToken"] != first
    assert mobile.call("GET", "/me", renewed.json()["accessToken"]).status_code == 200


def test_a_case_workers_read_reaches_the_residents_access_log_and_other_units_are_refused(platform):
    mobile, web = MobileClient(platform.url("mobile")), platform.url("web")
    token = mobile.login(DEMO_RESIDENT)
    case = mobile.submit_application(token)
    worker = web_login(web, CASE_WORKER)
    queue = worker.get(f"{web}/personal/arenden", timeout=10)
    assert queue.status_code == 200 and case["id"] in queue.text
    opened = worker.get(f"{web}/personal/arenden/{case['id']}", params={"skal": "Ny ansökan"}, timeout=10)
    assert opened.status_code == 200 and "loggat" in opened.text

    other = web_login(web, OTHER_UNIT_WORKER)
    assert other.get(f"{web}/personal/arenden/{case['id']}", timeout=10).status_code == 403

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entries = mobile.call("GET", "/access-log", token, params={"resource": f"application:{case['id']}"}).json()
        if entries["entries"]:
            break
        time.sleep(0.3)
    [entry] = entries["entries"]
    assert entry["actorName"] == "Karin Handläggare" and entry["actorRole"] == "case_worker"
    assert entry["reason"] == "Ny ansökan" and entry["action"] == "read"
