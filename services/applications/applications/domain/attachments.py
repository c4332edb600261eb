"""Attachments of a case: receipts and statements, checked by their bytes (fickan_common.files) within
the limits of the contract's UploadAttachmentRequest."""

from __future__ import annotations

from fickan.applications.v1 import applications_pb2 as pb
from fickan_common import files, limits
from fickan_common.files import CheckedFile

# The contract's limits of an upload (UploadAttachmentRequest.content): declared once, in the proto.
MAX_BYTES = limits.of(pb.UploadAttachmentRequest, "content").max_length or 0
CONTENT_TYPES = limits.of(pb.UploadAttachmentRequest, "content").content_types
MAX_PER_CASE = 40  # attachments of one case
TOO_LARGE = files.too_large(MAX_BYTES)


def check(filename: str, content: bytes) -> CheckedFile:
    return files.check(filename, content, MAX_BYTES, CONTENT_TYPES)
