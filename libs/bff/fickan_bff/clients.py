"""gRPC clients of the five services, built once per BFF process."""

from __future__ import annotations

from dataclasses import dataclass, field

from fickan.applications.v1 import applications_pb2_grpc
from fickan.contact.v1 import contact_pb2_grpc
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan.insights.v1 import insights_pb2_grpc
from fickan.notifications.v1 import notifications_pb2_grpc
from fickan_bff.settings import BffSettings
from fickan_common.api import revoked_sessions_of
from fickan_common.grpc_client import ServiceClient
from fickan_common.revocations import RevocationFeed
from fickan_common.tokens import JwksCache, TokenVerifier


@dataclass
class Services:
    identity: ServiceClient
    applications: ServiceClient
    notifications: ServiceClient
    contact: ServiceClient
    # Comparisons and guides: the web and mobile BFFs have it (from_settings); a BFF or test built
    # with only the first four does without it, and its readiness does not wait for it.
    insights: ServiceClient | None = None
    # The sessions identity revoked (from its events); None: tokens are checked offline only.
    revocations: RevocationFeed | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: BffSettings, name: str = "bff", insights: bool = True) -> Services:
        """`name` names this process's revocation queue. `insights=False` for a BFF that shows no
        comparisons or guides (the watch): its readiness then does not hang on a service it never calls."""
        timeout = settings.grpc_timeout
        services = cls(
            identity=ServiceClient(settings.identity_target, identity_pb2_grpc.IdentityServiceStub, timeout),
            applications=ServiceClient(
                settings.applications_target, applications_pb2_grpc.ApplicationsServiceStub, timeout
            ),
            notifications=ServiceClient(
                settings.notifications_target, notifications_pb2_grpc.NotificationsServiceStub, timeout
            ),
            contact=ServiceClient(settings.contact_target, contact_pb2_grpc.ContactServiceStub, timeout),
            insights=ServiceClient(settings.insights_target, insights_pb2_grpc.InsightsServiceStub, timeout)
            if insights
            else None,
        )
        services.revocations = RevocationFeed(settings.amqp_uri, revoked_sessions_of(services.identity), name).start()
        return services

    def all(self) -> dict[str, ServiceClient]:
        clients = {
            "identity": self.identity,
            "applications": self.applications,
            "notifications": self.notifications,
            "contact": self.contact,
        }
        if self.insights is not None:
            clients["insights"] = self.insights
        return clients

    def token_verifier(self) -> TokenVerifier:
        return TokenVerifier(
            JwksCache(lambda: self.identity.call("GetJwks", identity_pb2.GetJwksRequest()).jwks_json),
            revoked=self.revocations,
        )
