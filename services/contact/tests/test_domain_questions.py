"""What a question must be, with the Swedish message for each field that is wrong."""

import pytest

from contact.domain import questions
from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal

TOPICS = {"ekonomiskt-bistand": object()}


def errors_of(subject: str, body: str, channel: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_question(subject, body, channel, "", TOPICS)
    assert caught.value.message == "Några uppgifter behöver rättas."
    return caught.value.field_errors


def test_a_valid_question_is_kept_trimmed() -> None:
    new = questions.clean_question("  Utbetalning  ", "\nNär kommer pengarna?  ", " web ", "", TOPICS)
    assert (new.subject, new.body, new.channel) == ("Utbetalning", "När kommer pengarna?", "web")


@pytest.mark.parametrize("channel", ["web", "mobile"])
def test_every_channel_a_resident_types_in_is_accepted(channel: str) -> None:
    assert questions.clean_question("Ämne", "Fråga", channel, "", TOPICS).channel == channel


@pytest.mark.parametrize("channel", ["", "sms", "WEB", "fax", "phone", "email"])
def test_an_unknown_channel_is_refused(channel: str) -> None:
    assert set(errors_of("Ämne", "Fråga", channel)) == {"channel"}


@pytest.mark.parametrize("subject", ["", "   ", "\t\n"])
def test_an_empty_subject_is_refused_in_swedish(subject: str) -> None:
    assert errors_of(subject, "Fråga", "web") == {"subject": "Skriv vad frågan gäller."}


def test_subject_may_be_200_characters_but_not_201() -> None:
    assert len(questions.clean_question("å" * 200, "Fråga", "web", "", TOPICS).subject) == 200
    assert errors_of("å" * 201, "Fråga", "web") == {"subject": "Rubriken får vara högst 200 tecken."}


def test_subject_length_is_counted_after_trimming() -> None:
    assert len(questions.clean_question("  " + "a" * 200 + "  ", "Fråga", "web", "", TOPICS).subject) == 200


def test_an_empty_body_is_refused_in_swedish() -> None:
    assert errors_of("Ämne", "  ", "web") == {"body": "Skriv din fråga."}


def test_body_may_be_5000_characters_but_not_5001() -> None:
    assert len(questions.clean_question("Ämne", "ö" * 5000, "web", "", TOPICS).body) == 5000
    assert errors_of("Ämne", "ö" * 5001, "web") == {"body": "Texten får vara högst 5000 tecken."}


def test_all_wrong_fields_are_reported_at_once() -> None:
    assert set(errors_of("", "", "pigeon")) == {"subject", "body", "channel"}


def test_only_residents_ask_questions() -> None:
    questions.require_resident(Principal(user_id="u1", roles=("resident",)))
    with pytest.raises(PermissionDenied):
        questions.require_resident(Principal(user_id="s1", roles=("staff",)))


def test_the_watch_asks_to_be_rung_with_one_tap_and_needs_a_number() -> None:
    new = questions.clean_question("", "", "watch", "", TOPICS, phone="070-123 45 67")
    assert (new.subject, new.phone) == ("Ring mig", "070-123 45 67")
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_question("", "", "watch", "", TOPICS)
    assert caught.value.field_errors == {"phone": "Skriv telefonnumret vi ska ringa."}


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_question("Ämne", "Fråga", "web", "drakar", TOPICS)
    assert caught.value.field_errors == {"topic": "Välj ett av ämnena i listan."}


def test_a_guest_gives_an_address_to_answer_to_and_a_readable_one() -> None:
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_guest_question("Ämne", "Fråga", "", "", "", "", TOPICS)
    assert caught.value.field_errors == {
        "email": "Skriv en e-postadress eller ett telefonnummer som vi kan svara till."
    }
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_guest_question("Ämne", "Fråga", "", "", "inte-en-adress", "", TOPICS)
    assert set(caught.value.field_errors) == {"email"}
    assert (
        questions.clean_guest_question("Ämne", "Fråga", "", "Eva", "eva@exempel.se", "", TOPICS).email
        == "eva@exempel.se"
    )
