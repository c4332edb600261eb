"""What the case tests share: identity's side played in the test, and a complete first application."""

from __future__ import annotations

import hashlib
import uuid

from applications.service import SignatureInfo
from applications.testing import PDF, TODAY, UNIT  # noqa: F401 - the case tests import them from here
from applications.testing import first_application as complete_first_application
from fickan_common.errors import NotFound
from fickan_common.tokens import Principal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class FakeIdentity:
    """identity's side of People: co-applicants by personnummer, and signatures made in tests."""

    def __init__(self) -> None:
        self.signatures: dict[str, SignatureInfo] = {}
        self.numbers: dict[str, str] = {}

    def resolve(self, principal: Principal, personal_number: str) -> tuple[str, str]:
        digits = personal_number.replace("-", "")
        return str(uuid.uuid5(uuid.NAMESPACE_OID, digits)), f"{digits[:8]}-****"

    def signature(self, principal: Principal, signature_id: str) -> SignatureInfo:
        if signature_id not in self.signatures:
            raise NotFound("Underskriften finns inte.")
        return self.signatures[signature_id]

    def masked_number(self, principal: Principal) -> str:
        """As identity: the caller's own number, masked (a test gives its people numbers by user id)."""
        return self.numbers.get(principal.user_id, "19900101-****")

    def sign(self, user_id: str, text: str, reference: str) -> str:
        signature_id = str(uuid.uuid4())
        self.signatures[signature_id] = SignatureInfo(user_id, reference, hashlib.sha256(text.encode()).hexdigest())
        return signature_id


def first_application(partner: bool = True) -> dict[str, str]:
    """Complete answers to the first application, with Sara as partner unless `partner` is False."""
    return complete_first_application("19900102-2384" if partner else "")
