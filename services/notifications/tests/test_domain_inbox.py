"""Page sizes and ownership rules of the inbox."""

import uuid

import pytest

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from notifications.domain import inbox


def test_limit_zero_means_fifty() -> None:
    assert inbox.page_size(0) == 50


@pytest.mark.parametrize("limit", [1, 37, 100])
def test_limit_within_one_to_a_hundred_is_kept(limit: int) -> None:
    assert inbox.page_size(limit) == limit


@pytest.mark.parametrize("limit", [-1, 101, 10_000])
def test_limit_outside_range_is_refused_with_a_field_error(limit: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        inbox.page_size(limit)
    assert set(caught.value.field_errors) == {"limit"}


@pytest.mark.parametrize("value", ["", "nope", "1234", "../etc"])
def test_message_id_that_is_not_a_uuid_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        inbox.require_message_id(value)
    assert set(caught.value.field_errors) == {"message_id"}


def test_message_id_is_normalised_to_the_stored_form() -> None:
    value = uuid.uuid4()
    assert inbox.require_message_id(str(value).upper()) == str(value)


def test_only_the_recipient_may_touch_a_message() -> None:
    owner = Principal(user_id="u1", roles=("resident",))
    other = Principal(user_id="u2", roles=("resident",))
    inbox.require_recipient(owner, "u1")
    with pytest.raises(PermissionDenied):
        inbox.require_recipient(other, "u1")


def test_staff_role_gives_no_access_to_a_residents_message() -> None:
    staff = Principal(user_id="s1", roles=("staff", "admin"))
    with pytest.raises(PermissionDenied):
        inbox.require_recipient(staff, "u1")
