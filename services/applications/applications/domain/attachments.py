"""Attachments: receipts and statements as JPEG, PNG, HEIC or PDF. The type is decided by the bytes
(their signature), never by the file's name; anything else, or anything too large or empty, is
refused with a Swedish message."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from fickan.applications.v1 import applications_pb2 as pb
from fickan_common import limits
from fickan_common.errors import ValidationFailed

# The contract's limits of an upload (UploadAttachmentRequest.content): declared once, in the proto.
MAX_BYTES = limits.of(pb.UploadAttachmentRequest, "content").max_length or 0
CONTENT_TYPES = limits.of(pb.UploadAttachmentRequest, "content").content_types
MAX_PER_CASE = 40  # attachments of one case
# ISO base media file brands of HEIC/HEIF images (ftyp box).
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "application/pdf": "PDF"}
WRONG_TYPE = "Filen är inte en JPEG-, PNG-, HEIC- eller PDF-fil. Fotografera dokumentet eller spara det som PDF."
TOO_LARGE = f"Filen är för stor. Den får vara högst {MAX_BYTES // (1024 * 1024)} MB."
EMPTY = "Filen är tom."


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


def check(filename: str, content: bytes) -> CheckedFile:
    if not content:
        raise ValidationFailed(EMPTY, {"file": EMPTY})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(TOO_LARGE, {"file": TOO_LARGE})
    kind = sniff(content)
    if kind is None:
        raise ValidationFailed(WRONG_TYPE, {"file": WRONG_TYPE})
    return CheckedFile(clean_filename(filename), kind, len(content), hashlib.sha256(content).hexdigest())
