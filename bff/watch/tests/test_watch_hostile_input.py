"""What the probe sent the watch BFF, and a fuzz over every route of its route table: nested JSON,
lone surrogates, Unicode digits, huge integers and NUL. A clear 4xx, never a 5xx."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

NESTED = "[" * 1000 + "]" * 1000
VALUES: list[object] = ["²", "٣٠٠٠", "a\x00b", 99999999999999999999, 10**400, {"a": [[[[]]]]}, None, "x" * 5000]


def test_deeply_nested_json_is_a_400_not_a_500(client):
    """The probe: RecursionError in the body parser gave 500."""
    answer = client.post("/v1/pairing/poll", data=NESTED, content_type="application/json")
    assert answer.status_code == 400


def test_a_lone_surrogate_is_a_400_not_a_500(client):
    answer = client.post("/v1/pairing/poll", data='{"deviceCode": "\\ud800"}', content_type="application/json")
    assert answer.status_code == 400


def bodies() -> list[bytes]:
    found = [json.dumps({name: value}).encode() for name in ("deviceCode", "device_code", "x") for value in VALUES]
    return [*found, NESTED.encode(), b'{"deviceCode": "\\ud800"}', b"\xed\xa0\x80", b"\x00", b"{"]


@pytest.mark.parametrize("who", ["none", "watch"])
def test_no_route_answers_5xx_to_hostile_input(app, client, watch, who):
    headers = watch if who == "watch" else {}
    routes = [
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and rule.rule not in ("/readyz", "/v1/stream")  # pings the services; a stream
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    assert ("POST", "/v1/pairing/poll") in routes and ("GET", "/v1/glance") in routes
    failures = []
    for method, path in routes:
        for value in ("²", "99999999999999999999", "a\x00b", "\ud800"):
            query = urlencode({"lang": value, "x": value}, encoding="utf-8", errors="surrogatepass")
            answer = client.open(f"{path}?{query}", method=method, headers=headers)
            if answer.status_code >= 500:
                failures.append((method, path, value, answer.status_code))
        if method == "POST":
            for body in bodies():
                answer = client.post(path, data=body, content_type="application/json", headers=headers)
                if answer.status_code >= 500:
                    failures.append((method, path, body[:40], answer.status_code))
    assert not failures, failures[:20]
