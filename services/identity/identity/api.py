"""The identity api process: a grpcio server. It verifies tokens with its own keys."""

from __future__ import annotations

import json
from collections.abc import Iterable

import grpc

from fickan.identity.v1 import identity_pb2 as pb
from fickan.identity.v1 import identity_pb2_grpc as pb_grpc
from fickan_common.api import run_api
from fickan_common.db import Database
from fickan_common.errors import Unauthenticated
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import TOKEN_MESSAGES, current_principal
from fickan_common.tokens import InvalidToken, JwksCache, Principal, TokenVerifier, bearer
from identity import settings as settings_module
from identity.bankid.client import RpClient, TlsSettings
from identity.bankid.simulator_server import SimulatorServer
from identity.domain import bankid
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.service import Identity
from identity.sessions import SessionPolicy
from identity.store import OUTBOX, User

DEVICE_NAMES = {pb.DEVICE_WEB: "web", pb.DEVICE_MOBILE: "mobile", pb.DEVICE_WATCH: "watch"}
STATUS = {
    "pending": pb.CollectLoginResponse.PENDING,
    "failed": pb.CollectLoginResponse.FAILED,
    "complete": pb.CollectLoginResponse.COMPLETE,
}
PUBLIC_METHODS = {
    f"/{pb.DESCRIPTOR.package}.IdentityService/{name}"
    for name in ("StartLogin", "CollectLogin", "CancelLogin", "GetJwks", "RefreshToken", "Logout")
}


class _CheckedVerifier:
    """Token checks inside a public method, raising the interceptor's Swedish refusals."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier

    def verify(self, token: str | None) -> Principal:
        try:
            return self._verifier.verify(token)
        except InvalidToken as exc:
            raise Unauthenticated(TOKEN_MESSAGES[exc.reason]) from None


def user_message(user: User) -> pb.User:
    return pb.User(user_id=user.id, name=user.name, roles=list(user.roles))


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self._verifier = TokenVerifier(JwksCache(identity.keys.jwks_json))

    @property
    def verifier(self) -> _CheckedVerifier:
        return _CheckedVerifier(self._verifier)

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
            refresh_token=result.refresh_token,
        )

    def CancelLogin(self, request, context):  # noqa: N802
        self.identity.cancel_login(request.order_ref)
        return pb.CancelLoginResponse()

    def GetJwks(self, request, context):  # noqa: N802
        return pb.GetJwksResponse(jwks_json=self.identity.keys.jwks_json())

    def GetMe(self, request, context):  # noqa: N802
        return user_message(self.identity.user(current_principal().user_id))

    def RefreshToken(self, request, context):  # noqa: N802
        pair = self.identity.refresh(request.refresh_token)
        return pb.RefreshTokenResponse(
            access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
        )

    def Logout(self, request, context):  # noqa: N802
        if request.refresh_token:
            self.identity.logout(refresh_token=request.refresh_token)
        else:
            # Public method: the access token is checked here, when there is no refresh token.
            principal = self.verifier.verify(bearer(dict(context.invocation_metadata()).get("authorization")))
            self.identity.logout(session_id=principal.session_id, user_id=principal.user_id)
        return pb.LogoutResponse()


def register(identity: Identity):  # type: ignore[no-untyped-def]
    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(identity), server)
        return [pb.DESCRIPTOR.services_by_name["IdentityService"].full_name]

    return _register


def bankid_client(settings: settings_module.IdentitySettings) -> tuple[RpClient, SimulatorServer | None]:
    """The RP API client, pointed at BankID (FICKAN_BANKID_URL) or, only when FICKAN_BANKID_SIMULATOR=1,
    at the simulator started here on its own thread. Neither configured: the api refuses to start."""
    if settings.bankid_simulator:
        if settings.bankid_url:
            raise SystemExit("Set FICKAN_BANKID_URL or FICKAN_BANKID_SIMULATOR=1, not both.")
        simulator = bankid.Simulator(settings.simulator_pending_collects, names=demo_names())
        server = SimulatorServer(simulator, settings.simulator_host, settings.simulator_port).start()
        return RpClient(server.url, timeout=settings.bankid_timeout), server
    if not settings.bankid_url:
        raise SystemExit(
            "No BankID is configured: set FICKAN_BANKID_URL and FICKAN_BANKID_CERT (see README.md), or "
            "FICKAN_BANKID_SIMULATOR=1 for the built-in test simulator (never in production)."
        )
    tls = TlsSettings(settings.bankid_cert, settings.bankid_key, settings.bankid_cert_password, settings.bankid_ca)
    return RpClient(settings.bankid_url, tls, timeout=settings.bankid_timeout), None


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
    client, simulator = bankid_client(settings)
    identity = Identity(
        db,
        keys,
        client,
        settings.access_token_ttl,
        on_events=flusher.kick,
        sessions=SessionPolicy(settings.refresh_idle, settings.refresh_absolute),
        limiter=LoginLimiter(settings.login_limit_ip, settings.login_limit_person, settings.login_limit_window),
    )
    verifier = TokenVerifier(JwksCache(keys.jwks_json))

    def stop() -> None:
        publisher.close()
        if simulator:
            simulator.stop()

    run_api(settings.service, register(identity), verifier, PUBLIC_METHODS, on_stop=stop)


if __name__ == "__main__":
    main()
