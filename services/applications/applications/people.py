"""What applications asks identity, over gRPC on the caller's behalf (their own token): the opaque
id of a co-applicant named by personnummer, a signature the caller made, and the caller's own
personnummer, masked (kept with the case they sign)."""

from __future__ import annotations

from applications import texts
from applications.service import SignatureInfo
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan_common.errors import NotFound, RateLimited, Unavailable, ValidationFailed
from fickan_common.grpc_client import ServiceClient, ServiceError
from fickan_common.texts import Text
from fickan_common.tokens import Principal


class IdentityPeople:
    def __init__(self, target: str, timeout: float = 3.0) -> None:
        self.client = ServiceClient(target, identity_pb2_grpc.IdentityServiceStub, timeout)

    @staticmethod
    def _field(exc: ServiceError, name: str) -> Text | None:
        """One of identity's field errors, in both languages (None when it sent none)."""
        if name not in exc.field_errors:
            return None
        return Text(exc.field_keys.get(name, ""), exc.field_errors[name], exc.field_errors_en.get(name, ""))

    def _call(self, method: str, request: object, principal: Principal, field: str):  # type: ignore[no-untyped-def]
        try:
            return self.client.call(method, request, token=principal.token)
        except ServiceError as exc:
            name = exc.code.name
            if name == "INVALID_ARGUMENT":
                message = Text(exc.key, exc.message, exc.message_en) if exc.message else texts.NOT_VALID
                raise ValidationFailed(message, {field: self._field(exc, "personal_number") or message}) from None
            if name == "NOT_FOUND":
                raise NotFound(Text(exc.key, exc.message, exc.message_en) if exc.message else texts.NOT_FOUND) from None
            if name == "RESOURCE_EXHAUSTED":
                raise RateLimited(Text(exc.key, exc.message, exc.message_en)) from None
            raise Unavailable(texts.IDENTITY_AWAY) from None

    def resolve(self, principal: Principal, personal_number: str) -> tuple[str, str]:
        answer = self._call(
            "ResolvePerson",
            identity_pb2.ResolvePersonRequest(personal_number=personal_number),
            principal,
            "partner_personnummer",
        )
        return answer.user_id, answer.masked

    def signature(self, principal: Principal, signature_id: str) -> SignatureInfo:
        answer = self._call(
            "GetSignature", identity_pb2.GetSignatureRequest(signature_id=signature_id), principal, "signature_id"
        )
        return SignatureInfo(answer.user_id, answer.reference, answer.text_sha256)

    def masked_number(self, principal: Principal) -> str:
        answer = self._call(
            "GetMyMaskedPersonalNumber", identity_pb2.GetMyMaskedPersonalNumberRequest(), principal, "signature_id"
        )
        return answer.masked
