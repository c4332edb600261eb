"""What a question must be, with the Swedish message for each field that is wrong."""

import pytest

from contact.domain import questions
from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal


def errors_of(subject: str, body: str, channel: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        questions.clean_question(subject, body, channel)
    assert caught.value.message == "Några uppgifter behöver rättas."
    return caught.value.field_errors


def test_a_valid_question_is_kept_trimmed() -> None:
    new = questions.clean_question("  Utbetalning  ", "\nNär kommer pengarna?  ", " web ")
    assert (new.subject, new.body, new.channel) == ("Utbetalning", "När kommer pengarna?", "web")


@pytest.mark.parametrize("channel", ["web", "mobile", "watch", "phone", "email"])
def test_every_channel_of_the_platform_is_accepted(channel: str) -> None:
    assert questions.clean_question("Ämne", "Fråga", channel).channel == channel


@pytest.mark.parametrize("channel", ["", "sms", "WEB", "fax"])
def test_an_unknown_channel_is_refused(channel: str) -> None:
    assert set(errors_of("Ämne", "Fråga", channel)) == {"channel"}


@pytest.mark.parametrize("subject", ["", "   ", "\t\n"])
def test_an_empty_subject_is_refused_in_swedish(subject: str) -> None:
    assert errors_of(subject, "Fråga", "web") == {"subject": "Skriv vad frågan gäller."}


def test_subject_may_be_200_characters_but_not_201() -> None:
    assert len(questions.clean_question("å" * 200, "Fråga", "web").subject) == 200
    assert errors_of("å" * 201, "Fråga", "web") == {"subject": "Rubriken får vara högst 200 tecken."}


def test_subject_length_is_counted_after_trimming() -> None:
    assert len(questions.clean_question("  " + "a" * 200 + "  ", "Fråga", "web").subject) == 200


def test_an_empty_body_is_refused_in_swedish() -> None:
    assert errors_of("Ämne", "  ", "web") == {"body": "Skriv din fråga."}


def test_body_may_be_5000_characters_but_not_5001() -> None:
    assert len(questions.clean_question("Ämne", "ö" * 5000, "web").body) == 5000
    assert errors_of("Ämne", "ö" * 5001, "web") == {"body": "Frågan får vara högst 5000 tecken."}


def test_all_wrong_fields_are_reported_at_once() -> None:
    assert set(errors_of("", "", "pigeon")) == {"subject", "body", "channel"}


def test_only_residents_ask_questions() -> None:
    questions.require_resident(Principal(user_id="u1", roles=("resident",)))
    with pytest.raises(PermissionDenied):
        questions.require_resident(Principal(user_id="s1", roles=("staff",)))
