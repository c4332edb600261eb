"""The public part: the catalogue, forms, the application period and the provräkning need no login,
and bad input is refused at the edge with Swedish field messages before the service is asked."""

from __future__ import annotations

import json

import pytest
from conftest import asked

from bff_mobile.schemas.common import MAX_CHILDREN
from fickan.applications.v1 import applications_pb2 as apps_pb


def _direct(world, method: str, request):  # type: ignore[no-untyped-def]
    """What the applications service itself answers (to compare the BFF's shaping with)."""
    services = world.services()
    try:
        return services.applications.call(method, request)
    finally:
        for client in services.all().values():
            client.close()


def _definition(world, kind: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(_direct(world, "GetForm", apps_pb.GetFormRequest(kind=kind)).definition_json)


def test_the_catalogue_is_public(client, world):
    answer = client.get("/v1/e-services")

    assert answer.status_code == 200
    [service] = answer.get_json()["eServices"]
    assert service["id"] == "ekonomiskt-bistand"
    assert service["title"] == "Ekonomiskt bistånd"
    assert [f["kind"] for f in service["forms"]] == ["eb_grundansokan", "eb_lopande"]
    assert service["forms"][1] == {
        "kind": "eb_lopande",
        "title": "Ansökan om ekonomiskt bistånd för en månad",
        "when": "Varje månad när du redan har fått bistånd. Svaren från förra månaden är ifyllda.",
    }
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_form_is_public_and_carries_its_whole_definition(client, world):
    answer = client.get("/v1/forms/eb_lopande")

    assert answer.status_code == 200
    form = answer.get_json()
    assert form["definition"] == _definition(world, "eb_lopande")  # the service's, parsed, not a JSON string
    assert form["periodBound"] is True
    assert form["requiresSignature"] is True
    assert form["version"] == 1
    questions = [q["id"] for step in form["definition"]["steps"] for q in step["questions"]]
    names = [f["name"] for f in form["fields"]]
    assert names == [q for q in questions if q in names] and "inkomster" in names  # the answerable ones, in order
    assert set(form["fields"][0]) == {"name", "type", "label", "help", "required"}
    sent = asked(world, "applications", "GetForm")[0]  # (the second is this test asking the service itself)
    assert sent.version == 0  # the newest


def test_a_form_version_is_passed_on_and_an_unknown_one_is_404(client, world):
    assert client.get("/v1/forms/eb_lopande?version=1").status_code == 200
    missing = client.get("/v1/forms/eb_lopande?version=7")

    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "Det finns ingen sådan e-tjänst."  # the service's words
    assert [r.version for r in asked(world, "applications", "GetForm")] == [1, 7]


def test_the_old_short_form_needs_no_signature(client, world):
    form = client.get("/v1/forms/ekonomiskt_bistand").get_json()

    assert form["definition"] == _definition(world, "ekonomiskt_bistand")
    assert form["requiresSignature"] is False
    assert form["fields"][0]["name"] == "period"


@pytest.mark.parametrize("version", ["0", "-1", "x", "1.5", "10001"])
def test_a_bad_form_version_is_400_and_the_service_is_not_asked(client, world, version):
    answer = client.get(f"/v1/forms/eb_lopande?version={version}")

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"]["version"] == "Versionen ska vara ett heltal från 1 och uppåt."
    assert world.spies["applications"].names() == []


def test_the_current_period_is_public(client, world):
    answer = client.get("/v1/periods/current")

    assert answer.status_code == 200
    assert answer.get_json() == {  # applications' today is 25 November 2026 (ApplicationsForTests)
        "period": "2026-12",
        "opens": "2026-11-09",
        "closes": "2026-11-30",
        "open": True,
        "text": "Ansökan för december 2026 kan lämnas in 9 november – 30 november 2026.",
        "paymentDay": "2026-11-25",
    }


def test_a_given_period_is_passed_on(client, world):
    answer = client.get("/v1/periods/current?period=2027-03")

    assert answer.status_code == 200
    assert answer.get_json()["period"] == "2027-03"
    assert answer.get_json()["open"] is False
    assert asked(world, "applications", "GetPeriod")[0].period == "2027-03"


@pytest.mark.parametrize("period", ["2027-13", "2027-1", "202701", "jan", "2027-01-01", "2027-00"])
def test_a_bad_period_is_400_in_swedish(client, world, period):
    answer = client.get(f"/v1/periods/current?period={period}")

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"]["period"] == "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12."
    assert world.spies["applications"].names() == []


# --- The provräkning ---------------------------------------------------------------------------
def test_the_estimate_is_public_and_shaped_for_the_app(client, world):
    answer = client.post(
        "/v1/estimate",
        json={"adults": 2, "childrenAges": [4, 12], "housing": 8000, "electricity": 400, "earnedIncome": 10000},
    )

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert set(body) == {
        "year",
        "lines",
        "normTotal",
        "costsTotal",
        "needTotal",
        "incomeTotal",
        "result",
        "estimated",
        "caveat",
    }
    [sent] = asked(world, "applications", "Estimate")
    service = _direct(world, "Estimate", sent)
    first = service.lines[0]
    assert body["lines"][0] == {
        "code": first.code,
        "label": first.label,
        "labelEn": first.label_en,
        "amount": first.amount,
        "kind": first.kind,
        "estimated": first.estimated,
        "note": first.note,
    }
    assert [line["code"] for line in body["lines"]] == [line.code for line in service.lines]
    assert (body["normTotal"], body["costsTotal"], body["incomeTotal"], body["result"]) == (
        service.norm_total,
        service.costs_total,
        service.income_total,
        service.result,
    )
    assert body["costsTotal"] == 8400 and body["incomeTotal"] == 10000
    assert body["estimated"] is True
    assert body["caveat"] == service.caveat
    assert (sent.adults, list(sent.children_ages), sent.housing, sent.electricity) == (2, [4, 12], 8000, 400)
    assert (sent.home_insurance, sent.work_travel, sent.union_fee, sent.akassa_fee) == (0, 0, 0, 0)
    assert (sent.earned_income, sent.other_income) == (10000, 0)


def test_every_amount_reaches_the_service_under_its_own_name(client, world):
    body = {
        "adults": 1,
        "housing": 1,
        "electricity": 2,
        "homeInsurance": 3,
        "workTravel": 4,
        "unionFee": 5,
        "akassaFee": 6,
        "earnedIncome": 7,
        "otherIncome": 8,
    }

    assert client.post("/v1/estimate", json=body).status_code == 200

    [sent] = asked(world, "applications", "Estimate")
    assert [
        sent.housing,
        sent.electricity,
        sent.home_insurance,
        sent.work_travel,
        sent.union_fee,
        sent.akassa_fee,
        sent.earned_income,
        sent.other_income,
    ] == [1, 2, 3, 4, 5, 6, 7, 8]


AMOUNT = "Skriv ett belopp mellan 0 och 1 000 000 kr."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "adults", "Fältet saknas."),
        ({"adults": 3}, "adults", "Välj en eller två vuxna."),
        ({"adults": 0}, "adults", "Välj en eller två vuxna."),
        ({"adults": "1"}, "adults", "Välj en eller två vuxna."),
        ({"adults": True}, "adults", "Välj en eller två vuxna."),
        (
            {"adults": 1, "childrenAges": [25]},
            "childrenAges[0]",
            "Barnets ålder ska vara ett heltal mellan 0 och 20 år.",
        ),
        (
            {"adults": 1, "childrenAges": [3, -1]},
            "childrenAges[1]",
            "Barnets ålder ska vara ett heltal mellan 0 och 20 år.",
        ),
        (
            {"adults": 1, "childrenAges": ["3"]},
            "childrenAges[0]",
            "Barnets ålder ska vara ett heltal mellan 0 och 20 år.",
        ),
        (
            {"adults": 1, "childrenAges": [1] * (MAX_CHILDREN + 1)},  # the contract's limit (EstimateRequest)
            "childrenAges",
            f"Barnens åldrar ska skickas som en lista, högst {MAX_CHILDREN} barn.",
        ),
        (
            {"adults": 1, "childrenAges": 3},
            "childrenAges",
            f"Barnens åldrar ska skickas som en lista, högst {MAX_CHILDREN} barn.",
        ),
        ({"adults": 1, "housing": -1}, "housing", AMOUNT),
        ({"adults": 1, "housing": 1_000_001}, "housing", AMOUNT),
        ({"adults": 1, "housing": "6500"}, "housing", AMOUNT),
        ({"adults": 1, "housing": 6500.5}, "housing", AMOUNT),
        ({"adults": 1, "homeInsurance": 10**30}, "homeInsurance", AMOUNT),
        ({"adults": 1, "otherIncome": None}, "otherIncome", "Fältet får inte vara tomt."),
        ({"adults": 1, "salary": 1}, "salary", "Fältet finns inte. Uppdatera appen."),
        ({"adults": 1, "home_insurance": 1}, "home_insurance", "Fältet finns inte. Uppdatera appen."),
    ],
)
def test_bad_estimates_are_400_with_swedish_field_messages(client, world, body, field, message):
    answer = client.post("/v1/estimate", json=body)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"][field] == message
    assert world.spies["applications"].names() == []


def test_the_public_routes_work_with_a_token_too_and_ignore_it(client, world, resident):
    for path in ("/v1/e-services", "/v1/forms/eb_lopande", "/v1/periods/current"):
        assert client.get(path, headers=resident.headers).status_code == 200, path
    assert client.post("/v1/estimate", json={"adults": 1}, headers=resident.headers).status_code == 200
