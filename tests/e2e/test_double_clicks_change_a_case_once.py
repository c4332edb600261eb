"""The three reproductions of the integrity issue, on the running platform over SQLite and over
PostgreSQL: a case worker's double (six-fold) click on "Fatta beslut", a phone app that sends the
same submit six times, and thirty cases sent at once while the api and the worker both receive. Each
gives one change, one timeline row and one inbox message — all the way to the resident."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from ..conftest import DEMO_RESIDENT
from ..support.mobile import ANSWERS, MobileClient
from ..support.web import form_fields, web_login

CASE_WORKER = "198501012382"
N = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def running(request):  # type: ignore[no-untyped-def]
    return request.getfixturevalue("platform" if request.param == "sqlite" else "platform_on_postgresql")


def together(call: Callable[[], Any], n: int = N) -> list[Any]:
    gate = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        gate.wait()
        result = call()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def timeline(mobile: MobileClient, token: str, case_id: str, status: str) -> int:
    case = mobile.call("GET", f"/applications/{case_id}", token).json()
    return sum(1 for entry in case["timeline"] if entry["status"] == status)


def messages(mobile: MobileClient, token: str, case_id: str, subject: str, settle: float = 1.5) -> int:
    """How many inbox messages with this subject the case has, once the first has come and
    a repeat had time to come too."""
    mobile.wait_for_message(token, f"application:{case_id}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [
            m
            for m in mobile.inbox(token)["messages"]
            if m["reference"] == f"application:{case_id}" and m["subject"] == subject
        ]
        if found:
            break
        time.sleep(0.2)
    time.sleep(settle)
    return sum(
        1
        for m in mobile.inbox(token)["messages"]
        if m["reference"] == f"application:{case_id}" and m["subject"] == subject
    )


def sent_case(mobile: MobileClient, token: str) -> dict[str, Any]:
    return mobile.submit_application(token, {**ANSWERS, "period": "2026-12"})


def test_six_clicks_on_the_decision_decide_once_and_all_land_on_the_decided_case(running):
    mobile = MobileClient(running.url("mobile"))
    anna = mobile.login(DEMO_RESIDENT)
    case = sent_case(mobile, anna)
    web = running.url("web")
    karin = web_login(web, CASE_WORKER)
    page = karin.get(f"{web}/personal/arenden/{case['id']}", timeout=10).text
    fields = form_fields(page, f"/personal/arenden/{case['id']}/beslut")
    form = {**fields, "outcome": "approved", "amount": "", "reasons": ""}
    # The same browser session, the same CSRF and form token, the same version: a six-fold click.
    answers = together(
        lambda: karin.post(f"{web}/personal/arenden/{case['id']}/beslut", data=form, allow_redirects=False, timeout=30)
    )
    assert [a.status_code for a in answers] == [302] * N, [a.status_code for a in answers]
    assert {a.headers["Location"].split("?")[0].rstrip("/") for a in answers} == {f"/personal/arenden/{case['id']}"}
    assert timeline(mobile, anna, case["id"], "decided") == 1
    assert messages(mobile, anna, case["id"], "Beslut om din ansökan") == 1


def test_six_identical_decisions_without_the_form_token_decide_once_and_the_rest_are_told(running):
    mobile = MobileClient(running.url("mobile"))
    anna = mobile.login(DEMO_RESIDENT)
    case = sent_case(mobile, anna)
    web = running.url("web")
    karin = web_login(web, CASE_WORKER)
    fields = form_fields(karin.get(f"{web}/personal/arenden/{case['id']}", timeout=10).text, "/beslut")
    form = {k: v for k, v in fields.items() if k != "form_token"} | {"outcome": "approved"}
    answers = together(
        lambda: karin.post(f"{web}/personal/arenden/{case['id']}/beslut", data=form, allow_redirects=False, timeout=30)
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [302] + [409] * (N - 1), codes
    refused = next(a for a in answers if a.status_code == 409)
    assert "ändrats" in refused.text or "kan inte" in refused.text
    assert timeline(mobile, anna, case["id"], "decided") == 1


def test_a_submit_sent_six_times_submits_once(running):
    mobile = MobileClient(running.url("mobile"))
    anna = mobile.login(DEMO_RESIDENT)
    draft = mobile.call("POST", "/applications", anna, json={"kind": "ekonomiskt_bistand"}).json()
    saved = mobile.call(
        "PUT", f"/applications/{draft['id']}/answers", anna, json={"answers": ANSWERS, "version": draft["version"]}
    ).json()
    body = {"version": saved["version"]}
    # Without a key: one submits, the others hear that it is already sent.
    answers = together(lambda: mobile.call("POST", f"/applications/{draft['id']}/submit", anna, json=body))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (N - 1), codes
    assert timeline(mobile, anna, draft["id"], "submitted") == 1
    assert timeline(mobile, anna, draft["id"], "received") == 1
    assert messages(mobile, anna, draft["id"], "Vi har tagit emot din ansökan") == 1


def test_a_submit_retried_with_its_idempotency_key_gets_the_first_answer(running):
    mobile = MobileClient(running.url("mobile"))
    anna = mobile.login(DEMO_RESIDENT)
    draft = mobile.call("POST", "/applications", anna, json={"kind": "ekonomiskt_bistand"}).json()
    saved = mobile.call(
        "PUT", f"/applications/{draft['id']}/answers", anna, json={"answers": ANSWERS, "version": draft["version"]}
    ).json()
    key = str(uuid.uuid4())
    url = f"{mobile.base}/applications/{draft['id']}/submit"
    headers = {"Authorization": f"Bearer {anna}", "Idempotency-Key": key}
    answers = together(lambda: requests.post(url, json={"version": saved["version"]}, headers=headers, timeout=30))
    assert [a.status_code for a in answers] == [200] * N
    assert len({a.json()["version"] for a in answers}) == 1 and answers[0].json()["status"] == "received"
    assert timeline(mobile, anna, draft["id"], "submitted") == 1
    assert messages(mobile, anna, draft["id"], "Vi har tagit emot din ansökan") == 1


def test_thirty_cases_sent_at_once_are_each_received_once(running):
    mobile = MobileClient(running.url("mobile"))
    anna = mobile.login(DEMO_RESIDENT)
    ready = []
    for _ in range(30):
        draft = mobile.call("POST", "/applications", anna, json={"kind": "ekonomiskt_bistand"}).json()
        saved = mobile.call(
            "PUT", f"/applications/{draft['id']}/answers", anna, json={"answers": ANSWERS, "version": draft["version"]}
        ).json()
        ready.append((draft["id"], saved["version"]))
    queue = list(ready)
    lock = threading.Lock()

    def submit_one() -> int:
        with lock:
            case_id, version = queue.pop()
        return mobile.call("POST", f"/applications/{case_id}/submit", anna, json={"version": version}).status_code

    assert together(submit_one, n=30) == [200] * 30
    time.sleep(3)  # the worker's fallback has had its turn at every case
    for case_id, _ in ready:
        assert timeline(mobile, anna, case_id, "received") == 1, case_id
