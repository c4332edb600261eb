"""The load a drill runs while it breaks something: residents applying through the mobile BFF from a
few threads, as the phone app does it, and what every answer was.

Each resident drives one application to "sent": start a draft, save the answers, submit. After any
answer that is not a success the resident reads their cases again and goes on from what is there
(the app's way of finding out whether a request whose answer was lost took effect), so a retry never
starts a second application. Every answer that was not a success is kept, with how long it took,
for the drill to judge: while a part is away the BFF must answer fast with the clear "try again"
(503, Swedish first, English too), never a 500 and never a hang.
"""

from __future__ import annotations

import csv
import json
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from fickan_bff.errors import UNAVAILABLE_EN, UNAVAILABLE_SV
from tests.support.mobile import ANSWERS  # the answers a simple monthly application sends

ROOT = Path(__file__).resolve().parents[2]
TEST_NUMBERS = ROOT / "services/identity/tests/data/skatteverket_testpersonnummer.csv"
DEMO_PEOPLE = ROOT / "services/identity/identity/demo_people.json"
KIND = "ekonomiskt_bistand"
# The BFFs' gRPC deadline is 3 s: a 503 comes at once when a service is down and at the latest
# then when it hangs. This bound says "it did not hang", not how fast the platform is.
ANSWERED_WITHIN = 4.0


# One page of each service on the mobile BFF, and whether it needs a resident's token.
PAGES = {
    "identity": ("POST", "/v1/auth/bankid", False),  # starting a login
    "applications": ("GET", "/v1/applications", True),
    "notifications": ("GET", "/v1/inbox", True),
    "contact": ("GET", "/v1/questions", True),
    "insights": ("GET", "/v1/comparisons", False),
}


def page(mobile: str, service: str, token: str) -> tuple[int, float, str]:
    method, path, needs_token = PAGES[service]
    started = time.monotonic()
    answer = requests.request(
        method,
        f"{mobile}{path}",
        headers={"Authorization": f"Bearer {token}"} if needs_token else {},
        json={} if method == "POST" else None,
        timeout=15,
    )
    return answer.status_code, time.monotonic() - started, answer.text[:400]


def new_residents(count: int) -> list[str]:
    """Skatteverket test personnummer that no other test uses (not the demo people), at random so two
    drills on one platform do not share a person."""
    demo = {p["personal_number"] for p in json.loads(DEMO_PEOPLE.read_text())["people"]}
    with TEST_NUMBERS.open(newline="") as f:
        numbers = [row["testpersonnummer"] for row in csv.DictReader(f) if row["testpersonnummer"] not in demo]
    return random.sample(numbers, count)


@dataclass
class Answer:
    """One answer that was not a success."""

    what: str
    status: int  # 0: no HTTP answer at all
    seconds: float
    body: str

    @property
    def clear_try_again(self) -> bool:
        """The platform's own 503: Swedish first, English too, Retry-After."""
        if self.status != 503:
            return False
        try:
            error = json.loads(self.body)["error"]
        except (ValueError, KeyError, TypeError):
            return False
        return error.get("message") == UNAVAILABLE_SV and error.get("message_en") == UNAVAILABLE_EN


@dataclass
class Resident:
    personal_number: str
    token: str = ""
    application_id: str = ""
    sent: bool = False


@dataclass
class ApplyingResidents:
    mobile_url: str
    residents: list[Resident]
    threads: int = 4
    pause: float = 0.0  # between one resident's steps, to spread the load over the drill
    failures: list[Answer] = field(default_factory=list)
    successes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)
    _errors: list[BaseException] = field(default_factory=list)  # what stopped a thread of the load

    @classmethod
    def logged_in(cls, mobile_url: str, count: int, **kwargs: Any) -> ApplyingResidents:
        load = cls(mobile_url, [Resident(number) for number in new_residents(count)], **kwargs)
        load._in_threads(load._log_in)
        return load

    # -- HTTP --------------------------------------------------------------------------------------
    def request(self, http: requests.Session, what: str, method: str, path: str, token: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            answer = http.request(
                method,
                f"{self.mobile_url}/v1{path}",
                headers={"Authorization": f"Bearer {token}"} if token else {},
                timeout=15,
                **kwargs,
            )
        except requests.RequestException as exc:
            with self._lock:
                self.failures.append(Answer(what, 0, time.monotonic() - started, repr(exc)))
            return None
        if answer.ok:
            with self._lock:
                self.successes += 1
            return answer
        with self._lock:
            self.failures.append(Answer(what, answer.status_code, time.monotonic() - started, answer.text[:400]))
        return None

    def _log_in(self, http: requests.Session, resident: Resident) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = self.request(
                http, "login", "POST", "/auth/bankid", "", json={"personalNumber": resident.personal_number}
            )
            if started is None:
                time.sleep(0.3)
                continue
            order = {"orderRef": started.json()["orderRef"], "collectSecret": started.json()["collectSecret"]}
            while time.monotonic() < deadline:
                answer = self.request(http, "login", "POST", "/auth/collect", "", json=order)
                if answer is None:
                    break
                if answer.json()["status"] == "complete":
                    resident.token = answer.json()["accessToken"]
                    return
                time.sleep(0.1)
        raise AssertionError(f"could not log {resident.personal_number} in")

    # -- applying ----------------------------------------------------------------------------------
    def _apply(self, http: requests.Session, resident: Resident) -> None:
        deadline = time.monotonic() + 90
        while not resident.sent:
            assert time.monotonic() < deadline, f"{resident.personal_number} could not send the application"
            if self._step(http, resident) is False:
                time.sleep(0.3)  # something is away: look again in a moment
            elif self.pause:
                time.sleep(self.pause)

    def _step(self, http: requests.Session, resident: Resident) -> bool:
        token = resident.token
        listed = self.request(http, "list", "GET", "/applications", token)
        if listed is None:
            return False
        mine = [a for a in listed.json()["applications"] if a["kind"] == KIND]
        if not mine:
            return self.request(http, "create", "POST", "/applications", token, json={"kind": KIND}) is not None
        assert len(mine) == 1, f"{resident.personal_number} has {len(mine)} applications"
        application = mine[0]
        resident.application_id = application["id"]
        if application["status"] != "draft":
            resident.sent = True
            return True
        path = f"/applications/{application['id']}"
        saved = self.request(
            http, "save", "PUT", f"{path}/answers", token, json={"answers": ANSWERS, "version": application["version"]}
        )
        if saved is None:
            return False
        if self.pause:
            time.sleep(self.pause)
        sent = self.request(http, "submit", "POST", f"{path}/submit", token, json={"version": saved.json()["version"]})
        if sent is None:
            return False
        resident.sent = True
        return True

    def start(self) -> ApplyingResidents:
        self._workers = self._spawn(self._apply)
        return self

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(deadline - time.monotonic(), 0))
        if self._errors:
            raise self._errors[0]
        assert not any(w.is_alive() for w in self._workers), "the residents did not finish"
        unsent = [r.personal_number for r in self.residents if not r.sent]
        assert not unsent, f"never sent: {unsent}"

    def wait_until_sent(self, count: int, timeout: float = 60) -> None:
        """Until `count` residents have sent (the load is under way, events in flight)."""
        deadline = time.monotonic() + timeout
        while self.sent_count < count:
            assert time.monotonic() < deadline, f"only {self.sent_count} of {count} sent"
            assert any(w.is_alive() for w in self._workers), f"the load stopped: {self._errors[:1]}"
            time.sleep(0.05)

    @property
    def sent_count(self) -> int:
        return sum(r.sent for r in self.residents)

    def _spawn(self, job) -> list[threading.Thread]:  # type: ignore[no-untyped-def]
        queue = list(self.residents)
        lock = threading.Lock()
        errors: list[BaseException] = []

        def run() -> None:
            with requests.Session() as http:
                while True:
                    with lock:
                        if not queue:
                            return
                        resident = queue.pop(0)
                    try:
                        job(http, resident)
                    except BaseException as exc:
                        errors.append(exc)
                        raise

        self._errors = errors
        workers = [threading.Thread(target=run, daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        return workers

    def _in_threads(self, job) -> None:  # type: ignore[no-untyped-def]
        for worker in self._spawn(job):
            worker.join()
        if self._errors:
            raise self._errors[0]

    # -- what the drill judges ---------------------------------------------------------------------
    def unclear_failures(self) -> list[Answer]:
        """Answers that were neither a success nor the platform's clear, fast "try again". A 409 is
        the resident's own retry meeting what their lost request did (the next look finds it)."""
        return [
            f for f in self.failures if not ((f.clear_try_again and f.seconds <= ANSWERED_WITHIN) or f.status == 409)
        ]

    def messages_per_application(self, timeout: float = 60) -> dict[str, int]:
        """Waits until every sent application has its inbox message (or the time is up); returns how
        many messages each one has."""
        deadline = time.monotonic() + timeout
        counts: dict[str, int] = {}
        with requests.Session() as http:
            while True:
                for resident in self.residents:
                    if counts.get(resident.application_id):
                        continue
                    answer = http.get(
                        f"{self.mobile_url}/v1/inbox", headers={"Authorization": f"Bearer {resident.token}"}, timeout=10
                    )
                    if not answer.ok:
                        continue
                    reference = f"application:{resident.application_id}"
                    counts[resident.application_id] = sum(
                        m["reference"] == reference for m in answer.json()["messages"]
                    )
                if all(counts.get(r.application_id) for r in self.residents) or time.monotonic() > deadline:
                    return counts
                time.sleep(0.5)

    def applications_per_resident(self) -> dict[str, list[str]]:
        """Each resident's applications as the service has them: id and status."""
        found = {}
        with requests.Session() as http:
            for resident in self.residents:
                answer = http.get(
                    f"{self.mobile_url}/v1/applications",
                    headers={"Authorization": f"Bearer {resident.token}"},
                    timeout=10,
                )
                assert answer.ok, answer.text
                found[resident.personal_number] = [
                    f"{a['id']}:{a['status']}" for a in answer.json()["applications"] if a["kind"] == KIND
                ]
        return found
