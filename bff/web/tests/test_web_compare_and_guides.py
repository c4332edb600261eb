"""/jamfor and /guide against the real insights service (in-process, SQLite, its demo figures):
the comparison with the resident's choice as chart and table, bad input answered on the page, the
guide walked to the ekonomiskt bistånd e-service, and the staff page with comments and counts."""

from __future__ import annotations

import re

from conftest import Platform, csrf_of, login, page
from flask.testing import FlaskClient

WORKER = "198501012382"


def test_start_page_offers_the_guides_and_the_comparisons(client: FlaskClient) -> None:
    html = page(client, "/")
    assert "Vad gäller din situation?" in html and "Har förlorat jobbet" in html
    assert 'href="/jamfor"' in html and 'href="/guide"' in html


def test_compare_lists_the_eight_services_and_labels_the_demo(client: FlaskClient) -> None:
    html = page(client, "/jamfor")
    assert len(re.findall(r'<li class="card">', html)) == 8
    assert "Demodata." in html and "Helsingborg" in html


def test_a_comparison_shows_chart_and_table_of_the_chosen_municipalities(client: FlaskClient) -> None:
    html = page(client, "/jamfor/grundskola?grupp=nara&kommun=1284&kommun=1292&nyckeltal=N15428")
    assert "Demodata." in html
    assert '<svg viewBox="0 0 640 340" role="img"' in html and '<title id="diagram-title">' in html
    table = html[html.index('<table class="table figures">') :]
    rows = re.findall(r'<th scope="row">([^<]+)', table)
    assert rows[:3] == ["Helsingborg ", "Höganäs", "Ängelholm"] and "Riket" in rows
    assert "Lund" not in rows  # in the group, but not chosen
    assert re.search(r'value="1284" checked', html) and not re.search(r'value="1281" checked', html)
    assert "har plats" in html or "har ingen siffra" in html


def test_switching_group_drops_the_old_groups_choices(client: FlaskClient) -> None:
    html = page(client, "/jamfor/grundskola?visad_grupp=nara&grupp=liknande&kommun=1284")
    assert "Kommuner i gruppen Liknande kommuner" in html and "Uppsala" in html


def test_21_municipalities_are_refused_on_the_page_tied_to_the_field(client: FlaskClient) -> None:
    picked = "&".join(f"kommun={1000 + i}" for i in range(21))
    response = client.get(f"/jamfor/grundskola?grupp=nara&{picked}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'href="#kommuner"' in html and "Högst 20 st." in html


def test_an_unknown_kpi_is_answered_clearly(client: FlaskClient) -> None:
    response = client.get("/jamfor/grundskola?nyckeltal=N99999")
    assert response.status_code == 400
    assert "Nyckeltalet N99999 finns inte i jämförelsen Grundskola." in response.get_data(as_text=True)


def test_an_unknown_comparison_is_404(client: FlaskClient) -> None:
    assert client.get("/jamfor/simhallar").status_code == 404


def test_english_pages_keep_the_service_data_and_switch_the_frame(client: FlaskClient) -> None:
    html = page(client, "/jamfor/grundskola?lang=en")
    assert "Demo data." in html and "Show the comparison" in html and '<html lang="en">' in html


def walk(client: FlaskClient, answers: list[str]) -> str:
    token = csrf_of(page(client, "/guide"))
    response = client.post("/guide/forlorat-jobbet/starta", data={"csrf_token": token})
    assert response.status_code == 302
    step_url = response.location
    for option in answers:
        html = page(client, step_url)
        question = re.search(r'name="question_id" value="([^"]+)"', html).group(1)
        posted = client.post(step_url, data={"csrf_token": csrf_of(html), "question_id": question, "option_id": option})
        assert posted.status_code == 302, posted.get_data(as_text=True)
    return step_url


def test_the_lost_job_guide_leads_to_the_ekonomiskt_bistand_e_service(client: FlaskClient) -> None:
    step_url = walk(client, ["ja", "nej", "nej"])
    html = page(client, step_url)
    assert "Sök ekonomiskt bistånd" in html and "Nej, pengarna räcker inte" in html
    link = re.search(r'href="([^"]+/till/eb)"', html).group(1)
    followed = client.get(link)
    assert followed.status_code == 302 and followed.location.endswith("/e-tjanster")


def test_no_answer_chosen_is_told_at_the_question(client: FlaskClient) -> None:
    step_url = walk(client, [])
    html = page(client, step_url)
    response = client.post(step_url, data={"csrf_token": csrf_of(html), "question_id": "anmald"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="fraga-error"' in body and "Välj ett av svaren." in body and 'href="#fraga"' in body


def test_an_answer_not_in_the_guide_is_refused(client: FlaskClient) -> None:
    step_url = walk(client, [])
    html = page(client, step_url)
    response = client.post(step_url, data={"csrf_token": csrf_of(html), "question_id": "anmald", "option_id": "kanske"})
    assert response.status_code == 400 and "Svaret finns inte i guiden" in response.get_data(as_text=True)


def test_a_made_up_guide_session_is_404(client: FlaskClient) -> None:
    assert client.get("/guide/steg/00000000-0000-0000-0000-000000000000").status_code == 404


def as_worker(platform: Platform) -> None:
    platform.identity.give_roles(WORKER, "Karin Handläggare", ["case_worker"], unit="eb")


def test_staff_see_the_guide_share_and_comment_a_figure(client: FlaskClient, platform: Platform) -> None:
    as_worker(platform)
    step_url = walk(client, ["ja", "nej", "nej"])
    client.get(step_url + "/till/eb")
    walk(client, ["nej"])
    login(client, WORKER)
    html = page(client, "/personal/insikter")
    assert "50\u00a0% av 2 påbörjade guider slutade i en e-tjänst eller en kontakt." in html
    response = client.post(
        "/personal/insikter/kommentar",
        data={"csrf_token": csrf_of(html), "kpi_id": "N15428", "year": "2025", "text": "Fler fick stöd i matematik."},
    )
    assert response.status_code == 302
    assert "Kommentaren är sparad." in page(client, "/personal/insikter")
    assert "Fler fick stöd i matematik." in page(client, "/jamfor/grundskola?nyckeltal=N15428")


def test_a_bad_year_for_a_comment_is_told_at_the_field(client: FlaskClient, platform: Platform) -> None:
    as_worker(platform)
    login(client, WORKER)
    html = page(client, "/personal/insikter")
    response = client.post(
        "/personal/insikter/kommentar", data={"csrf_token": csrf_of(html), "kpi_id": "N15428", "year": "20x5"}
    )
    assert response.status_code == 400 and 'id="year-error"' in response.get_data(as_text=True)


def test_residents_do_not_get_the_staff_page(client: FlaskClient) -> None:
    login(client)
    assert client.get("/personal/insikter").status_code == 403


def test_a_contact_link_leads_to_the_contact_form_with_the_right_topic(client: FlaskClient) -> None:
    step_url = walk(client, ["ja", "nej", "skulder"])
    followed = client.get(step_url + "/till/skuldradgivning")
    assert followed.status_code == 302 and followed.location.endswith("/kontakt?amne=budget-skuld")
