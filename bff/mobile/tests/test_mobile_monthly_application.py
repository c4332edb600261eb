"""The monthly application for ekonomiskt bistånd from the phone: a draft for a period, answers with
repeating groups and files, the signing text signed with BankID (the applications service runs the
signing against identity and its BankID simulator, and submits the case or records the
co-applicant's signature), then the case with its timeline, calculation and decision; completion and
withdrawal. All on the real services (conftest.py); the service's day is applications.testing.TODAY
(25 November 2026), when the application for December 2026 is open."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from conftest import NILS, asked, stored

from applications.signing import COMPLETE, FAILED
from applications.store import SigningOrder
from applications.testing import MONTHLY
from bff_mobile.schemas.common import MAX_ANSWER_LENGTH
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_common.testing import captured_logs

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PARTNER_NUMBER = "199001019802"
OPEN = "2026-12"  # the period open on the service's day
WORKER = ("198501012382", "Karin Handläggare")
# What the monthly form needs before it can be signed (no changes, no incomes).
COMPLETE_ANSWERS = {"nagot_andrat": "nej", "hyra": 7200, "har_inkomster": "nej", "sanningsforsakran": "ja"}


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


def _ready(client, who, answers: dict | None = None) -> dict:
    """A monthly draft answered in full (ready to be signed), as the app shows it."""
    draft = _draft(client, who)
    saved = _save(client, who, draft["id"], {**COMPLETE_ANSWERS, **(answers or {})}, draft["version"])
    assert saved.status_code == 200, saved.get_json()
    return saved.get_json()


def _start(client, who, case_id: str) -> str:
    started = client.post(f"/v1/applications/{case_id}/sign/start", json={}, headers=who.headers)
    assert started.status_code == 200, started.get_json()
    return started.get_json()["orderRef"]


def _sign(client, who, case_id: str) -> dict:
    """BankID signing through the BFF: start, collect (pending: the simulator's app has the order and
    the person is signing), collect (complete, with the case)."""
    order_ref = _start(client, who, case_id)
    path = f"/v1/applications/{case_id}/sign/collect"
    pending = client.post(path, json={"orderRef": order_ref}, headers=who.headers)
    assert pending.get_json()["status"] == "pending", pending.get_json()
    done = client.post(path, json={"orderRef": order_ref}, headers=who.headers)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "complete"
    return done.get_json()


def _worker(world):
    return world.identity.log_in_staff(*WORKER, ["case_worker"], "ekonomiskt-bistand", device="web")


def test_a_draft_for_a_period(client, resident, world):
    draft = _draft(client, resident, period=OPEN)

    assert draft["kind"] == MONTHLY
    assert draft["period"] == OPEN
    assert draft["answers"] == {"period": OPEN}
    assert draft["role"] == "applicant"
    assert draft["nextAction"] == "Fyll i ansökan och skicka den."
    assert draft["nextActionEn"] == "Fill in the application and send it."
    assert draft["statusTextEn"] == "Draft – not sent yet"
    [sent] = asked(world, "applications", "CreateDraft")
    assert (sent.kind, sent.period) == (MONTHLY, OPEN)
    assert stored(world, draft["id"]).period == OPEN


def test_without_a_period_the_service_picks_the_open_one(client, resident, world):
    draft = _draft(client, resident)

    assert asked(world, "applications", "CreateDraft")[0].period == ""
    assert draft["period"] == OPEN


def test_a_closed_period_is_409_with_the_services_words(client, resident, world):
    answer = client.post("/v1/applications", json={"kind": MONTHLY, "period": "2020-01"}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"].startswith("Ansökan för januari 2020 är inte öppen")


@pytest.mark.parametrize("period", ["2027-13", "januari", 202701, ""])
def test_a_bad_period_in_a_new_draft_is_400(client, resident, world, period):
    answer = client.post("/v1/applications", json={"kind": MONTHLY, "period": period}, headers=resident.headers)

    assert answer.status_code == 400
    assert "period" in answer.get_json()["error"]["fields"]
    assert asked(world, "applications", "CreateDraft") == []


def test_groups_and_files_travel_as_json_and_come_back_as_lists(client, resident, world):
    draft = _draft(client, resident)
    receipt = _upload(client, resident, draft["id"])
    answers = {
        "har_inkomster": "ja",
        "inkomster": [{"slag": "lon", "vem": "jag", "belopp": 12000}, {"slag": "studiemedel", "belopp": "3000"}],
        "kvitton": [receipt["id"].upper()],
        "nagot_andrat": "ja",
        "forandring_beskrivning": "[inget]",
    }

    saved = _save(client, resident, draft["id"], answers, draft["version"])

    assert saved.status_code == 200, saved.get_json()
    [sent] = asked(world, "applications", "SaveAnswers")
    assert json.loads(sent.answers["inkomster"]) == [
        {"slag": "lon", "vem": "jag", "belopp": "12000"},
        {"slag": "studiemedel", "belopp": "3000"},
    ]
    assert json.loads(sent.answers["kvitton"]) == [receipt["id"]]  # canonical (lower-case) ids
    assert sent.answers["forandring_beskrivning"] == "[inget]"
    body = saved.get_json()
    assert body["answers"]["inkomster"] == [
        {"slag": "lon", "vem": "jag", "belopp": "12000"},
        {"slag": "studiemedel", "belopp": "3000"},
    ]
    assert body["answers"]["kvitton"] == [receipt["id"]]
    assert body["answers"]["forandring_beskrivning"] == "[inget]"  # text that only looks like JSON stays text
    assert body["answers"]["period"] == OPEN
    again = client.get(f"/v1/applications/{draft['id']}", headers=resident.headers).get_json()
    assert again["answers"] == body["answers"]
    assert again["attachments"] == [receipt]


def test_an_empty_list_clears_a_group(client, resident, world):
    draft = _draft(client, resident)
    first = _save(client, resident, draft["id"], {"har_inkomster": "ja", "inkomster": [{"slag": "lon"}]}, 1)
    assert first.status_code == 200, first.get_json()

    saved = _save(client, resident, draft["id"], {"inkomster": []}, first.get_json()["version"])

    assert saved.status_code == 200, saved.get_json()
    assert asked(world, "applications", "SaveAnswers")[1].answers["inkomster"] == "[]"
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
    assert "kvitton" not in stored(world, draft["id"]).answers


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
    case_id = world.applications.draft(resident, MONTHLY).id

    answer = _save(client, resident, case_id, answers, 1)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"][field] == message
    assert asked(world, "applications", "SaveAnswers") == []


def test_a_stale_version_from_another_device_is_409_and_saves_nothing(client, resident, world):
    draft = _draft(client, resident)
    saved = _save(client, resident, draft["id"], {"nagot_andrat": "nej"}, draft["version"])
    assert saved.status_code == 200

    stale = _save(client, resident, draft["id"], {"hyra": 7200}, draft["version"])

    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["message"] == "Ansökan har ändrats på en annan enhet. Ladda om sidan för att se de senaste svaren."
    assert "hyra" not in stored(world, draft["id"]).answers


def test_the_signing_text_is_the_services(client, resident, world):
    draft = _ready(client, resident)

    answer = client.get(f"/v1/applications/{draft['id']}/signing-text", headers=resident.headers)

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["text"].startswith("# Ansökan om ekonomiskt bistånd för en månad för december 2026")
    assert body["version"] == draft["version"]
    assert body["reference"] == f"application:{draft['id']}:v{draft['version']}"


def test_an_unfinished_draft_has_no_signing_text_and_no_signing_starts(client, resident, world):
    draft = _draft(client, resident)
    _save(client, resident, draft["id"], {"nagot_andrat": "nej"}, draft["version"])

    text = client.get(f"/v1/applications/{draft['id']}/signing-text", headers=resident.headers)
    start = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers)

    for answer in (text, start):
        assert answer.status_code == 400
        error = answer.get_json()["error"]
        assert error["message"] == "Ansökan är inte färdig. Svara på frågorna som saknas."
        # the missing answers, named under answers. as saving and submitting name them
        assert set(error["fields"]) == {"answers.hyra", "answers.har_inkomster", "answers.sanningsforsakran"}
        assert error["fields"]["answers.hyra"].startswith("Svara på frågan: Hyra")
    assert "StartSign" not in world.spies["identity"].names()
    assert world.identity.simulator.pending_orders() == []


def test_signing_starts_identitys_bankid_order_with_the_signing_text(client, resident, world):
    draft = _ready(client, resident)
    text = client.get(f"/v1/applications/{draft['id']}/signing-text", headers=resident.headers).get_json()

    started = client.post(
        f"/v1/applications/{draft['id']}/sign/start", json={"returnUrl": "fickan://signed"}, headers=resident.headers
    )

    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert set(body) == {"orderRef", "autoStartToken", "autoStartUrl", "qrData", "version"}
    assert body["autoStartUrl"] == f"bankid:///?autostarttoken={body['autoStartToken']}&redirect=fickan%3A%2F%2Fsigned"
    assert body["qrData"].startswith("bankid.")  # BankID's animated QR content, made by identity
    assert body["version"] == draft["version"]
    [sent] = asked(world, "identity", "StartSign")  # asked by the applications service, for Tove
    assert sent.user_visible_data == text["text"]
    assert sent.reference == text["reference"]
    assert sent.device == identity_pb.DEVICE_MOBILE
    assert sent.end_user_ip == "127.0.0.1"
    assert sent.return_url == "fickan://signed"
    assert world.identity.simulator.pending_orders()[0]["kind"] == "sign"


def test_signing_can_start_without_a_body(client, resident, world):
    draft = _ready(client, resident)

    started = client.post(f"/v1/applications/{draft['id']}/sign/start", headers=resident.headers)

    assert started.status_code == 200
    assert started.get_json()["autoStartUrl"].endswith("&redirect=null")


def test_collect_is_pending_then_complete_with_the_submitted_case(client, resident, world):
    draft = _ready(client, resident)
    order_ref = _start(client, resident, draft["id"])
    path = f"/v1/applications/{draft['id']}/sign/collect"

    pending = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()
    done = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()

    # The simulator's app opens an order for the person's own number at once: they are signing.
    assert pending["status"] == "pending"
    assert pending["hintCode"] == "userSign"
    assert pending["message"] and pending["messageEn"]
    assert pending["qrData"].startswith("bankid.")
    assert (pending["signatureId"], pending["application"]) == (None, None)
    assert done["status"] == "complete"
    assert (done["message"], done["messageEn"]) == ("Du har skrivit under.", "You have signed.")
    assert done["qrData"] is None
    assert done["signatureId"] == stored(world, draft["id"]).applicant_signature_id
    # the application is received by the unit at once after it is sent
    assert done["application"]["status"] == "received" and done["application"]["applicantSigned"] is True
    # Polled again (a lost answer, a second tap): the same case, sent once.
    again = client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()
    assert again["status"] == "complete" and again["application"] == done["application"]
    assert [e["status"] for e in again["application"]["timeline"]].count("submitted") == 1


def test_an_order_that_signed_another_case_is_409(client, resident, world):
    first = _ready(client, resident)
    second = world.applications.draft(resident).id  # the first application, also signed with BankID
    order_ref = _start(client, resident, first["id"])

    answer = client.post(
        f"/v1/applications/{second}/sign/collect", json={"orderRef": order_ref}, headers=resident.headers
    )

    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == "Underskriften gäller en annan ansökan. Börja om underskriften."
    assert stored(world, first["id"]).status == "draft"


def test_a_signing_can_be_cancelled(client, resident, world):
    draft = _ready(client, resident)
    order_ref = _start(client, resident, draft["id"])

    answer = client.post(
        f"/v1/applications/{draft['id']}/sign/cancel", json={"orderRef": order_ref}, headers=resident.headers
    )

    assert answer.status_code == 204
    assert world.identity.simulator.pending_orders() == []  # BankID's order is cancelled
    with world.applications.db.read() as session:
        assert session.get(SigningOrder, order_ref).status == FAILED
    after = client.post(
        f"/v1/applications/{draft['id']}/sign/collect", json={"orderRef": order_ref}, headers=resident.headers
    )
    assert after.get_json()["status"] == "failed"
    assert stored(world, draft["id"]).status == "draft"


def test_someone_elses_signing_order_is_not_found(client, resident, neighbour, world):
    draft = _ready(client, resident)
    order_ref = _start(client, resident, draft["id"])

    answer = client.post(
        f"/v1/applications/{draft['id']}/sign/collect", json={"orderRef": order_ref}, headers=neighbour.headers
    )

    assert answer.status_code == 404
    assert stored(world, draft["id"]).status == "draft"


def test_signing_alone_submits_the_case(client, resident, world):
    draft = _ready(client, resident)
    done = _sign(client, resident, draft["id"])

    case = done["application"]
    assert case["status"] == "received"  # sent, and received by the unit in the same step
    assert case["applicantSigned"] is True
    assert case["dueAt"]
    submitted = [e for e in case["timeline"] if e["status"] == "submitted"]
    assert [e["text"] for e in submitted] == ["Ansökan är skickad till kommunen."]
    row = stored(world, draft["id"])
    assert (row.applicant_signature_id, row.submitted["form_kind"]) == (done["signatureId"], MONTHLY)
    with world.applications.db.read() as session:
        order = session.get(SigningOrder, asked(world, "applications", "CollectSigning")[0].order_ref)
        assert (order.status, order.version) == (COMPLETE, draft["version"])
    assert asked(world, "applications", "Submit") == []  # the service submitted it itself


def test_an_older_app_that_still_submits_with_the_signature_gets_the_case(client, resident, world):
    draft = _ready(client, resident)
    done = _sign(client, resident, draft["id"])

    submitted = client.post(
        f"/v1/applications/{draft['id']}/submit",
        json={"version": draft["version"], "signatureId": done["signatureId"]},
        headers=resident.headers,
    )

    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "received"
    assert [e["status"] for e in submitted.get_json()["timeline"]].count("submitted") == 1


def test_submitting_without_a_signature_is_400_on_signature_id(client, resident, world):
    draft = _ready(client, resident)

    answer = client.post(
        f"/v1/applications/{draft['id']}/submit", json={"version": draft["version"]}, headers=resident.headers
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "signatureId": "Skriv under ansökan med BankID innan du skickar den."
    }
    assert stored(world, draft["id"]).status == "draft"


def test_a_case_changed_while_signing_is_409_and_not_submitted(client, resident, world):
    draft = _ready(client, resident)
    order_ref = _start(client, resident, draft["id"])
    path = f"/v1/applications/{draft['id']}/sign/collect"
    assert client.post(path, json={"orderRef": order_ref}, headers=resident.headers).get_json()["status"] == "pending"
    saved = _save(client, resident, draft["id"], {"hyra": 7300}, draft["version"]).get_json()

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
    case_id = world.applications.draft(resident, MONTHLY).id

    answer = client.post(f"/v1/applications/{case_id}/submit", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert asked(world, "applications", "Submit") == []


# Naming the partner's personnummer makes Nils the co-applicant (identity resolves the number).
WITH_NILS = {
    "nagot_andrat": "ja",
    "forandring_beskrivning": "Nils har flyttat in.",
    "har_partner": "ja",
    "partner_personnummer": NILS,
}


def test_with_a_co_applicant_the_case_waits_for_their_signature(client, resident, neighbour, world):
    draft = _ready(
        client,
        resident,
        WITH_NILS,
    )
    assert stored(world, draft["id"]).co_applicant_id == neighbour.user_id
    assert NILS not in json.dumps(draft["answers"])  # kept masked only

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
    assert signed["status"] == "received"
    assert signed["role"] == "co_applicant"
    assert signed["coApplicantSigned"] is True
    assert signed["awaitingMySignature"] is False
    assert stored(world, draft["id"]).co_applicant_signature_id == done["signatureId"]
    # An older app that still co-signs with the signature gets the case as it is.
    again = client.post(
        f"/v1/applications/{draft['id']}/co-sign", json={"signatureId": done["signatureId"]}, headers=neighbour.headers
    )
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "received"
    assert len(asked(world, "applications", "Sign")) == 1
    assert [e["status"] for e in again.get_json()["timeline"]].count("submitted") == 1


def test_the_applicants_signature_does_not_count_as_the_co_applicants(client, resident, neighbour, world):
    draft = _ready(
        client,
        resident,
        WITH_NILS,
    )
    mine = _sign(client, resident, draft["id"])
    assert mine["application"]["status"] == "signature_pending"
    # The applicant may not sign it again (they have); a signature of theirs is not the co-applicant's.
    again = client.post(f"/v1/applications/{draft['id']}/sign/start", json={}, headers=resident.headers)
    assert again.status_code == 409

    answer = client.post(
        f"/v1/applications/{draft['id']}/co-sign", json={"signatureId": mine["signatureId"]}, headers=neighbour.headers
    )

    # identity knows no signature of the co-applicant's by that id: not found (the fake said 400)
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    assert stored(world, draft["id"]).status == "signature_pending"
    assert stored(world, draft["id"]).co_applicant_signature_id is None


@pytest.mark.parametrize("body", [{}, {"signatureId": "x"}, {"signatureId": None}, {"signature": "x"}])
def test_bad_co_sign_bodies_are_400(client, neighbour, world, body):
    case_id = world.applications.draft(neighbour, MONTHLY).id

    answer = client.post(f"/v1/applications/{case_id}/co-sign", json=body, headers=neighbour.headers)

    assert answer.status_code == 400
    assert world.spies["applications"].names() == []


@pytest.mark.parametrize("body", [{}, {"orderRef": ""}, {"orderRef": "a b"}, {"orderRef": 7}, {"orderRef": "x" * 101}])
def test_bad_collect_bodies_are_400_and_identity_is_not_asked(client, resident, world, body):
    case_id = world.applications.draft(resident, MONTHLY).id

    answer = client.post(f"/v1/applications/{case_id}/sign/collect", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert "orderRef" in answer.get_json()["error"]["fields"]
    assert world.spies["applications"].names() == []
    assert "CollectSign" not in world.spies["identity"].names()


def test_a_bad_return_url_for_signing_is_400_and_nothing_starts(client, resident, world):
    case_id = world.applications.draft(resident, MONTHLY).id

    answer = client.post(
        f"/v1/applications/{case_id}/sign/start", json={"returnUrl": "not a url"}, headers=resident.headers
    )

    assert answer.status_code == 400
    assert "StartSign" not in world.spies["identity"].names()
    assert world.spies["applications"].names() == []
    assert world.identity.simulator.pending_orders() == []


# --- The case after submission ----------------------------------------------------------------
def _decided_case(world, person) -> str:
    """A case of `person` sent, partly approved by a case worker with a payment planned (the
    service's own use cases: the first application, with its papers)."""
    worker = _worker(world)
    app = world.applications.decided(person, worker, "partly_approved", 3000, "Hyran är högre än skäligt.")
    staff = world.identity.principal(worker)
    return world.applications.casework.schedule_payment(staff, app.id, expected_version=app.version).id


def test_the_whole_case_is_shaped_for_the_app(client, resident, world):
    from applications.testing import PDF as PAPER

    case_id = _decided_case(world, resident)
    row = stored(world, case_id)

    answer = client.get(f"/v1/applications/{case_id}", headers=resident.headers)

    assert answer.status_code == 200
    case = answer.get_json()
    assert case["status"] == "payment_scheduled"
    assert case["statusText"] == "Beviljad – utbetalning planerad"
    assert case["statusTextEn"] == "Approved – payment scheduled"
    assert case["answers"]["inkomster"] == [{"slag": "barnbidrag", "vem": "jag", "belopp": "1250"}]
    statuses = [e["status"] for e in case["timeline"]]
    assert statuses[0] == "submitted" and statuses[-1] == "payment_scheduled" and "decided" in statuses
    assert case["timeline"][0]["text"] == "Ansökan är skickad till kommunen."
    assert case["timeline"][0]["actor"] == "resident"
    assert set(case["timeline"][0]) == {"at", "status", "text", "textEn", "actor"}
    assert case["timeline"][0]["at"].endswith("+00:00")
    calculation = case["calculation"]
    assert calculation["result"] == row.calculation["result"]
    assert calculation["caveat"]
    assert set(calculation["lines"][0]) == {
        "code", "label", "labelEn", "amount", "kind", "estimated", "note", "adjusted", "original", "reason"
    }  # fmt: skip
    decision = case["decision"]
    assert set(decision) == {
        "outcome", "outcomeText", "outcomeTextEn", "amount", "reasons", "appeal", "appealEn", "decidedAt", "automatic"
    }  # fmt: skip
    assert (decision["outcome"], decision["amount"]) == ("partly_approved", 3000)
    assert decision["reasons"] == "Hyran är högre än skäligt."
    assert decision["automatic"] is False
    assert decision["appeal"] and decision["appealEn"]
    assert case["completionRequests"] == []
    assert len(case["attachments"]) == 3  # the papers the first application asks for
    attachment = case["attachments"][0]
    assert attachment["filename"] == "kontoutdrag.pdf"
    assert attachment["contentType"] == "application/pdf"
    assert attachment["size"] == len(PAPER)
    assert attachment["sha256"] == hashlib.sha256(PAPER).hexdigest()
    assert attachment["uploadedAt"]
    assert case["paymentDate"] == row.payment_date.isoformat()
    assert case["paymentAmount"] == row.payment_amount
    assert case["dueAt"] and case["submittedAt"]
    assert case["role"] == "applicant"
    assert case["awaitingMySignature"] is False
    assert case["applicantSigned"] is True
    assert case["coApplicantSigned"] is False
    assert {"nextAction", "nextActionEn", "formVersion", "paidAt", "createdAt"} <= set(case)
    assert "applicantId" not in case and "coApplicantId" not in case  # other people's ids stay inside
    assert resident.user_id not in answer.get_data(as_text=True)


def test_a_draft_has_no_decision_or_payment_and_a_preliminary_calculation(client, resident, world):
    case = _draft(client, resident)

    assert case["decision"] is None
    assert case["paymentDate"] is None
    assert case["paymentAmount"] is None
    assert case["dueAt"] is None
    assert case["timeline"] == []
    # The service works out a preliminary calculation of the draft's answers (riksnormen for one adult).
    calculation = case["calculation"]
    assert {line["kind"] for line in calculation["lines"]} == {"norm"}
    assert calculation["result"] == calculation["needTotal"] - calculation["incomeTotal"] > 0


def test_the_list_stays_small(client, resident, world):
    _decided_case(world, resident)

    [listed] = client.get("/v1/applications", headers=resident.headers).get_json()["applications"]

    assert set(listed) == {"id", "kind", "title", "status", "statusText", "submittedAt", "version"}


# --- Completion and withdrawal -----------------------------------------------------------------
def _waiting_for_completion(world, person) -> str:
    return world.applications.completion_requested(person, _worker(world), items=("Kontoutdrag",)).id


def test_a_completion_with_text_and_attachments(client, resident, world):
    case_id = _waiting_for_completion(world, resident)
    statement = _upload(client, resident, case_id, name="kontoutdrag.pdf")

    answer = client.post(
        f"/v1/applications/{case_id}/completion",
        json={"text": "Här är kontoutdraget.", "attachmentIds": [statement["id"]]},
        headers=resident.headers,
    )

    assert answer.status_code == 200, answer.get_json()
    case = answer.get_json()
    assert case["status"] == "completion_submitted"
    assert case["completionRequests"][0]["items"] == ["Kontoutdrag"]
    assert case["completionRequests"][0]["answered"] is True
    assert case["completionRequests"][0]["answerText"] == "Här är kontoutdraget."
    assert case["completionRequests"][0]["answerAttachmentIds"] == [statement["id"]]
    [asked_for] = case["completionRequests"]
    assert asked_for == {
        "id": asked_for["id"],
        "items": ["Kontoutdrag"],
        "message": "",
        "dueDate": "2026-12-02",  # a week after the service's day
        "randomCheck": False,
        "answered": True,
        "answerText": "Här är kontoutdraget.",
        "answerAttachmentIds": [statement["id"]],
        "openForResident": True,  # more may be added to the answer until the due date
        "overdue": False,
    }
    [sent] = asked(world, "applications", "SubmitCompletion")
    assert (sent.text, list(sent.attachment_ids)) == ("Här är kontoutdraget.", [statement["id"]])


def test_a_completion_with_only_a_text(client, resident, world):
    case_id = _waiting_for_completion(world, resident)

    answer = client.post(
        f"/v1/applications/{case_id}/completion", json={"text": "Jag har inget konto."}, headers=resident.headers
    )

    assert answer.status_code == 200, answer.get_json()
    assert list(asked(world, "applications", "SubmitCompletion")[0].attachment_ids) == []
    assert answer.get_json()["status"] == "completion_submitted"


def test_a_completion_naming_an_unknown_attachment_is_400_from_the_service(client, resident, world):
    case_id = _waiting_for_completion(world, resident)

    answer = client.post(
        f"/v1/applications/{case_id}/completion",
        json={"attachmentIds": ["6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"]},
        headers=resident.headers,
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {
        "attachmentIds": "Bilagan hör inte till den här ansökan. Ladda upp den igen."
    }
    assert stored(world, case_id).status == "completion_requested"


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
    case_id = _waiting_for_completion(world, resident)

    answer = client.post(f"/v1/applications/{case_id}/completion", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert world.spies["applications"].names() == []


def test_withdraw_with_and_without_a_reason(client, resident, world):
    first = world.applications.submitted(resident).id
    second = world.applications.submitted(resident).id

    with_reason = client.post(
        f"/v1/applications/{first}/withdraw", json={"reason": "Jag har fått jobb."}, headers=resident.headers
    )
    without_body = client.post(f"/v1/applications/{second}/withdraw", headers=resident.headers)

    assert with_reason.status_code == without_body.status_code == 200
    assert with_reason.get_json()["status"] == "withdrawn"
    assert with_reason.get_json()["timeline"][-1]["text"] == "Ansökan är återtagen. Skäl: Jag har fått jobb."
    assert without_body.get_json()["timeline"][-1]["text"] == "Ansökan är återtagen."
    assert [r.reason for r in asked(world, "applications", "Withdraw")] == ["Jag har fått jobb.", ""]


def test_a_decided_case_cannot_be_withdrawn(client, resident, world):
    case_id = world.applications.decided(resident, _worker(world)).id

    answer = client.post(f"/v1/applications/{case_id}/withdraw", json={}, headers=resident.headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "Ansökan kan inte återtas när beslut är fattat."
    assert stored(world, case_id).status == "decided"


@pytest.mark.parametrize("body", [{"reason": "x" * 301}, {"reason": 3}, {"why": "x"}])
def test_bad_withdrawals_are_400(client, resident, world, body):
    case_id = world.applications.submitted(resident).id

    answer = client.post(f"/v1/applications/{case_id}/withdraw", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert stored(world, case_id).status == "received"
    assert asked(world, "applications", "Withdraw") == []


def test_answers_personnummer_and_tokens_are_never_logged(client, resident, world):
    with captured_logs() as stream:
        draft = _draft(client, resident)
        _upload(client, resident, draft["id"], name=f"lönebesked {PARTNER_NUMBER}.pdf")
        _save(
            client,
            resident,
            draft["id"],
            {"partner_personnummer": PARTNER_NUMBER, "forandring_beskrivning": "Hemlig anteckning"},
            draft["version"],
        )
        _save(client, resident, draft["id"], {"partner_personnummer": PARTNER_NUMBER, "x": [1.5]}, 0)
        ready = _save(client, resident, draft["id"], COMPLETE_ANSWERS, stored(world, draft["id"]).version)
        assert ready.status_code == 200, ready.get_json()
        _sign(client, resident, draft["id"])

    logged = stream.getvalue()
    assert "attachment uploaded" in logged and "bankid signing started" in logged
    assert PARTNER_NUMBER not in logged
    assert "Hemlig anteckning" not in logged
    assert resident.token not in logged
    assert resident.token.split(".")[2] not in logged
