"""GET /v1/applications/<id>/copy.pdf gives the copy of what was sent as a PDF file (made by the
applications service), only once the case is sent and only to its residents; the case tells the
app where it is (copyUrl), who handles it and the next step's date."""

from __future__ import annotations

MONTHLY = "eb_lopande"


def test_the_copy_of_a_sent_case_downloads_as_a_pdf(client, resident, neighbour, world) -> None:  # type: ignore[no-untyped-def]
    case_id = world.applications.submitted(resident).id
    case = client.get(f"/v1/applications/{case_id}", headers=resident.headers).get_json()
    assert case["copyUrl"] == f"/v1/applications/{case_id}/copy.pdf"
    assert set(case["handledBy"]) == {"caseWorkerName", "unitName", "unitNameEn", "contactTopic"}
    assert "nextStepDate" in case

    answer = client.get(case["copyUrl"], headers=resident.headers)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="ansokan-')
    assert answer.headers["Cache-Control"] == "no-store" and answer.data.startswith(b"%PDF")
    assert client.get(case["copyUrl"], headers=neighbour.headers).status_code == 403
    assert client.get(case["copyUrl"]).status_code == 401


def test_a_draft_has_no_copy_yet(client, resident, world) -> None:  # type: ignore[no-untyped-def]
    case_id = world.applications.draft(resident, MONTHLY).id
    case = client.get(f"/v1/applications/{case_id}", headers=resident.headers).get_json()
    assert case["copyUrl"] is None and case["handledBy"] is None
    answer = client.get(f"/v1/applications/{case_id}/copy.pdf", headers=resident.headers)
    assert answer.status_code == 409 and "inte skickad" in answer.get_json()["error"]["message"]
