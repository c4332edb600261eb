"""/openapi.json is a valid OpenAPI 3 document generated from the same schemas the routes use."""

from __future__ import annotations

import re

import openapi_spec_validator
import pytest


@pytest.fixture
def spec(client) -> dict:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def _v1_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routes.update((path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_it_is_valid_openapi_3(spec):
    openapi_spec_validator.validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_v1_route_and_method_is_documented(app, spec):
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}

    assert documented == _v1_routes(app)
    assert len(documented) == 20
    assert {
        ("/v1/auth/refresh", "post"),
        ("/v1/auth/logout", "post"),
        ("/v1/devices", "get"),
        ("/v1/devices/{device_id}", "delete"),
        ("/v1/devices/watch", "post"),
        ("/v1/access-log", "get"),
    } <= documented


def test_protected_operations_need_the_bearer_token_and_login_does_not(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path == "/v1/auth/logout":
                assert op["security"] == [{}, {"bearerAuth": []}]  # the refresh token, or the bearer token
                assert op["requestBody"]["required"] is False
            elif path.startswith("/v1/auth/"):
                assert op["security"] == [], (path, method)
            else:
                assert op["security"] == [{"bearerAuth": []}], (path, method)
                assert "401" in op["responses"]


def test_bodies_and_answers_reference_the_marshmallow_schemas(spec):
    schemas = spec["components"]["schemas"]
    save = spec["paths"]["/v1/applications/{application_id}/answers"]["put"]

    assert save["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SaveAnswers"}
    assert save["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Application"
    }
    assert save["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert save["parameters"][0] == {
        "name": "application_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    assert schemas["SaveAnswers"]["required"] == ["answers", "version"]
    assert schemas["SaveAnswers"]["additionalProperties"] is False  # unknown fields are refused
    assert "statusText" in schemas["Application"]["properties"]
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "message_en", "fields"}
    assert "personalNumber" in schemas["StartLogin"]["properties"]


def test_every_operation_documents_its_error_shape(spec):
    for ops in spec["paths"].values():
        for op in ops.values():
            errors = {code: r for code, r in op["responses"].items() if code.startswith(("4", "5"))}
            assert "503" in errors
            for response in errors.values():
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_new_identity_operations_are_described_with_their_schemas(spec):
    schemas = spec["components"]["schemas"]
    paths = spec["paths"]

    collect = paths["/v1/auth/collect"]["post"]
    assert "every 2 s" in collect["description"]
    assert {"messageEn", "refreshToken"} <= set(schemas["LoginStatus"]["properties"])
    assert "autoStartUrl" in schemas["LoginStarted"]["properties"]
    assert schemas["StartLogin"].get("required", []) == []  # the personnummer is optional now
    assert "returnUrl" in schemas["StartLogin"]["properties"]

    refresh = paths["/v1/auth/refresh"]["post"]
    assert refresh["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Refresh"}
    assert refresh["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Tokens"
    }
    assert "401" in refresh["responses"]
    assert "401" in paths["/v1/auth/logout"]["post"]["responses"]
    assert "204" in paths["/v1/auth/logout"]["post"]["responses"]

    revoke = paths["/v1/devices/{device_id}"]["delete"]
    assert "204" in revoke["responses"]
    assert revoke["parameters"][0]["schema"]["pattern"].startswith("^(session:")
    assert set(schemas["Device"]["properties"]) == {"id", "kind", "createdAt", "lastUsedAt", "current"}

    pair = paths["/v1/devices/watch"]["post"]
    assert {"404", "429"} <= set(pair["responses"])
    assert schemas["ConfirmWatch"]["properties"]["userCode"]["maxLength"] == 20

    access = paths["/v1/access-log"]["get"]
    [query] = [p for p in access["parameters"] if p["in"] == "query"]
    assert query["name"] == "resource"
    assert query["schema"]["maxLength"] == 100
    assert query["schema"]["pattern"] == "^[a-z_]+:[A-Za-z0-9-]{1,64}$"
    assert {"actorRole", "actorRoleText", "actorRoleTextEn"} <= set(schemas["AccessEntry"]["properties"])
    assert "unit" in schemas["Me"]["properties"]
    assert "unit" not in schemas["Me"]["required"]
