"""The case page answers a resident's three questions, over gRPC to the real services (a case sent
through applications with a BankID signature, taken up by a real case worker): what happens now and
when, who handles the case with a way to write about it (the question form then carries the case),
and what was sent, with the copy to download (a file, never shown inline) for the case's own
residents only."""

from __future__ import annotations

from conftest import PNR_ANNA, PNR_BO, Platform, case_worker, login, page, stored
from flask.testing import FlaskClient

from fickan_common import texts


def sent_case(platform: Platform) -> str:
    """Anna's first application, signed and sent (the unit receives it at once): its id."""
    return platform.applications.submitted(platform.log_in(PNR_ANNA)).id


def test_the_case_page_says_what_happens_when_who_handles_it_and_what_was_sent(
    client: FlaskClient, platform: Platform
) -> None:
    case = sent_case(platform)
    login(client)
    html = page(client, f"/ansokan/{case}")
    due = stored(platform, case).due_at
    assert due is not None  # the decision target, set when the case was sent
    assert "Vad händer nu?" in html and f"Datum: {texts.day(due.date()).sv}" in html
    assert "Vem handlägger ärendet?" in html and "Enheten för ekonomiskt bistånd har ditt ärende." in html
    assert f'href="/kontakt?amne=ekonomiskt-bistand&amp;arende={case}"' in html
    assert "Vad skickade du?" in html and f'href="/ansokan/{case}/kopia.pdf" download' in html

    # A case worker of the unit takes the case up: the page names them.
    worker = platform.identity.principal(case_worker(platform, "Karin Berg"))
    platform.applications.casework.start_work(worker, case, stored(platform, case).version)
    assert "Din handläggare är Karin Berg, Enheten för ekonomiskt bistånd." in page(client, f"/ansokan/{case}")
    english = page(client, f"/ansokan/{case}?lang=en")
    assert "Who handles the case?" in english and f"Date: {texts.day(due.date()).en}" in english

    form = page(client, f"/kontakt?amne=ekonomiskt-bistand&arende={case}&lang=sv")
    assert f'name="application_id" value="{case}"' in form and f"kopplas till ärende {case[:8]}" in form
    assert 'name="application_id"' not in page(client, "/kontakt?arende=../etc")


def test_the_copy_downloads_as_a_pdf_file_for_the_resident_and_nobody_else(
    client: FlaskClient, platform: Platform
) -> None:
    case = sent_case(platform)
    login(client)
    response = client.get(f"/ansokan/{case}/kopia.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''ansokan-{case[:8]}.pdf"
    assert response.headers["Cache-Control"] == "no-store" and response.data.startswith(b"%PDF")
    assert client.get("/ansokan/inte-ett-id/kopia.pdf").status_code == 404

    other = client.application.test_client()
    login(other, PNR_BO)
    assert other.get(f"/ansokan/{case}/kopia.pdf").status_code == 403
