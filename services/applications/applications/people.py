"""What applications asks identity, over gRPC on the caller's behalf (their own token): the opaque
id of a co-applicant named by personnummer, a signature the caller made, and the caller's own
personnummer, masked (kept with the case they sign)."""

from __future__ import annotations

from applications.service import SignatureInfo
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan_common.errors import NotFound, RateLimited, Unavailable, ValidationFailed
from fickan_common.grpc_client import ServiceClient, ServiceError
from fickan_common.tokens import Principal


class IdentityPeople:
    def __init__(self, target: str, timeout: float = 3.0) -> None:
        self.client = ServiceClient(target, identity_pb2_grpc.IdentityServiceStub, timeout)

    def _call(self, method: str, request: object, principal: Principal, field: str):  # type: ignore[no-untyped-def]
        try:
            return self.client.call(method, request, token=principal.token)
        except ServiceError as exc:
            name = exc.code.name
            if name == "INVALID_ARGUMENT":
                message = exc.message or "Uppgiften är inte giltig."
                raise ValidationFailed(message, {field: exc.field_errors.get("personal_number", message)}) from None
            if name == "NOT_FOUND":
                raise NotFound(exc.message or "Finns inte.") from None
            if name == "RESOURCE_EXHAUSTED":
                raise RateLimited(exc.message) from None
            raise Unavailable("Inloggningstjänsten svarar inte just nu. Försök igen om en stund.") from None

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
