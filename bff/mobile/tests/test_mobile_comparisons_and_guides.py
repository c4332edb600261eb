"""/v1/comparisons and /v1/guides against the real insights service (in-process, SQLite, its demo
figures): no login needed, the resident's pick, bad input as 400 naming the field, a guide walked
to the ekonomiskt bistånd e-service."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_comparisons_are_listed_without_login_with_the_demo_flag(client: FlaskClient) -> None:
    answer = client.get("/v1/comparisons")
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["home"] == {"id": "1283", "title": "Helsingborg"} and body["demo"] is True
    school = next(s for s in body["services"] if s["id"] == "grundskola")
    assert [k["id"] for k in school["kpis"]] == ["N15428", "N15504"]
    assert all(len(s["members"]) <= 20 for s in school["sets"])


def test_a_comparison_of_the_chosen_municipalities(client: FlaskClient) -> None:
    answer = client.get("/v1/comparisons/grundskola?kpi=N15428&set=nara&municipalities=1284,1292")
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert [m["id"] for m in body["chosen"]] == ["1284", "1292"]
    assert [s["municipality"]["id"] for s in body["series"]][:3] == ["1283", "1284", "1292"]
    home = body["series"][0]
    assert home["home"] is True and len(home["points"]) == len(body["years"]) >= 3
    assert all(p["value"] is None or isinstance(p["value"], float) for p in home["points"])
    assert body["demo"] is True and "Demo" in body["source"] and body["fetchedAt"]
    summary = body["summaries"][0]
    assert set(summary) == {"year", "mean", "rank", "ranked", "comment"}


def test_21_municipalities_are_refused_before_any_call(client: FlaskClient) -> None:
    many = ",".join(str(1000 + i) for i in range(21))
    answer = client.get(f"/v1/comparisons/grundskola?municipalities={many}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"municipalities": "Välj högst 20 kommuner att jämföra med."}


def test_a_municipality_outside_the_group_is_refused_by_the_service(client: FlaskClient) -> None:
    answer = client.get("/v1/comparisons/grundskola?set=nara&municipalities=1284,0180")
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert "0180" in error["message"] and "municipalities" in error["fields"]


def test_an_unknown_kpi_and_a_year_without_figures_name_their_field(client: FlaskClient) -> None:
    kpi = client.get("/v1/comparisons/grundskola?kpi=N31807")
    assert kpi.status_code == 400 and kpi.get_json()["error"]["fields"] == {"kpi": "Välj ett av nyckeltalen i listan."}
    year = client.get("/v1/comparisons/grundskola?year=1995")
    assert year.status_code == 400
    assert year.get_json()["error"]["message"].startswith("Det finns inga siffror för 1995.")
    assert client.get("/v1/comparisons/grundskola?year=tjugo").status_code == 400


def test_an_unknown_comparison_is_404_and_a_bad_id_400(client: FlaskClient) -> None:
    assert client.get("/v1/comparisons/simhallar").status_code == 404
    assert client.get("/v1/comparisons/Grund%20skola").status_code == 400


def test_the_lost_job_guide_ends_in_the_ekonomiskt_bistand_e_service(client: FlaskClient) -> None:
    guides = client.get("/v1/guides").get_json()["guides"]
    assert "Har förlorat jobbet" in [g["targetGroup"] for g in guides] and len(guides) >= 5
    started = client.post("/v1/guides/forlorat-jobbet/sessions")
    assert started.status_code == 201
    step = started.get_json()
    for option in ("ja", "nej", "nej"):
        answer = client.post(
            f"/v1/guide-sessions/{step['sessionId']}/answers",
            json={"questionId": step["question"]["id"], "optionId": option},
        )
        assert answer.status_code == 200, answer.get_json()
        step = answer.get_json()
    assert step["question"] is None and step["result"]["title"] == "Sök ekonomiskt bistånd"
    [e_service] = [x for x in step["result"]["links"] if x["kind"] == "e_service"]
    assert e_service["eServiceId"] == "ekonomiskt-bistand"
    followed = client.post(f"/v1/guide-sessions/{step['sessionId']}/links/{e_service['id']}")
    assert followed.status_code == 200 and followed.get_json()["eServiceId"] == "ekonomiskt-bistand"
    again = client.get(f"/v1/guide-sessions/{step['sessionId']}").get_json()
    assert again["result"]["id"] == step["result"]["id"] and len(again["answers"]) == 3


def test_a_guide_answer_not_in_the_guide_is_refused(client: FlaskClient) -> None:
    step = client.post("/v1/guides/forlorat-jobbet/sessions").get_json()
    answer = client.post(
        f"/v1/guide-sessions/{step['sessionId']}/answers", json={"questionId": "anmald", "optionId": "kanske"}
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"optionId": "Välj ett av svaren."}
    unknown_field = client.post(
        f"/v1/guide-sessions/{step['sessionId']}/answers", json={"questionId": "anmald", "option": "ja"}
    )
    assert unknown_field.status_code == 400


def test_unknown_guides_and_sessions(client: FlaskClient) -> None:
    assert client.post("/v1/guides/finns-inte/sessions").status_code == 404
    assert client.get("/v1/guide-sessions/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/v1/guide-sessions/inte-ett-id").status_code == 400
