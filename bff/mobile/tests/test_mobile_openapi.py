"""/openapi.json is a valid OpenAPI 3 document generated from the same schemas the routes use."""

from __future__ import annotations

import re

import openapi_spec_validator
import pytest

from fickan.applications.v1 import applications_pb2
from fickan_common import limits

# What the applications and insights services serve without a token is public here too.
PUBLIC = {"/v1/e-services", "/v1/forms/{kind}", "/v1/periods/current", "/v1/estimate"}
INSIGHTS_PUBLIC = {
    "/v1/comparisons",
    "/v1/comparisons/{service_id}",
    "/v1/guides",
    "/v1/guides/{guide_id}/sessions",
    "/v1/guide-sessions/{session_id}",
    "/v1/guide-sessions/{session_id}/answers",
    "/v1/guide-sessions/{session_id}/links/{link_id}",
}
PUBLIC |= INSIGHTS_PUBLIC | {"/v1/bookings/services", "/v1/bookings/free", "/v1/fault-reports/kinds"}
PUBLIC |= {"/v1/service-messages"}


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
    # 32 + contact (5), comparisons (2), guides (5), notifications (8), bookings (7), faults (2), feedback (2),
    # service messages and the overview (2), the copy of what was sent
    assert len(documented) == 66
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
            elif path in PUBLIC:
                assert op["security"] == [], (path, method)
                assert "401" not in op["responses"], (path, method)
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


def test_the_new_application_operations_are_documented(spec):
    paths = spec["paths"]
    expected = {
        ("/v1/e-services", "get"),
        ("/v1/forms/{kind}", "get"),
        ("/v1/periods/current", "get"),
        ("/v1/estimate", "post"),
        ("/v1/applications/{application_id}/attachments", "post"),
        ("/v1/applications/{application_id}/attachments/{attachment_id}", "get"),
        ("/v1/applications/{application_id}/signing-text", "get"),
        ("/v1/applications/{application_id}/sign/start", "post"),
        ("/v1/applications/{application_id}/sign/collect", "post"),
        ("/v1/applications/{application_id}/sign/cancel", "post"),
        ("/v1/applications/{application_id}/co-sign", "post"),
        ("/v1/applications/{application_id}/completion", "post"),
        ("/v1/applications/{application_id}/withdraw", "post"),
    }
    assert expected <= {(path, method) for path, ops in paths.items() for method in ops}


def test_the_estimate_is_public_and_says_it_is_not_a_decision(spec):
    estimate = spec["paths"]["/v1/estimate"]["post"]
    schemas = spec["components"]["schemas"]

    assert estimate["security"] == []
    assert "401" not in estimate["responses"]
    assert "not a decision" in estimate["summary"].lower()
    assert "NOT A DECISION" in estimate["description"]
    assert "caveat" in estimate["description"]
    assert estimate["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EstimateRequest"
    }
    assert estimate["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Calculation"
    }
    request = schemas["EstimateRequest"]
    assert request["required"] == ["adults"]
    assert (request["properties"]["adults"]["minimum"], request["properties"]["adults"]["maximum"]) == (1, 2)
    # The applications contract's own limits (EstimateRequest), not a copy.
    ages = limits.of(applications_pb2.EstimateRequest, "children_ages")
    assert request["properties"]["childrenAges"]["maxItems"] == ages.max_items == 30
    assert request["properties"]["childrenAges"]["items"] == {"type": "integer", "minimum": 0, "maximum": ages.max}
    assert request["properties"]["housing"]["maximum"] == 1_000_000
    assert request["properties"]["housing"]["default"] == 0
    assert request["additionalProperties"] is False
    assert {"normTotal", "result", "caveat"} <= set(schemas["Calculation"]["properties"])
    assert {"adjusted", "original", "reason"} <= set(schemas["CaseCalculationLine"]["properties"])
    assert "adjusted" not in schemas["CalculationLine"]["properties"]


def test_the_upload_and_the_download_are_documented_as_files(spec):
    upload = spec["paths"]["/v1/applications/{application_id}/attachments"]["post"]
    download = spec["paths"]["/v1/applications/{application_id}/attachments/{attachment_id}"]["get"]

    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"]
    assert body["properties"]["file"]["format"] == "binary"
    assert body["properties"]["file"]["maxLength"] == 10 * 1024 * 1024
    assert "413" in upload["responses"]
    assert upload["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Attachment"
    }
    assert set(download["responses"]["200"]["content"]) == {
        "image/jpeg",
        "image/png",
        "image/heic",
        "application/pdf",
    }
    assert [p["name"] for p in download["parameters"]] == ["application_id", "attachment_id"]


def test_the_whole_case_and_the_answers_are_described(spec):
    schemas = spec["components"]["schemas"]
    case = schemas["Application"]["properties"]

    assert {
        "answers",
        "timeline",
        "calculation",
        "decision",
        "completionRequests",
        "attachments",
        "nextAction",
        "nextActionEn",
        "statusTextEn",
        "period",
        "paymentDate",
        "paymentAmount",
        "dueAt",
        "role",
        "awaitingMySignature",
        "applicantSigned",
        "coApplicantSigned",
    } <= set(case)
    assert set(schemas["ApplicationSummary"]["properties"]) == {
        "id",
        "kind",
        "title",
        "status",
        "statusText",
        "submittedAt",
        "version",
    }
    answer_kinds = schemas["SaveAnswers"]["properties"]["answers"]["additionalProperties"]["oneOf"]
    assert [k["type"] for k in answer_kinds] == ["string", "integer", "array", "array"]
    assert "signatureId" in schemas["Submit"]["properties"]
    assert "signatureId" not in schemas["Submit"]["required"]
    period = limits.of(applications_pb2.GetPeriodRequest, "period").pattern  # the contract's, not a copy
    assert period == "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
    assert schemas["CreateApplication"]["properties"]["period"]["pattern"] == period
    assert {"definition", "periodBound", "requiresSignature", "version"} <= set(schemas["Form"]["properties"])


def test_every_change_a_resident_makes_takes_an_idempotency_key(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
            protected = operation.get("security") == [{"bearerAuth": []}]
            if method != "get" and protected:
                assert [h["name"] for h in headers] == ["Idempotency-Key"], (method, path)
                assert headers[0]["schema"]["maxLength"] == 200 and not headers[0]["required"]
            elif path == "/v1/stream":
                assert [h["name"] for h in headers] == ["Last-Event-ID"]
            else:
                assert not headers, (method, path)


def test_the_stream_is_documented_as_server_sent_events_with_the_bearer_token(spec):
    operation = spec["paths"]["/v1/stream"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/event-stream"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "401" in operation["responses"] and "400" in operation["responses"]
