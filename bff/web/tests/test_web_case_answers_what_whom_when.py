"""The case page answers a resident's three questions, over gRPC (applications a test double,
contact the real service): what happens now and when, who handles the case with a way to write
about it (the question form then carries the case), and what was sent, with the copy to download
(a file, never shown inline) for the case's own residents only."""

from __future__ import annotations

from conftest import PNR_ANNA, Platform, login, page
from flask.testing import FlaskClient
from web_fakes import StoredApplication, _now, fake_platform, on_fakes, user_id_for  # noqa: F401 - not moved yet

CASE = "6f1c1c1e-0000-4000-8000-00000000c0de"


def sent_case(platform: Platform, worker: str = "") -> StoredApplication:
    case = StoredApplication(application_id=CASE, owner=user_id_for(PNR_ANNA), status="submitted")
    case.submitted_at, case.case_worker_name = _now(), worker
    platform.applications.apps[CASE] = case
    return case


def test_the_case_page_says_what_happens_when_who_handles_it_and_what_was_sent(
    client: FlaskClient, platform: Platform
) -> None:
    sent_case(platform)
    login(client)
    html = page(client, f"/ansokan/{CASE}")
    assert "Vad händer nu?" in html and "Datum: 2 december 2026" in html
    assert "Vem handlägger ärendet?" in html and "Enheten för ekonomiskt bistånd har ditt ärende." in html
    assert f'href="/kontakt?amne=ekonomiskt-bistand&amp;arende={CASE}"' in html
    assert "Vad skickade du?" in html and f'href="/ansokan/{CASE}/kopia.pdf" download' in html

    platform.applications.apps[CASE].case_worker_name = "Karin Berg"
    assert "Din handläggare är Karin Berg, Enheten för ekonomiskt bistånd." in page(client, f"/ansokan/{CASE}")
    english = page(client, f"/ansokan/{CASE}?lang=en")
    assert "Who handles the case?" in english and "Date: 2 December 2026" in english

    form = page(client, f"/kontakt?amne=ekonomiskt-bistand&arende={CASE}&lang=sv")
    assert f'name="application_id" value="{CASE}"' in form and "kopplas till ärende 6f1c1c1e" in form
    assert 'name="application_id"' not in page(client, "/kontakt?arende=../etc")


def test_the_copy_downloads_as_a_pdf_file_for_the_resident_and_nobody_else(
    client: FlaskClient, platform: Platform
) -> None:
    sent_case(platform)
    login(client)
    response = client.get(f"/ansokan/{CASE}/kopia.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''ansokan-6f1c1c1e.pdf"
    assert response.headers["Cache-Control"] == "no-store" and response.data.startswith(b"%PDF")
    assert client.get("/ansokan/inte-ett-id/kopia.pdf").status_code == 404

    other = client.application.test_client()
    login(other, "198505055678")
    assert other.get(f"/ansokan/{CASE}/kopia.pdf").status_code == 403
