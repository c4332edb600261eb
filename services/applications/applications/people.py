"""What applications asks identity, over gRPC on the caller's behalf (their own token): the opaque
id of a co-applicant named by personnummer, a signature the caller made, the caller's own
personnummer, masked (kept with the case they sign), and BankID sign orders (applications/signing.py
runs the signing sequence)."""

from __future__ import annotations

from applications import texts
from applications.service import SignatureInfo
from applications.signing import SignOrder, SignProgress
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan_common.errors import Conflict, NotFound, PermissionDenied, RateLimited, Unavailable, ValidationFailed
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
            if name == "FAILED_PRECONDITION":
                raise Conflict(Text(exc.key, exc.message, exc.message_en) if exc.message else texts.NOT_NOW) from None
            if name == "PERMISSION_DENIED":
                raise PermissionDenied(
                    Text(exc.key, exc.message, exc.message_en) if exc.message else texts.NOT_ALLOWED
                ) from None
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

    # -- BankID signing (on the caller's behalf: identity requires their own personnummer) ------------
    def start_sign(
        self, principal: Principal, text: str, reference: str, end_user_ip: str, return_url: str
    ) -> SignOrder:
        answer = self._call(
            "StartSign",
            identity_pb2.StartSignRequest(
                user_visible_data=text,
                reference=reference,
                device=_DEVICES.get(principal.device, identity_pb2.DEVICE_UNSPECIFIED),
                end_user_ip=end_user_ip,
                return_url=return_url,
            ),
            principal,
            "return_url",
        )
        return SignOrder(answer.order_ref, answer.auto_start_token, answer.qr_data)

    def collect_sign(self, principal: Principal, order_ref: str) -> SignProgress:
        answer = self._call("CollectSign", identity_pb2.CollectSignRequest(order_ref=order_ref), principal, "order_ref")
        return SignProgress(
            _STATUSES.get(answer.status, "failed"),
            answer.hint_code,
            answer.user_message,
            answer.user_message_en,
            answer.qr_data,
            answer.signature_id,
            answer.reference,
        )

    def cancel_sign(self, principal: Principal, order_ref: str) -> None:
        self._call("CancelSign", identity_pb2.CancelSignRequest(order_ref=order_ref), principal, "order_ref")


_DEVICES = {"web": identity_pb2.DEVICE_WEB, "mobile": identity_pb2.DEVICE_MOBILE}
_STATUSES = {identity_pb2.PENDING: "pending", identity_pb2.FAILED: "failed", identity_pb2.COMPLETE: "complete"}
