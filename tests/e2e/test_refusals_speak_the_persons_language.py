"""A service's refusal reaches the person in their language, end to end over gRPC: identity raises
with a keyed text (identity.texts), its interceptor sends the Swedish as the status details and the
English and the key in trailing metadata, and the mobile BFF answers with both. Here: a second
BankID login started while the person's first order is still pending (BankID's RFA4)."""

from __future__ import annotations

from applications import texts as applications_texts
from identity.domain import bankid

from ..conftest import DEMO_CO_APPLICANT
from ..support.mobile import MobileClient
from ..support.web import form_fields, web_login


def test_a_second_pending_login_is_refused_with_bankids_own_english(platform):
    mobile = MobileClient(platform.url("mobile"))
    body = {"personalNumber": DEMO_CO_APPLICANT}
    first = mobile.http.post(f"{mobile.base}/auth/bankid", json=body, timeout=10)
    assert first.status_code == 200, first.text

    second = mobile.http.post(f"{mobile.base}/auth/bankid", json=body, headers={"Accept-Language": "en"}, timeout=10)

    assert second.status_code == 409, second.text
    error = second.json()["error"]
    assert error["key"] == "identity.bankid_rfa4"
    assert error["message_en"] == bankid.RFA_EN[4]  # BankID's English, not a general "the case has changed"
    assert error["message"] == bankid.RFA[4]
    assert error["fields"] == {} and error["fields_en"] == {}


def test_a_field_error_from_a_service_comes_in_both_languages(platform):
    mobile = MobileClient(platform.url("mobile"))
    # Passes the BFF's own checks (a string), refused by identity's personnummer rule.
    refused = mobile.http.post(f"{mobile.base}/auth/bankid", json={"personalNumber": "19900101-2386"}, timeout=10)

    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["key"] == "identity.personnummer_invalid"
    assert error["message"].startswith("Skriv ett giltigt personnummer")
    assert error["message_en"].startswith("Enter a valid personal identity number")
    assert set(error["fields"]) == set(error["fields_en"]) and error["fields"]
    assert all(error["fields_en"][name] != error["fields"][name] for name in error["fields"])


def test_the_web_shows_a_services_refusal_in_english_to_an_english_reader(platform):
    web = platform.url("web")
    browser = web_login(web, DEMO_CO_APPLICANT)
    fields = form_fields(browser.get(f"{web}/e-tjanster", timeout=10).text, "/ansokan/ny")

    english = browser.post(f"{web}/ansokan/ny?lang=en", data={**fields, "kind": "finns_inte"}, timeout=10)
    swedish = browser.post(f"{web}/ansokan/ny?lang=sv", data={**fields, "kind": "finns_inte"}, timeout=10)

    assert english.status_code == 404 and swedish.status_code == 404
    assert applications_texts.NO_SUCH_ESERVICE.en in english.text
    assert applications_texts.NO_SUCH_ESERVICE.sv in swedish.text
