"""The monthly application for ekonomiskt bistånd from the phone: a draft for a period, answers with
repeating groups and files, the signing text signed with BankID (the applications service runs the
signing and submits the case, or records the co-applicant's signature), then the case with its
timeline, calculation and decision; completion and withdrawal."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime

import pytest
from mobile_fakes import MONTHLY, fake_app, fake_client, fake_neighbour, fake_resident, fake_world, on_fakes  # noqa: F401 - not moved yet

from bff_mobile.schemas.common import MAX_ANSWER_LENGTH
from fickan.applications.v1 import applications_pb2 as apps_pb
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_common.testing import captured_logs

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PARTNER_NUMBER = "199001019802"


def _draft(client, who, period: str | None = None) -> dict:
    body = {"kind": MONTHLY, **({"period": period} if period else {})}
    answer = client.post("/v1/applications", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _upload(client, who, case_id: str, content: bytes = PDF, name: str = "kvitto.pdf") -> dict:
    answer = client.post(
        f"/v1/applications/{case_id}/attachments",
        data={"file": (io.BytesIO(content), name)},
        headers=who.headers,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _save(client, who, case_id: str, answers: dict, version: int):
    return client.put(
        f"/v1/applications/{case_id}/answers", json={"answers": answers, "version": version}, headers=who.headers
    )


def _sign(client, who, case_id: str) -> dict:
    """BankID signing through the BFF: start, collect (pending), collect (complete, with the case)."""
    started = client.post(f"/v1/applications/{case_id}/sign/start", json={}, headers=who.headers)
    assert started.status_code == 200, started.get_json()
    order_ref = started.get_json()["orderRef"]
    pending = client.post(f"/v1/applications/{case_id}/sign/collect", json={"orderRef": order_ref}, headers=who.headers)
    assert pending.get_json()["status"] == "pending"
    done = client.post(f"/v1/applications/{case_id}/sign/collect", json={"orderRef": order_ref}, headers=who.headers)
    assert done.status_code == 200
    assert done.get_json()["status"] == "complete"
    return done.get_json()


def test_a_draft_for_a_period(client, resident, world):
    draft = _draft(client, resident, period="2027-01")

    assert draft["kind"] == MONTHLY
    assert draft["period"] == "2027-01"
    assert draft["answers"] == {"period": "2027-01"}
    assert draft["role"] == "applicant"
    assert draft["nextAction"] == "Fyll i ansökan och skicka den."
    assert draft["nextActionEn"] == "Fill in the application and send it."
    assert draft["statusTextEn"] == "Draft – not sent yet"
    [sent] = world.applications.requests["CreateDraft"]
    assert (sent.kind, sent.period) == (MONTHLY, "2027-01")


def test_without_a_period_the_service_picks_the_open_one(client, resident, world):
    _draft(client, resident)

    assert world.applications.requests["CreateDraft"][0].period == ""


def test_a_closed_period_is_409_with_the_services_words(client, resident, world):
    answer = client.post("/v1/applications", json={"kind": MONTHLY, "period": "2020-01"}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "Ansökan för januari 2020 är inte öppen."


@pytest.mark.parametrize("period", ["2027-13", "januari", 202701, ""])
def test_a_bad_period_in_a_new_draft_is_400(client, resident, world, period):
    answer = client.post("/v1/applications", json={"kind": MONTHLY, "period": period}, headers=resident.headers)

    assert answer.status_code == 400
    assert "period" in answer.get_json()["error"]["fields"]
    assert world.applications.cases == {}


def test_groups_and_files_travel_as_json_and_come_back_as_lists(client, resident, world):
    draft = _draft(client, resident)
    receipt = _upload(client, resident, draft["id"])
    answers = {
        "inkomster": [{"slag": "lon", "belopp": 12000}, {"slag": "csn", "belopp": "3000"}],
        "kvitton": [receipt["id"].upper()],
        "ovrigt": "[inget]",
        "har_partner": "nej",
    }

    saved = _save(client, resident, draft["id"], answers, draft["version"])

    assert saved.status_code == 200, saved.get_json()
    [sent] = world.applications.requests["SaveAnswers"]
    assert json.loads(sent.answers["inkomster"]) == [
        {"slag": "lon", "belopp": "12000"},
        {"slag": "csn", "belopp": "3000"},
    ]
    assert json.loads(sent.answers["kvitton"]) == [receipt["id"]]  # canonical (lower-case) ids
    assert sent.answers["ovrigt"] == "[inget]"
    body = saved.get_json()
    assert body["answers"]["inkomster"] == [{"slag": "lon", "belopp": "12000"}, {"slag": "csn", "belopp": "3000"}]
    assert body["answers"]["kvitton"] == [receipt["id"]]
    assert body["answers"]["ovrigt"] == "[inget]"  # text that only looks like JSON stays text
    assert body["answers"]["period"] == "2027-01"
    again = client.get(f"/v1/applications/{draft['id']}", headers=resident.headers).get_json()
    assert again["answers"] == body["answers"]
    assert again["attachments"] == [receipt]


def test_an_empty_list_clears_a_group(client, resident, world):
    draft = _draft(client, resident)

    saved = _save(client, resident, draft["id"], {"inkomster": []}, draft["version"])

    assert saved.status_code == 200
    assert world.applications.requests["SaveAnswers"][0].answers["inkomster"] == "[]"
    assert saved.get_json()["answers"]["inkomster"] == []


def test_the_services_errors_in_a_group_keep_their_path_under_answers(client, resident, world):
    draft = _draft(client, resident)

    answer = _save(
        client,
        resident,
        draft["id"],
        {"inkomster": [{"slag": "lon", "belopp": "12000"}, {"slag": "lon", "belopp": "12 000 kr"}], "skostorlek": "44"},
        draft["version"],
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "answers.inkomster[1].belopp": "Skriv ett heltal, utan mellanslag eller bokstäver.",
        "answers.skostorlek": "Frågan finns inte i formuläret.",
    }


def test_a_file_that_is_not_the_cases_is_refused_by_the_service(client, resident, world):
    draft = _draft(client, resident)

    answer = _save(client, resident, draft["id"], {"kvitton": ["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"]}, 1)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "answers.kvitton": "Bilagan hör inte till den här ansökan. Ladda upp den igen."
    }


NOT_ANSWER = "Svaret ska vara text eller ett heltal."
FILE_ID = "Bilagan känns inte igen. Ladda upp den igen."
SOME_ID = "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"inkomster": [{"slag": "lon", "belopp": 1.5}]}, "answers.inkomster[0].belopp", NOT_ANSWER),
        ({"inkomster": [{"slag": "lon", "belopp": True}]}, "answers.inkomster[0].belopp", NOT_ANSWER),
        ({"inkomster": [{"slag": "lon", "belopp": [1]}]}, "answers.inkomster[0].belopp", NOT_ANSWER),
        ({"inkomster": [{"slag": "lon", "belopp": None}]}, "answers.inkomster[0].belopp", "Fältet får inte vara tomt."),
        ({"inkomster": [{}, {"Belopp!": "1"}]}, "answers.inkomster[1].Belopp!", "Fältet finns inte. Uppdatera appen."),
        # One answer on the wire is at most the contract's length (SaveAnswersRequest.answers); how many
        # rows a group takes is the form's own rule, checked by the service.
        (
            {"inkomster": [{"ovrigt": "x" * MAX_ANSWER_LENGTH}]},
            "answers.inkomster",
            f"Texten får vara högst {MAX_ANSWER_LENGTH} tecken.",
        ),
        ({"kvitton": ["not-an-id"]}, "answers.kvitton[0]", FILE_ID),
        ({"kvitton": [SOME_ID, "' OR 1=1"]}, "answers.kvitton[1]", FILE_ID),
        (
            {"inkomster": [{"slag": "lon"}, SOME_ID]},
            "answers.inkomster",
            "Listan ska vara antingen rader med svar eller bilagornas id.",
        ),
        ({"inkomster": [[{"slag": "lon"}]]}, "answers.inkomster", NOT_ANSWER),
        ({"inkomster": {"slag": "lon"}}, "answers.inkomster", NOT_ANSWER),
    ],
)
def test_bad_groups_and_file_lists_are_400_by_path_and_the_service_is_not_asked(
    client, resident, world, answers, field, message
):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY)

    answer = _save(client, resident, case_id, answers, 1)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"][field] == message
    assert "SaveAnswers" not in world.applications.calls


def test_a_stale_version_from_another_device_is_409_and_saves_nothing(client, resident, world):
    draft = _draft(client, resident)
    assert _save(client, resident, draft["id"], {"ovrigt": "från mobilen"}, draft["version"]).status_code == 200

    stale = _save(client, resident, draft["id"], {"inkomster": [{"slag": "lon", "belopp": 1}]}, draft["version"])

    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["message"] == "Ansökan har ändrats på en annan enhet. Ladda om sidan för att se de senaste svaren."
    assert "inkomster" not in world.applications.cases[draft["id"]]["answers"]


def test_the_signing_text_is_the_services(client, resident, world):
    draft = _draft(client, resident)

    answer = client.get(f"/v1/applications/{draft['id']}/signing-text", headers=resident.headers)

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["text"].startswith("# Ansökan om ekonomiskt bistånd för en månad")
    assert body["version"] == draft["version"]
    assert body["reference"] == f"application:{draft['id']}:v{draft['version']}"


def test_signing_starts_identitys_bankid_order_with_the_signing_text(client, resident, world):
    draft = _draft(client, resident)
    text = client.get(f"/v1/applications/{draft['id']}/signing-text", headers=resident.headers).get_json()

    started = client.post(
        f"/v1/applications/{draft['id']}/sign/start", json={"returnUrl": "fickan://signed"}, headers=resident.headers
    )

    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert set(body) == {"orderRef", "autoStartToken", "autoStartUrl", "qrData", "version"}
    assert body["autoStartUrl"] == f"bankid:///?autostarttoken={body['autoStartToken']}&redirect=fickan%3A%2F%2Fsigned"
    assert body["qrData"] == "qr.s1"
    assert body["version"] == draft["version"]
    [sent] = world.identity.sign_requests
    assert sent.user_visible_data == text["text"]
    assert sent.reference == text["reference"]
    assert sent.device == identity_pb.DEVICE_MOBILE
    assert sent.end_user_ip == "127.0.0.1"
    assert sent.return_url == "fickan://signed"


def test_signing_can_start_without_a_body(client, resident, world):
    draft = _draft(client, resident)

    started = client.post(f"/v1/applications/{draft['id']}/sign/start", headers=resident.headers)

    assert started.status_code == 200
    assert started.get_json()["autoStartUrl"].endswith("&redirect=null")


def test_collect_is_pending_then_complete_with_the_submitted_case(client, resident, world):
    draft = _draft(client, resident)
    order_ref = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers).get_json()[
        "orderRef"
    ]
    path = f"/v1/applications/{draft['id']}/sign/collect"

    pending = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()
    done = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()

    assert pending == {
        "status": "pending",
        "hintCode": "outstandingTransaction",
        "message": "Starta BankID-appen.",
        "messageEn": "Start your BankID app.",
        "qrData": "qr.s2",
        "signatureId": None,
        "application": None,
    }
    assert done["status"] == "complete"
    assert (done["message"], done["messageEn"]) == ("Du har skrivit under.", "You have signed.")
    assert done["qrData"] is None
    assert done["signatureId"] in world.identity.signatures
    assert done["application"]["status"] == "submitted" and done["application"]["applicantSigned"] is True
    # Polled again (a lost answer, a second tap): the same case, submitted once.
    again = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()
    assert again["status"] == "complete" and again["application"] == done["application"]
    assert len(world.applications.requests["Submit"]) == 1


def test_an_order_that_signed_another_case_is_409(client, resident, world):
    first, second = _draft(client, resident), _draft(client, resident, period="2027-02")
    order_ref = client.post(f"/v1/applications/{first['id']}/sign/start", json={}, headers=resident.headers).get_json()[
        "orderRef"
    ]

    answer = client.post(
        f"/v1/applications/{second['id']}/sign/collect", json={"orderRef": order_ref}, headers=resident.headers
    )

    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == "Underskriften gäller en annan ansökan. Börja om underskriften."


def test_a_signing_can_be_cancelled(client, resident, world):
    draft = _draft(client, resident)
    order_ref = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers).get_json()[
        "orderRef"
    ]

    answer = client.post(
        f"/v1/applications/{draft['id']}/sign/cancel", json={"orderRef": order_ref}, headers=resident.headers
    )

    assert answer.status_code == 204
    assert world.identity.sign_orders == {}


def test_someone_elses_signing_order_is_not_found(client, resident, neighbour, world):
    draft = _draft(client, resident)
    order_ref = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers).get_json()[
        "orderRef"
    ]

    answer = client.post(
        f"/v1/applications/{draft['id']}/sign/collect", json={"orderRef": order_ref}, headers=neighbour.headers
    )

    assert answer.status_code == 404


def test_signing_alone_submits_the_case(client, resident, world):
    draft = _draft(client, resident)
    done = _sign(client, resident, draft["id"])

    case = done["application"]
    assert case["status"] == "submitted"
    assert case["applicantSigned"] is True
    assert case["dueAt"]
    assert case["timeline"][-1]["status"] == "submitted"
    assert case["timeline"][-1]["text"] == "Ansökan är skickad till kommunen."
    [sent] = world.applications.requests["Submit"]
    assert (sent.expected_version, sent.signature_id) == (draft["version"], done["signatureId"])


def test_an_older_app_that_still_submits_with_the_signature_gets_the_case(client, resident, world):
    draft = _draft(client, resident)
    done = _sign(client, resident, draft["id"])

    submitted = client.post(
        f"/v1/applications/{draft['id']}/submit",
        json={"version": draft["version"], "signatureId": done["signatureId"]},
        headers=resident.headers,
    )

    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "submitted"
    assert [e["status"] for e in submitted.get_json()["timeline"]].count("submitted") == 1


def test_submitting_without_a_signature_is_400_on_signature_id(client, resident, world):
    draft = _draft(client, resident)

    answer = client.post(
        f"/v1/applications/{draft['id']}/submit", json={"version": draft["version"]}, headers=resident.headers
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "signatureId": "Skriv under ansökan med BankID innan du skickar den."
    }


def test_a_case_changed_while_signing_is_409_and_not_submitted(client, resident, world):
    draft = _draft(client, resident)
    order_ref = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers).get_json()[
        "orderRef"
    ]
    path = f"/v1/applications/{draft['id']}/sign/collect"
    assert client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()["status"] == "pending"
    saved = _save(client, resident, draft["id"], {"ovrigt": "ändrat under tiden"}, draft["version"]).get_json()

    answer = client.post(path, json={"orderRef": order_ref}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"].startswith("Ansökan har ändrats sedan du började skriva under")
    case = client.get(f"/v1/applications/{draft['id']}", headers=resident.headers).get_json()
    assert (case["status"], case["version"]) == ("draft", saved["version"])


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "signatureId": "not-a-uuid"},
        {"version": 1, "signatureId": 5},
        {"version": 1, "signatureId": ""},
        {"version": 1, "signatureId": "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b", "extra": 1},
    ],
)
def test_bad_submit_bodies_with_a_signature_are_400(client, resident, world, body):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY)

    answer = client.post(f"/v1/applications/{case_id}/submit", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert "Submit" not in world.applications.calls


def test_with_a_co_applicant_the_case_waits_for_their_signature(client, resident, neighbour, world):
    draft = _draft(client, resident)
    saved = _save(client, resident, draft["id"], {"har_partner": "ja", "partner_personnummer": PARTNER_NUMBER}, 1)
    assert saved.status_code == 200
    world.applications.cases[draft["id"]]["co_owner"] = neighbour.user_id  # identity resolved the personnummer

    waiting = _sign(client, resident, draft["id"])["application"]
    assert waiting["status"] == "signature_pending"
    assert waiting["applicantSigned"] is True
    assert waiting["coApplicantSigned"] is False
    assert waiting["awaitingMySignature"] is False

    theirs = client.get(f"/v1/applications/{draft['id']}", headers=neighbour.headers).get_json()
    assert theirs["role"] == "co_applicant"
    assert theirs["awaitingMySignature"] is True
    listed = client.get("/v1/applications", headers=neighbour.headers).get_json()["applications"]
    assert [a["id"] for a in listed] == [draft["id"]]

    done = _sign(client, neighbour, draft["id"])

    signed = done["application"]
    assert signed["status"] == "submitted"
    assert signed["role"] == "co_applicant"
    assert signed["coApplicantSigned"] is True
    assert signed["awaitingMySignature"] is False
    assert world.applications.requests["Sign"][0].signature_id == done["signatureId"]
    # An older app that still co-signs with the signature gets the case as it is.
    again = client.post(
        f"/v1/applications/{draft['id']}/co-sign", json={"signatureId": done["signatureId"]}, headers=neighbour.headers
    )
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "submitted" and len(world.applications.requests["Sign"]) == 2


def test_the_applicants_signature_does_not_count_as_the_co_applicants(client, resident, neighbour, world):
    case_id = world.applications.add_case(
        resident.user_id, kind=MONTHLY, co_owner=neighbour.user_id, status="signature_pending"
    )
    # The applicant may not sign it again (they have); a signature of theirs is not the co-applicant's.
    again = client.post(f"/v1/applications/{case_id}/sign/start", json={}, headers=resident.headers)
    assert again.status_code == 409
    signature_id = "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"
    world.identity.signatures[signature_id] = {
        "user_id": resident.user_id,
        "reference": f"application:{case_id}:v1",
        "text_sha256": "",
    }

    answer = client.post(
        f"/v1/applications/{case_id}/co-sign", json={"signatureId": signature_id}, headers=neighbour.headers
    )

    assert answer.status_code == 400
    assert "signatureId" in answer.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [{}, {"signatureId": "x"}, {"signatureId": None}, {"signature": "x"}])
def test_bad_co_sign_bodies_are_400(client, neighbour, world, body):
    case_id = world.applications.add_case("resident-1", kind=MONTHLY, co_owner=neighbour.user_id)

    answer = client.post(f"/v1/applications/{case_id}/co-sign", json=body, headers=neighbour.headers)

    assert answer.status_code == 400
    assert world.applications.calls == []


@pytest.mark.parametrize("body", [{}, {"orderRef": ""}, {"orderRef": "a b"}, {"orderRef": 7}, {"orderRef": "x" * 101}])
def test_bad_collect_bodies_are_400_and_identity_is_not_asked(client, resident, world, body):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY)

    answer = client.post(f"/v1/applications/{case_id}/sign/collect", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert "orderRef" in answer.get_json()["error"]["fields"]
    assert "CollectSign" not in world.identity.calls


def test_a_bad_return_url_for_signing_is_400_and_nothing_starts(client, resident, world):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY)

    answer = client.post(
        f"/v1/applications/{case_id}/sign/start", json={"returnUrl": "not a url"}, headers=resident.headers
    )

    assert answer.status_code == 400
    assert world.identity.sign_requests == []
    assert world.applications.calls == []


# --- The case after submission ----------------------------------------------------------------
def _decided_case(world, owner: str) -> str:
    case_id = world.applications.add_case(
        owner,
        kind=MONTHLY,
        status="payment_scheduled",
        period="2027-01",
        version=9,
        answers={"period": "2027-01", "inkomster": json.dumps([{"slag": "lon", "belopp": "12000"}])},
        submitted_at=datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
        due_at=datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
        payment_date="2027-01-25",
        payment_amount=6480,
        applicant_signed=True,
        timeline=[
            apps_pb.TimelineEntry(
                at=datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
                status=apps_pb.APPLICATION_STATUS_SUBMITTED,
                text="Ansökan är skickad till kommunen.",
                text_en="The application was sent to the municipality.",
                actor="resident",
            ),
            apps_pb.TimelineEntry(
                at=datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
                status=apps_pb.APPLICATION_STATUS_DECIDED,
                text="Beslut är fattat.",
                text_en="A decision has been made.",
                actor="staff",
            ),
        ],
        calculation=apps_pb.Calculation(
            year=2027,
            lines=[
                apps_pb.CalculationLine(code="riksnorm", label="Riksnorm", label_en="National norm", amount=4000),
                apps_pb.CalculationLine(
                    code="boende",
                    label="Boende",
                    label_en="Housing",
                    amount=6000,
                    kind="cost",
                    adjusted=True,
                    original=7500,
                    reason="Skälig hyra i kommunen.",
                ),
            ],
            norm_total=4000,
            costs_total=6000,
            need_total=10000,
            income_total=3520,
            result=6480,
            caveat="Beräkningen följer riksnormen.",
        ),
        decision=apps_pb.Decision(
            outcome="partly_approved",
            outcome_text="Delvis beviljad",
            outcome_text_en="Partly approved",
            amount=6480,
            reasons="Hyran är högre än skäligt.",
            appeal="Du kan överklaga inom tre veckor.",
            appeal_en="You can appeal within three weeks.",
            decided_at=datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
            automatic=False,
        ),
        completion_requests=[
            apps_pb.CompletionRequestInfo(
                request_id="r-1",
                items=["Hyreskvitto för december"],
                message="Skicka hyreskvittot.",
                due_date="2026-12-17",
                answered=True,
                answer_text="Här är det.",
                answer_attachment_ids=["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"],
            )
        ],
    )
    world.applications.add_attachment(case_id, PDF, "hyra december.pdf")
    return case_id


def test_the_whole_case_is_shaped_for_the_app(client, resident, world):
    case_id = _decided_case(world, resident.user_id)

    answer = client.get(f"/v1/applications/{case_id}", headers=resident.headers)

    assert answer.status_code == 200
    case = answer.get_json()
    assert case["status"] == "payment_scheduled"
    assert case["statusText"] == "Beviljad – utbetalning planerad"
    assert case["statusTextEn"] == "Approved – payment scheduled"
    assert case["period"] == "2027-01"
    assert case["answers"]["inkomster"] == [{"slag": "lon", "belopp": "12000"}]
    assert case["timeline"] == [
        {
            "at": "2026-12-10T09:00:00+00:00",
            "status": "submitted",
            "text": "Ansökan är skickad till kommunen.",
            "textEn": "The application was sent to the municipality.",
            "actor": "resident",
        },
        {
            "at": "2026-12-10T15:00:00+00:00",
            "status": "decided",
            "text": "Beslut är fattat.",
            "textEn": "A decision has been made.",
            "actor": "staff",
        },
    ]
    calculation = case["calculation"]
    assert calculation["result"] == 6480
    assert calculation["caveat"] == "Beräkningen följer riksnormen."
    assert calculation["lines"][1] == {
        "code": "boende",
        "label": "Boende",
        "labelEn": "Housing",
        "amount": 6000,
        "kind": "cost",
        "estimated": False,
        "note": "",
        "adjusted": True,
        "original": 7500,
        "reason": "Skälig hyra i kommunen.",
    }
    assert case["decision"] == {
        "outcome": "partly_approved",
        "outcomeText": "Delvis beviljad",
        "outcomeTextEn": "Partly approved",
        "amount": 6480,
        "reasons": "Hyran är högre än skäligt.",
        "appeal": "Du kan överklaga inom tre veckor.",
        "appealEn": "You can appeal within three weeks.",
        "decidedAt": "2026-12-10T15:00:00+00:00",
        "automatic": False,
    }
    assert case["completionRequests"] == [
        {
            "id": "r-1",
            "items": ["Hyreskvitto för december"],
            "message": "Skicka hyreskvittot.",
            "dueDate": "2026-12-17",
            "randomCheck": False,
            "answered": True,
            "answerText": "Här är det.",
            "answerAttachmentIds": ["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"],
            "openForResident": False,
            "overdue": False,
        }
    ]
    [attachment] = case["attachments"]
    assert attachment["filename"] == "hyra december.pdf"
    assert attachment["contentType"] == "application/pdf"
    assert attachment["size"] == len(PDF)
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attachment["uploadedAt"]
    assert case["paymentDate"] == "2027-01-25"
    assert case["paymentAmount"] == 6480
    assert case["dueAt"] == "2026-12-11T09:00:00+00:00"
    assert case["submittedAt"] == "2026-12-10T09:00:00+00:00"
    assert case["role"] == "applicant"
    assert case["awaitingMySignature"] is False
    assert case["applicantSigned"] is True
    assert case["coApplicantSigned"] is False
    assert {"nextAction", "nextActionEn", "formVersion", "paidAt", "createdAt"} <= set(case)
    assert "applicantId" not in case and "coApplicantId" not in case  # other people's ids stay inside


def test_a_draft_has_no_decision_calculation_or_payment(client, resident, world):
    case = _draft(client, resident)

    assert case["decision"] is None
    assert case["calculation"] is None
    assert case["paymentDate"] is None
    assert case["paymentAmount"] is None
    assert case["dueAt"] is None
    assert case["timeline"] == []


def test_the_list_stays_small(client, resident, world):
    _decided_case(world, resident.user_id)

    [listed] = client.get("/v1/applications", headers=resident.headers).get_json()["applications"]

    assert set(listed) == {"id", "kind", "title", "status", "statusText", "submittedAt", "version"}


# --- Completion and withdrawal -----------------------------------------------------------------
def _waiting_for_completion(world, owner: str) -> str:
    return world.applications.add_case(
        owner,
        kind=MONTHLY,
        status="completion_requested",
        completion_requests=[
            apps_pb.CompletionRequestInfo(request_id="r-1", items=["Kontoutdrag"], due_date="2026-12-17")
        ],
    )


def test_a_completion_with_text_and_attachments(client, resident, world):
    case_id = _waiting_for_completion(world, resident.user_id)
    statement = _upload(client, resident, case_id, name="kontoutdrag.pdf")

    answer = client.post(
        f"/v1/applications/{case_id}/completion",
        json={"text": "Här är kontoutdraget.", "attachmentIds": [statement["id"]]},
        headers=resident.headers,
    )

    assert answer.status_code == 200, answer.get_json()
    case = answer.get_json()
    assert case["status"] == "completion_submitted"
    assert case["completionRequests"][0]["answered"] is True
    assert case["completionRequests"][0]["answerAttachmentIds"] == [statement["id"]]
    [sent] = world.applications.requests["SubmitCompletion"]
    assert (sent.text, list(sent.attachment_ids)) == ("Här är kontoutdraget.", [statement["id"]])


def test_a_completion_with_only_a_text(client, resident, world):
    case_id = _waiting_for_completion(world, resident.user_id)

    answer = client.post(
        f"/v1/applications/{case_id}/completion", json={"text": "Jag har inget konto."}, headers=resident.headers
    )

    assert answer.status_code == 200
    assert list(world.applications.requests["SubmitCompletion"][0].attachment_ids) == []


def test_a_completion_naming_an_unknown_attachment_is_400_from_the_service(client, resident, world):
    case_id = _waiting_for_completion(world, resident.user_id)

    answer = client.post(
        f"/v1/applications/{case_id}/completion",
        json={"attachmentIds": ["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"]},
        headers=resident.headers,
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "attachmentIds": "Bilagan hör inte till den här ansökan. Ladda upp den igen."
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"text": 5}, "text"),
        ({"attachmentIds": ["nope"]}, "attachmentIds[0]"),
        ({"attachmentIds": "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"}, "attachmentIds"),
        ({"attachmentIds": ["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"] * 41}, "attachmentIds"),
        ({"text": "Hej", "files": []}, "files"),
    ],
)
def test_bad_completions_are_400_and_the_service_is_not_asked(client, resident, world, body, field):
    case_id = _waiting_for_completion(world, resident.user_id)

    answer = client.post(f"/v1/applications/{case_id}/completion", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert world.applications.calls == []


def test_withdraw_with_and_without_a_reason(client, resident, world):
    first = world.applications.add_case(resident.user_id, kind=MONTHLY, status="submitted")
    second = world.applications.add_case(resident.user_id, kind=MONTHLY, status="submitted")

    with_reason = client.post(
        f"/v1/applications/{first}/withdraw", json={"reason": "Jag har fått jobb."}, headers=resident.headers
    )
    without_body = client.post(f"/v1/applications/{second}/withdraw", headers=resident.headers)

    assert with_reason.status_code == without_body.status_code == 200
    assert with_reason.get_json()["status"] == "withdrawn"
    assert with_reason.get_json()["timeline"][-1]["text"] == "Ansökan är återtagen. Skäl: Jag har fått jobb."
    assert [r.reason for r in world.applications.requests["Withdraw"]] == ["Jag har fått jobb.", ""]


def test_a_decided_case_cannot_be_withdrawn(client, resident, world):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY, status="decided")

    answer = client.post(f"/v1/applications/{case_id}/withdraw", json={}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "Ansökan kan inte tas tillbaka nu."


@pytest.mark.parametrize("body", [{"reason": "x" * 301}, {"reason": 3}, {"why": "x"}])
def test_bad_withdrawals_are_400(client, resident, world, body):
    case_id = world.applications.add_case(resident.user_id, kind=MONTHLY, status="submitted")

    answer = client.post(f"/v1/applications/{case_id}/withdraw", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert world.applications.cases[case_id]["status"] == "submitted"


def test_answers_personnummer_and_tokens_are_never_logged(client, resident, world):
    with captured_logs() as stream:
        draft = _draft(client, resident)
        _upload(client, resident, draft["id"], name=f"lönebesked {PARTNER_NUMBER}.pdf")
        _save(
            client,
            resident,
            draft["id"],
            {"partner_personnummer": PARTNER_NUMBER, "ovrigt": "Hemlig anteckning"},
            draft["version"],
        )
        _save(client, resident, draft["id"], {"partner_personnummer": PARTNER_NUMBER, "x": [1.5]}, 0)
        _sign(client, resident, draft["id"])

    logged = stream.getvalue()
    assert "attachment uploaded" in logged and "bankid signing started" in logged
    assert PARTNER_NUMBER not in logged
    assert "Hemlig anteckning" not in logged
    assert resident.token not in logged
    assert resident.token.split(".")[2] not in logged
