"""Limits declared in a contract (proto options) are read by fickan_common.limits: what a service
enforces before any use case, and what a BFF reads instead of keeping a copy."""

from __future__ import annotations

import pytest

from fickan.applications.v1 import applications_pb2 as pb
from fickan_common import limits
from fickan_common.errors import ValidationFailed


def test_the_declared_limits_are_read_from_the_contract():
    assert limits.of(pb.EstimateRequest, "housing") == limits.Limits(min=0, max=1_000_000)
    ages = limits.of(pb.EstimateRequest, "children_ages")
    assert (ages.min, ages.max, ages.max_items) == (0, 20, 30)
    assert limits.of(pb.UploadAttachmentRequest, "content").content_types == (
        "image/jpeg",
        "image/png",
        "image/heic",
        "application/pdf",
    )
    assert limits.of(pb.EstimateRequest, "year") == limits.Limits()  # declares none


def test_a_request_within_its_limits_passes():
    limits.check(pb.EstimateRequest(adults=2, children_ages=[0, 20], housing=1_000_000))


@pytest.mark.parametrize(
    ("request_message", "field", "message"),
    [
        (pb.EstimateRequest(adults=3), "adults", "Ska vara mellan 1 och 2."),
        (pb.EstimateRequest(adults=1, housing=1_000_001), "housing", "Ska vara mellan 0 och 1 000 000."),
        (pb.EstimateRequest(adults=1, housing=-1), "housing", "Ska vara mellan 0 och 1 000 000."),
        (pb.EstimateRequest(adults=1, children_ages=[1] * 31), "children_ages", "Högst 30 st."),
        (pb.EstimateRequest(adults=1, children_ages=[3, 21]), "children_ages[1]", "Ska vara mellan 0 och 20."),
        (pb.WithdrawRequest(reason="x" * 301), "reason", "Får vara högst 300 tecken."),
        (pb.SaveAnswersRequest(answers={"hyra": "1" * 100_001}), "answers.hyra", "Får vara högst 100 000 tecken."),
        (pb.SaveAnswersRequest(answers={f"q{i}": "1" for i in range(101)}), "answers", "Högst 100 st."),
        (
            pb.UploadAttachmentRequest(content=b"0" * (10 * 1024 * 1024 + 1)),
            "content",
            "Filen är för stor. Den får vara högst 10 MB.",
        ),
    ],
)
def test_a_request_beyond_its_limits_is_refused_by_field(request_message, field, message):
    with pytest.raises(ValidationFailed) as refused:
        limits.check(request_message)
    assert refused.value.field_errors == {field: message}
    assert refused.value.message == message  # one problem is said as it is


@pytest.mark.parametrize(
    ("request_message", "field"),
    [
        (pb.WithdrawRequest(reason="hej\x00då"), "reason"),
        (pb.SaveAnswersRequest(answers={"hyra": "65\x0000"}), "answers.hyra"),
        (pb.SaveAnswersRequest(answers={"övrigt": "\x1b[31m"}), "answers.övrigt"),
    ],
)
def test_control_characters_in_any_text_are_refused_before_any_use_case(request_message, field):
    """NUL and other control characters never reach a service's database (a probe sent them)."""
    with pytest.raises(ValidationFailed) as err:
        limits.check(request_message)
    assert "styrtecken" in err.value.field_errors[field]


def test_tabs_and_line_breaks_are_text():
    limits.check(pb.WithdrawRequest(reason="Rad ett\r\nRad två\tmed tabb"))
