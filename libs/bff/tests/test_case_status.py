"""The BFFs' one mapping of the contract's ApplicationStatus to the words their JSON and pages use:
every value has its word, the words go back to the values, and a value newer than the contract is
"unknown" rather than an error."""

from __future__ import annotations

from fickan.applications.v1 import applications_pb2 as pb
from fickan_bff import case_status


def test_every_status_of_the_contract_has_a_word_and_back():
    values = [v for v in pb.ApplicationStatus.values() if v != pb.APPLICATION_STATUS_UNSPECIFIED]
    assert len(case_status.NAMES) == len(values) == len(set(case_status.NAMES))
    for value, word in zip(values, case_status.NAMES, strict=True):
        assert word == case_status.name(value)
        assert word.islower() and word.replace("_", "").isalpha()
        assert case_status.value(word) == value


def test_the_words_the_mobile_app_knows_stay_the_same():
    assert case_status.name(pb.APPLICATION_STATUS_DRAFT) == "draft"
    assert case_status.name(pb.APPLICATION_STATUS_SIGNATURE_PENDING) == "signature_pending"
    assert case_status.name(pb.APPLICATION_STATUS_PAYMENT_SCHEDULED) == "payment_scheduled"


def test_a_status_newer_than_the_contract_is_unknown():
    assert case_status.name(max(pb.ApplicationStatus.values()) + 1) == "unknown"
