"""What the probe sent the mobile API, and a fuzz over every endpoint of its route table (the same
declarations the OpenAPI is made from): nested JSON, lone surrogates, Unicode digits, huge integers
and NUL in every field of every body. A clear 4xx, never a 5xx."""

from __future__ import annotations

import json
import re

import pytest

from bff_mobile.views.common import api

NESTED = "[" * 1000 + "]" * 1000
# JSON as an attacker writes it: "\ud800" is valid JSON text that no Unicode string can hold.
LONE_SURROGATE = '{"personalNumber": "\\ud800"}'
VALUES: list[object] = [
    "²",
    "٣٠٠٠",
    "a\x00b",
    "\x07",
    99999999999999999999,
    -99999999999999999999,
    10**400,
    1e308,
    "[" * 50,
    {"a": [{"b": [[[[[]]]]]}]},
    [None],
    True,
]


@pytest.mark.parametrize("path", ["/v1/auth/bankid", "/v1/auth/collect", "/v1/auth/refresh", "/v1/auth/logout"])
def test_deeply_nested_json_is_a_400_not_a_500(client, path):
    """The probe: RecursionError in the body parser gave 500 on every JSON endpoint."""
    answer = client.post(path, data=NESTED, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    "body",
    [LONE_SURROGATE, '{"\\udc00": 1}', '{"returnUrl": "fickan://x\\ud83d"}', '{"personalNumber": ["\\ud800"]}'],
)
def test_a_lone_surrogate_is_a_400_not_a_500(client, world, body):
    """The probe: "\\ud800" gave 500 when the protobuf message was built."""
    answer = client.post("/v1/auth/bankid", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert "StartLogin" not in world.spies["identity"].names()


def concrete(rule: str, case_id: str) -> list[str]:
    paths = []
    for fill in (case_id, "²", "9" * 30):
        paths.append(re.sub(r"<[^>]+>", fill, rule))
    return paths


def bodies(endpoint) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Each field of the endpoint's body with each hostile value, then the nested and broken ones."""
    names = [f.data_key or n for n, f in endpoint.body._declared_fields.items()] if endpoint.body else ["x"]
    found = [json.dumps({name: value}).encode() for name in names for value in VALUES]
    found += [NESTED.encode(), LONE_SURROGATE.encode(), b'{"a": "\\ud800"}', b"\xed\xa0\x80", b"\x00", b"{"]
    return found


def test_the_fuzz_covers_every_declared_endpoint(app):
    declared = {(e.method.upper(), e.rule) for e in api.endpoints}
    served = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        for m in r.methods - {"HEAD", "OPTIONS"}
        if r.rule.startswith("/v1")
    }
    assert served <= declared, served - declared
    assert len(declared) >= 25


@pytest.mark.parametrize("auth", ["none", "resident"])
def test_no_endpoint_answers_5xx_to_hostile_input(client, world, resident, auth):
    case_id = world.applications.draft(resident).id
    headers = resident.headers if auth == "resident" else {}
    failures = []
    for endpoint in api.endpoints:
        if getattr(endpoint, "stream", False) or endpoint.rule.endswith(("/events", "/stream")):
            continue  # a live stream (Server-Sent Events), not a request and its answer
        for path in concrete(endpoint.rule, case_id):
            if endpoint.method == "get":
                for value in ("²", "99999999999999999999", "a\x00b", "\ud800"):
                    query = {"limit": value, "before": value, "lang": value}
                    answer = client.get(path, query_string=_bytes_query(query), headers=headers)
                    if answer.status_code >= 500:
                        failures.append(("GET", path, value, answer.status_code))
                continue
            for body in bodies(endpoint):
                answer = client.open(
                    path, method=endpoint.method.upper(), data=body, content_type="application/json", headers=headers
                )
                if answer.status_code >= 500:
                    failures.append((endpoint.method, path, body[:40], answer.status_code))
    assert not failures, failures[:20]


def _bytes_query(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query, encoding="utf-8", errors="surrogatepass")
