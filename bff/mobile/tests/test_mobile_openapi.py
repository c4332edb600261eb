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
    assert len(documented) == 14


def test_protected_operations_need_the_bearer_token_and_login_does_not(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path.startswith("/v1/auth/"):
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
