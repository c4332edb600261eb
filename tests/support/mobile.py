"""A small client of the mobile BFF, as the phone app would use it."""

from __future__ import annotations

import time
from typing import Any

import requests

ANSWERS = {
    "period": "2026-12",
    "household_adults": "1",
    "household_children": "0",
    "housing_cost": "6500",
    "income": "0",
}


class MobileClient:
    def __init__(self, base_url: str) -> None:
        self.base = base_url + "/v1"
        self.http = requests.Session()

    def login(self, personal_number: str) -> str:
        return self.login_answer(personal_number)["accessToken"]

    def login_answer(self, personal_number: str = "", **headers: str) -> dict[str, Any]:
        """The whole answer of a completed login (tokens and user)."""
        body = {"personalNumber": personal_number} if personal_number else {}
        started = self.http.post(f"{self.base}/auth/bankid", json=body, headers=headers, timeout=10)
        assert started.status_code == 200, started.text
        order = {"orderRef": started.json()["orderRef"], "collectSecret": started.json()["collectSecret"]}
        for _ in range(20):
            answer = self.http.post(f"{self.base}/auth/collect", json=order, timeout=10).json()
            if answer["status"] == "complete":
                return answer
            assert answer["status"] == "pending", answer
            time.sleep(0.1)  # a real app waits 2 s between collects
        raise AssertionError("login did not complete")

    def call(self, method: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, f"{self.base}{path}", headers=headers, timeout=10, **kwargs)

    def submit_application(self, token: str, answers: dict[str, str] | None = None) -> dict[str, Any]:
        draft = self.call("POST", "/applications", token, json={"kind": "ekonomiskt_bistand"})
        assert draft.status_code == 201, draft.text
        app = draft.json()
        saved = self.call(
            "PUT",
            f"/applications/{app['id']}/answers",
            token,
            json={"answers": answers or ANSWERS, "version": app["version"]},
        )
        assert saved.status_code == 200, saved.text
        done = self.call("POST", f"/applications/{app['id']}/submit", token, json={"version": saved.json()["version"]})
        assert done.status_code == 200, done.text
        return done.json()

    def inbox(self, token: str) -> dict[str, Any]:
        answer = self.call("GET", "/inbox", token)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_for_message(self, token: str, reference: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.inbox(token)["messages"]:
                if message["reference"] == reference:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no inbox message about {reference} within {timeout:.0f} s")
