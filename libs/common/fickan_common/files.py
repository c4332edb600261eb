"""Files residents send (receipts, statements, a photo of a letter): JPEG, PNG, HEIC or PDF. The type
is decided by the bytes (their signature), never by the file's name; anything else, anything too large
or empty, is refused with a Swedish message. Each service gives its own limits from its contract."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fickan_common import texts
from fickan_common.errors import ValidationFailed
from fickan_common.texts import Text

# ISO base media file brands of HEIC/HEIF images (ftyp box).
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "application/pdf": "PDF"}
WRONG_TYPE = texts.FILE_WRONG_TYPE
EMPTY = texts.FILE_EMPTY


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are, or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if len(content) >= 12 and content[4:8] == b"ftyp" and content[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


def clean_filename(name: str) -> str:
    """A name safe to show and to send back in a download: no paths, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name).strip().strip(".")
    return name[:150] or "bilaga"


def too_large(max_bytes: int) -> Text:
    return texts.FILE_TOO_LARGE.format(mb=max_bytes // (1024 * 1024))


def check(filename: str, content: bytes, max_bytes: int, content_types: Iterable[str]) -> CheckedFile:
    """The file as it will be kept, or ValidationFailed on the field "file"."""
    if not content:
        raise ValidationFailed(EMPTY, {"file": EMPTY})
    if len(content) > max_bytes:
        raise ValidationFailed(too_large(max_bytes), {"file": too_large(max_bytes)})
    kind = sniff(content)
    if kind is None or kind not in set(content_types):
        raise ValidationFailed(WRONG_TYPE, {"file": WRONG_TYPE})
    return CheckedFile(clean_filename(filename), kind, len(content), hashlib.sha256(content).hexdigest())
