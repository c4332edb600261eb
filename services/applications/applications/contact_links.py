"""What applications asks contact, over gRPC on a contact-centre agent's behalf (their own token):
which case a question in the agent's answer group is linked to. Contact linked it when the resident
asked, and only to the asker's own case, so a case's status is shown only beside a question about
it, to the group answering that question."""

from __future__ import annotations

from applications import texts
from fickan.contact.v1 import contact_pb2, contact_pb2_grpc
from fickan_common.errors import NotFound, PermissionDenied, Unavailable
from fickan_common.grpc_client import ServiceClient, ServiceError
from fickan_common.tokens import Principal


class ContactLinks:
    def __init__(self, target: str, timeout: float = 3.0) -> None:
        self.client = ServiceClient(target, contact_pb2_grpc.ContactServiceStub, timeout)

    def case_of_question(self, principal: Principal, question_id: str) -> str:
        """The linked case's id ("" when the question is linked to none)."""
        try:
            link = self.client.call(
                "GetCaseLink", contact_pb2.ThreadRequest(question_id=question_id), token=principal.token
            )
        except ServiceError as exc:
            if exc.code.name == "NOT_FOUND":
                raise NotFound(texts.QUESTION_NOT_FOUND) from None
            if exc.code.name in ("PERMISSION_DENIED", "UNAUTHENTICATED", "INVALID_ARGUMENT"):
                raise PermissionDenied(texts.NOT_YOUR_GROUPS_CASE) from None
            raise Unavailable(texts.CONTACT_AWAY) from None
        return link.application_id
