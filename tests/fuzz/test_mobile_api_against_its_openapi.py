"""Schemathesis against the mobile API of the running platform, as a logged-in resident: requests made
from /openapi.json (valid ones and ones that break it, every undeclared method too) and every answer
held against the spec. It proves no request makes a server error, invalid requests are refused,
answers and status codes are the documented ones, 405 answers name what is allowed, and the spec
states what the server checks. It only waives that last check where a rule cannot be written in JSON
Schema (WAIVED below, each with its reason)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.support.mobile import MobileClient

from ..conftest import DEMO_RESIDENT

ST = Path(sys.executable).with_name("st")  # schemathesis' command line, in this virtual environment

WAIVED_ACCEPTANCE = {
    ("POST", "/v1/auth/bankid"): "a personnummer's check digit (Luhn) is not expressible in JSON Schema",
    ("POST", "/v1/auth/collect"): "needs a live BankID order",
    ("POST", "/v1/auth/cancel"): "needs a live BankID order",
    ("POST", "/v1/applications/{application_id}/sign/collect"): "needs a live BankID signing order",
    ("POST", "/v1/applications/{application_id}/sign/cancel"): "needs a live BankID signing order",
    ("POST", "/v1/applications/{application_id}/attachments"): "the file type is decided by its content",
    ("POST", "/v1/questions/{question_id}/attachments"): "the file type is decided by its content",
    ("POST", "/v1/applications/{application_id}/completion"): "text or a file: one of them is needed",
    ("PUT", "/v1/applications/{application_id}/answers"): "the answers' names come from the form (data)",
    ("GET", "/v1/bookings/free"): "the advisory services are data (GET /v1/bookings/services)",
    ("POST", "/v1/questions"): "the topics are data (GET /v1/contact/topics)",
    ("POST", "/v1/fault-reports"): "the kinds are data and the position must lie inside the municipality",
    ("POST", "/v1/notifications/email/confirm"): "the token comes from the confirmation e-mail",
    ("POST", "/v1/push/subscriptions"): "plain http is accepted for configured test push hosts only",
    ("PUT", "/v1/notifications/preferences"): "the kinds of notice are data (GET /v1/notifications/preferences)",
    ("GET", "/v1/comparisons/{service_id}"): "the key figures and comparison sets are data",
}
# The one path two routes share: DELETE /v1/devices/{device_id} also matches "watch" (and answers 400,
# not an id), so Flask's automatic OPTIONS names DELETE for the pairing path too.
WAIVED_ALLOW = {"/v1/devices/watch": "DELETE of /v1/devices/{device_id} matches the same path"}
# Each ends the very session the run uses (logout is proved by test_logout_ends_every_token_at_once).
SKIPPED = {"/v1/auth/logout", "/v1/devices/{device_id}"}


def _config(folder: Path) -> Path:
    """schemathesis.toml: the waivers above, one operation each."""
    lines: list[str] = []
    for method, path in WAIVED_ACCEPTANCE:
        lines += ["[[operations]]", f'include-method = "{method}"', f'include-path = "{path}"']
        lines += ["checks.positive_data_acceptance.enabled = false", ""]
    for path in WAIVED_ALLOW:
        lines += ["[[operations]]", f'include-path = "{path}"', "checks.allow_header_conformance.enabled = false", ""]
    config = folder / "schemathesis.toml"
    config.write_text("\n".join(lines))
    return config


def test_the_mobile_api_keeps_its_openapi(platform, tmp_path):
    url = platform.url("mobile")
    document = requests.get(f"{url}/openapi.json", timeout=10).json()
    tested = sum(len(ops) for path, ops in document["paths"].items() if path not in SKIPPED)
    token = MobileClient(url).login(DEMO_RESIDENT)
    command = [str(ST), "--no-color", "--config-file", str(_config(tmp_path)), "run", f"{url}/openapi.json"]
    command += ["--url", url, "-H", f"Authorization: Bearer {token}", "--seed", "1", "--max-examples", "8"]
    command += ["--phases", "examples,coverage,fuzzing", "--request-timeout", "10"]
    for path in sorted(SKIPPED):
        command += ["--exclude-path", path]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    failures = run.stdout.split("= FAILURES =", 1)[-1].split("= WARNINGS =", 1)[0]
    assert run.returncode == 0, failures[-15000:] + run.stdout[-3000:] + run.stderr[-3000:]
    assert f"Tested: {tested}" in run.stdout  # every operation but the skipped ones


def test_every_waiver_names_an_operation_that_exists(platform):
    document = requests.get(platform.url("mobile") + "/openapi.json", timeout=10).json()
    operations = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert set(WAIVED_ACCEPTANCE) <= operations
    assert set(WAIVED_ALLOW) | SKIPPED <= set(document["paths"])
