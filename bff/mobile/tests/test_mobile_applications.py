"""A resident's e-service case from the phone: form, draft, answers, submit, list."""

from __future__ import annotations

from conftest import stored

KIND = "ekonomiskt_bistand"  # the first short form, kept for old clients

ANSWERS = {
    "period": "2026-12",
    "household_adults": 1,
    "household_children": "2",
    "housing_cost": 6500,
    "income": 0,
    "other": "Jag har ansökt om bostadsbidrag.",
}


def _draft(client, resident) -> dict:
    answer = client.post("/v1/applications", json={"kind": "ekonomiskt_bistand"}, headers=resident.headers)
    assert answer.status_code == 201
    return answer.get_json()


def test_the_form_lists_its_questions(client, resident):
    answer = client.get("/v1/forms/ekonomiskt_bistand", headers=resident.headers)

    assert answer.status_code == 200
    form = answer.get_json()
    assert form["title"] == "Ansökan om ekonomiskt bistånd"
    assert [f["name"] for f in form["fields"]][:2] == ["period", "household_adults"]
    assert form["fields"][0] == {
        "name": "period",
        "type": "month",
        "label": "Vilken månad söker du för?",
        "help": "Skriv år och månad, till exempel 2026-12.",
        "required": True,
    }


def test_an_unknown_e_service_is_404_with_the_services_words(client, resident):
    answer = client.get("/v1/forms/bygglov", headers=resident.headers)

    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == "Det finns ingen sådan e-tjänst."


def test_create_draft_answers_and_submit(client, resident, world):
    draft = _draft(client, resident)
    assert draft["status"] == "draft"
    assert draft["statusText"] == "Utkast – inte skickad än"
    assert draft["submittedAt"] is None
    assert draft["createdAt"].endswith("+00:00")

    saved = client.put(
        f"/v1/applications/{draft['id']}/answers",
        json={"answers": ANSWERS, "version": draft["version"]},
        headers=resident.headers,
    )
    assert saved.status_code == 200, saved.get_json()
    saved = saved.get_json()
    assert saved["version"] == draft["version"] + 1
    assert saved["answers"]["housing_cost"] == "6500"  # integers travel on as text
    assert stored(world, draft["id"]).answers["household_adults"] == "1"

    submitted = client.post(
        f"/v1/applications/{draft['id']}/submit", json={"version": saved["version"]}, headers=resident.headers
    )
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "received"  # the unit receives a sent case at once

    listed = client.get("/v1/applications", headers=resident.headers).get_json()["applications"]
    assert listed == [
        {
            "id": draft["id"],
            "kind": "ekonomiskt_bistand",
            "title": "Ansökan om ekonomiskt bistånd",
            "status": "received",
            "statusText": "Mottagen – står i kö för handläggning",
            "submittedAt": listed[0]["submittedAt"],
            "version": saved["version"] + 2,  # sent, then received
        }
    ]
    assert listed[0]["submittedAt"]

    one = client.get(f"/v1/applications/{draft['id']}", headers=resident.headers).get_json()
    assert one["answers"]["period"] == "2026-12"


def test_the_list_holds_only_my_cases(client, resident, neighbour, world):
    world.applications.draft(neighbour, KIND)
    mine = _draft(client, resident)

    listed = client.get("/v1/applications", headers=resident.headers).get_json()["applications"]

    assert [a["id"] for a in listed] == [mine["id"]]


def test_a_stale_version_is_409_with_the_services_message(client, resident, world):
    draft = _draft(client, resident)
    client.put(
        f"/v1/applications/{draft['id']}/answers",
        json={"answers": {"income": 0}, "version": draft["version"]},
        headers=resident.headers,
    )

    answer = client.put(
        f"/v1/applications/{draft['id']}/answers",
        json={"answers": {"income": 100}, "version": draft["version"]},
        headers=resident.headers,
    )

    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["message"].startswith("Ansökan har ändrats på en annan enhet")
    assert error["message_en"]
    assert stored(world, draft["id"]).answers == {"income": "0"}


def test_the_services_answer_errors_are_listed_under_answers_dot_name(client, resident):
    draft = _draft(client, resident)

    answer = client.put(
        f"/v1/applications/{draft['id']}/answers",
        json={"answers": {"period": "dec", "shoe_size": "44"}, "version": draft["version"]},
        headers=resident.headers,
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "answers.period": "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12.",
        "answers.shoe_size": "Frågan finns inte i formuläret.",
    }


def test_submitting_an_unfinished_draft_lists_the_missing_answers(client, resident, world):
    draft = _draft(client, resident)

    answer = client.post(
        f"/v1/applications/{draft['id']}/submit", json={"version": draft["version"]}, headers=resident.headers
    )

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["message"] == "Ansökan är inte färdig. Svara på frågorna som saknas."
    assert error["fields"]["answers.period"] == "Ange vilken månad du söker för."
    assert stored(world, draft["id"]).status == "draft"


def test_submitting_twice_is_409(client, resident, world):
    draft = world.applications.draft(resident, KIND, dict(ANSWERS, household_adults="1", household_children="2",
        housing_cost="6500", income="0"))  # fmt: skip
    case_id = world.applications.applications.submit(world.identity.principal(resident), draft.id, draft.version).id

    answer = client.post(f"/v1/applications/{case_id}/submit", json={"version": 0}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "conflict"
    assert answer.get_json()["error"]["message"] == "Ansökan är redan skickad och kan inte ändras."


def test_another_residents_case_is_403_from_the_service(client, resident, neighbour, world):
    theirs = world.applications.draft(neighbour, KIND, {"income": "12000"}).id

    read = client.get(f"/v1/applications/{theirs}", headers=resident.headers)
    write = client.put(
        f"/v1/applications/{theirs}/answers", json={"answers": {"income": 0}, "version": 0}, headers=resident.headers
    )

    for answer in (read, write):
        assert answer.status_code == 403
        error = answer.get_json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"] == "Du har inte behörighet till den här ansökan."
        assert "12000" not in answer.get_data(as_text=True)
    assert stored(world, theirs).answers == {"income": "12000"}
    assert "GetApplication" in world.spies["applications"].names()  # the service decided, not the BFF


def test_an_unknown_case_is_404(client, resident):
    answer = client.get("/v1/applications/6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b", headers=resident.headers)

    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
