"""The identity api process: a grpcio server. It verifies tokens with its own keys."""

from __future__ import annotations

import json
from collections.abc import Iterable

import grpc

from fickan.identity.v1 import identity_pb2 as pb
from fickan.identity.v1 import identity_pb2_grpc as pb_grpc
from fickan_common.api import run_api
from fickan_common.db import Database
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import current_principal
from fickan_common.tokens import JwksCache, TokenVerifier
from identity import settings as settings_module
from identity.domain import bankid
from identity.keys import SigningKeys
from identity.service import Identity
from identity.store import OUTBOX, User

DEVICE_NAMES = {pb.DEVICE_WEB: "web", pb.DEVICE_MOBILE: "mobile", pb.DEVICE_WATCH: "watch"}
STATUS = {
    "pending": pb.CollectLoginResponse.PENDING,
    "failed": pb.CollectLoginResponse.FAILED,
    "complete": pb.CollectLoginResponse.COMPLETE,
}
PUBLIC_METHODS = {
    f"/{pb.DESCRIPTOR.package}.IdentityService/{name}"
    for name in ("StartLogin", "CollectLogin", "CancelLogin", "GetJwks")
}


def user_message(user: User) -> pb.User:
    return pb.User(user_id=user.id, name=user.name, roles=list(user.roles))


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def StartLogin(self, request, context):  # noqa: N802
        order, qr = self.identity.start_login(
            request.personal_number, DEVICE_NAMES.get(request.device, ""), request.end_user_ip
        )
        return pb.StartLoginResponse(order_ref=order.order_ref, auto_start_token=order.auto_start_token, qr_data=qr)

    def CollectLogin(self, request, context):  # noqa: N802
        result = self.identity.collect_login(request.order_ref)
        return pb.CollectLoginResponse(
            status=STATUS[result.status],
            hint_code=result.hint_code,
            user_message=result.user_message,
            access_token=result.access_token,
            expires_in=result.expires_in,
            user=user_message(result.user) if result.user else None,
            qr_data=result.qr_data,
        )

    def CancelLogin(self, request, context):  # noqa: N802
        self.identity.cancel_login(request.order_ref)
        return pb.CancelLoginResponse()

    def GetJwks(self, request, context):  # noqa: N802
        return pb.GetJwksResponse(jwks_json=self.identity.keys.jwks_json())

    def GetMe(self, request, context):  # noqa: N802
        return user_message(self.identity.user(current_principal().user_id))


def register(identity: Identity):  # type: ignore[no-untyped-def]
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(identity), server)
        return [pb.DESCRIPTOR.services_by_name["IdentityService"].full_name]

    return _register


def bankid_client(settings: settings_module.IdentitySettings) -> bankid.BankIdClient:
    if not settings.bankid_simulator:
        raise SystemExit(
            "No BankID is configured: set FICKAN_BANKID_SIMULATOR=1 for the built-in test simulator "
            "(never in production). The RP API client for real BankID comes with the identity issue."
        )
    return bankid.Simulator(settings.simulator_pending_collects, names=demo_names())


def demo_names() -> dict[str, str]:
    """Names the simulator gives the demo people (the demo data's own file)."""
    from identity.demo import DEMO_FILE

    return {p["personal_number"]: p["name"] for p in json.loads(DEMO_FILE.read_text())["people"]}


def main() -> None:
    settings = settings_module.load()
    db = Database(settings.service.database_url)
    keys = SigningKeys(settings.keys_dir, settings.generate_keys)
    publisher = Publisher(settings.service.amqp_uri)
    flusher = BackgroundFlusher(db, OUTBOX, publisher)
    identity = Identity(db, keys, bankid_client(settings), settings.access_token_ttl, on_events=flusher.kick)
    verifier = TokenVerifier(JwksCache(keys.jwks_json))
    run_api(settings.service, register(identity), verifier, PUBLIC_METHODS, on_stop=publisher.close)


if __name__ == "__main__":
    main()
