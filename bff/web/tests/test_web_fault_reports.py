"""Felanmälan on the web pages, against the real contact service: a resident reports a broken street
light with a photo and a position; it is a question she follows, published without her; a position
outside the municipality and a "photo" that is not an image are refused and change nothing."""

from __future__ import annotations

import io
import re

from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contact.store import FaultReport, Question

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPORT = {
    "service_code": "gatubelysning",
    "attribute-antal": "en",
    "description": "Lyktan utanför nummer 12 är släckt.",
    "lat": "56.0465",
    "long": "12.6945",
    "address": "",
}


def send(client: FlaskClient, form: dict[str, str], photo: bytes | None = None, name: str = "lykta.png"):  # type: ignore[no-untyped-def]
    data: dict = {**form, "csrf_token": csrf_of(page(client, "/felanmalan"))}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), name)
    return client.post("/felanmalan", data=data, content_type="multipart/form-data")


def counts(platform: Platform) -> tuple[int, int]:
    with platform.contact.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(FaultReport)),
            session.scalar(select(func.count()).select_from(Question)),
        )


def test_a_resident_reports_a_fault_with_a_photo_and_follows_it(client: FlaskClient, platform: Platform) -> None:
    assert "Logga in för att göra en felanmälan" in page(client, "/felanmalan")
    login(client, PNR_ANNA)
    form = page(client, "/felanmalan")
    assert "Trasig gatubelysning" in form and "Hur många lyktor är släckta?" in form
    sent = send(client, REPORT, PNG)
    assert sent.status_code == 302 and "/kontakt/fragor/" in sent.location
    thread = page(client, sent.location)
    assert "Felanmälan: Trasig gatubelysning" in thread and "lykta.png" in thread and "Tack!" in thread
    published = client.get("/open311/v2/requests.json").get_json()
    assert [r["description"] for r in published] == ["Lyktan utanför nummer 12 är släckt."]
    assert "Anna" not in str(published)


def test_outside_the_municipality_or_not_an_image_is_refused_and_changes_nothing(
    client: FlaskClient, platform: Platform
) -> None:
    login(client, PNR_ANNA)
    outside = send(client, {**REPORT, "lat": "59.3293", "long": "18.0686"})
    html = outside.get_data(as_text=True)
    assert outside.status_code == 400 and "utanför kommunen" in html and 'href="#position"' in html
    not_image = send(client, REPORT, b"%PDF-1.4\n%%EOF\n", "bild.png")
    html = not_image.get_data(as_text=True)
    assert not_image.status_code == 400 and 'href="#photo"' in html
    assert re.search(r'id="photo-error">[^<]+<', html)
    nothing = send(client, {**REPORT, "service_code": "", "description": "", "lat": "", "long": ""})
    html = nothing.get_data(as_text=True)
    assert nothing.status_code == 400 and 'href="#service_code"' in html and 'href="#description"' in html
    assert counts(platform) == (0, 0)
