"""Numbers typed into the web's forms, read in one place.

Only ASCII digits count: `"²".isdigit()` is true and `int("²")` fails, and `int("٣٠٠٠")` is 3000,
so neither `isdigit()` nor `int()` alone says what a person typed. Spaces between digit groups
("12 500", with ordinary, no-break or thin spaces) are allowed. Every number is bounded to what the
contracts' integers hold, so a huge one is the person's mistake (a Swedish message or a 400),
never a 500 when the protobuf message is built; the services keep the business ranges.
"""

from __future__ import annotations

import re

from flask import abort, request

MAX = 2**31 - 1  # the contracts' int32; kronor, ages, counts and versions all fit
_NUMBER = re.compile(r"-?[0-9]{1,10}")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]")


def whole(raw: str | None, *, negative: bool = False, high: int = MAX) -> int | None:
    """The whole number `raw` says (ASCII digits, between -high and high when `negative`, else
    between 0 and high), or None when it is not one."""
    text = _SPACES.sub("", (raw or "").strip())
    if not _NUMBER.fullmatch(text) or (text.startswith("-") and not negative):
        return None
    value = int(text)
    return value if abs(value) <= high else None


def form_version(name: str = "version") -> int:
    """The version a form was rendered with (a hidden field): anything else is a broken or forged
    form, answered 400 with the Swedish error page."""
    value = whole(request.form.get(name, "0"))
    if value is None:
        abort(400)
    return value
