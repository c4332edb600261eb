"""The identity api process: a grpcio server. It verifies tokens with its own keys."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import grpc

from fickan.identity.v1 import identity_pb2 as pb
from fickan.identity.v1 import identity_pb2_grpc as pb_grpc
from fickan_common.api import run_api
from fickan_common.db import Database
from fickan_common.errors import Unauthenticated, ValidationFailed
from fickan_common.events import BackgroundFlusher, Publisher
from fickan_common.grpc_server import TOKEN_MESSAGES, current_principal
from fickan_common.idempotency import IdempotencyStore
from fickan_common.revocations import RevocationFeed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import InvalidToken, JwksCache, Principal, TokenVerifier, bearer
from identity import settings as settings_module
from identity import texts
from identity.access_log import AccessLog
from identity.bankid.client import RpClient, TlsSettings
from identity.bankid.simulator_server import SimulatorServer
from identity.domain import bankid, personnummer
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.orders import CollectResult
from identity.pairing import WatchPairings
from identity.service import Identity
from identity.sessions import SessionPolicy
from identity.staff import Staff
from identity.store import IDEMPOTENCY, OUTBOX, User

DEVICE_NAMES = {pb.DEVICE_WEB: "web", pb.DEVICE_MOBILE: "mobile", pb.DEVICE_WATCH: "watch"}
STATUS = {
    "pending": pb.CollectLoginResponse.PENDING,
    "failed": pb.CollectLoginResponse.FAILED,
    "complete": pb.CollectLoginResponse.COMPLETE,
}
ORDER_STATUS = {"pending": pb.PENDING, "failed": pb.FAILED, "complete": pb.COMPLETE}
POLL_STATUS = {
    "authorization_pending": pb.PollWatchPairingResponse.AUTHORIZATION_PENDING,
    "slow_down": pb.PollWatchPairingResponse.SLOW_DOWN,
    "expired": pb.PollWatchPairingResponse.EXPIRED,
    "complete": pb.PollWatchPairingResponse.COMPLETE,
}
PUBLIC_METHODS = {
    f"/{pb.DESCRIPTOR.package}.IdentityService/{name}"
    for name in (
        "StartLogin",
        "CollectLogin",
        "CancelLogin",
        "GetJwks",
        "ListRevokedSessions",
        "RefreshToken",
        "Logout",
        "StartWatchPairing",
        "PollWatchPairing",
        "ExchangeWatchToken",
        "GetBankIdStatus",
    )
}
# A paired watch's glance token may only ask who it is.
GLANCE_METHODS = {f"/{pb.DESCRIPTOR.package}.IdentityService/GetMe"}
# Commands a client may repeat with an idempotency key and get the first answer.
COMMANDS = {
    f"/{pb.DESCRIPTOR.package}.IdentityService/{name}"
    for name in ("RevokeDevice", "ConfirmWatchPairing", "AssignRoles")
}


def _device(value: int) -> str:
    name = DEVICE_NAMES.get(value)
    if name is None:
        raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.UNKNOWN_DEVICE})
    return name


def user_message(user: User) -> pb.User:
    return pb.User(
        user_id=user.id,
        name=user.name,
        roles=list(user.roles or []),
        unit=user.unit or "",
        answer_group=user.answer_group or "",
    )


@dataclass
class Parts:
    """Everything the servicer serves, built once per process."""

    identity: Identity
    pairings: WatchPairings
    staff: Staff
    access_log: AccessLog


def build_parts(identity: Identity) -> Parts:
    access_log = AccessLog(identity.db)
    return Parts(identity, WatchPairings(identity), Staff(identity, access_log), access_log)


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.identity = parts.identity
        self._verifier = TokenVerifier(JwksCache(parts.identity.keys.jwks_json))

    def _caller_from_metadata(self, context: grpc.ServicerContext) -> Principal:
        """Inside a public method: the access token, when the method needs one after all."""
        try:
            return self._verifier.verify(bearer(dict(context.invocation_metadata()).get("authorization")))
        except InvalidToken as exc:
            raise Unauthenticated(TOKEN_MESSAGES[exc.reason]) from None

    # -- login ------------------------------------------------------------------------------------
    def StartLogin(self, request, context):  # noqa: N802
        order, qr = self.identity.login.start(
            request.personal_number,
            _device(request.device),
            request.end_user_ip,
            request.return_url,
            client_key=request.client_key,
        )
        return pb.StartLoginResponse(
            order_ref=order.order_ref,
            auto_start_token=order.auto_start_token,
            qr_data=qr,
            collect_secret=order.collect_secret,
        )

    def CollectLogin(self, request, context):  # noqa: N802
        result = self.identity.login.collect(request.order_ref, request.collect_secret, request.end_user_ip)
        return pb.CollectLoginResponse(
            status=STATUS[result.status],
            hint_code=result.hint_code,
            user_message=result.user_message,
            user_message_en=result.user_message_en,
            access_token=result.access_token,
            expires_in=result.expires_in,
            user=user_message(result.user) if result.user else None,
            qr_data=result.qr_data,
            refresh_token=result.refresh_token,
            idle_timeout=result.idle_timeout,
        )

    def CancelLogin(self, request, context):  # noqa: N802
        self.identity.login.cancel(request.order_ref, request.collect_secret, request.end_user_ip)
        return pb.CancelLoginResponse()

    def GetBankIdStatus(self, request, context):  # noqa: N802
        status = self.identity.bankid_status.current()
        answer = pb.BankIdStatus(disrupted=status.disrupted)
        if status.since is not None:
            answer.since.CopyFrom(to_timestamp(status.since))
        return answer

    def GetJwks(self, request, context):  # noqa: N802
        return pb.GetJwksResponse(jwks_json=self.identity.keys.jwks_json())

    def ListRevokedSessions(self, request, context):  # noqa: N802
        return pb.ListRevokedSessionsResponse(
            sessions=[
                pb.RevokedSession(session_id=sid, forget_after=to_timestamp(forget))
                for sid, forget in self.identity.sessions.revoked()
            ]
        )

    # -- sessions ---------------------------------------------------------------------------------
    def RefreshToken(self, request, context):  # noqa: N802
        pair = self.identity.sessions.refresh(request.refresh_token)
        return pb.RefreshTokenResponse(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
            idle_timeout=pair.idle_timeout,
        )

    def Logout(self, request, context):  # noqa: N802
        if request.refresh_token:
            self.identity.sessions.logout(refresh_token=request.refresh_token)
        else:
            principal = self._caller_from_metadata(context)
            self.identity.sessions.logout(session_id=principal.session_id, user_id=principal.user_id)
        return pb.LogoutResponse()

    # -- the caller -------------------------------------------------------------------------------
    def GetMe(self, request, context):  # noqa: N802
        return user_message(self.identity.users.get(current_principal().user_id))

    def GetMyMaskedPersonalNumber(self, request, context):  # noqa: N802
        user = self.identity.users.get(current_principal().user_id)
        return pb.MaskedPersonalNumber(masked=personnummer.parse(user.personal_number).masked())

    def ListMyDevices(self, request, context):  # noqa: N802
        return pb.ListMyDevicesResponse(
            devices=[
                pb.DeviceEntry(
                    device_id=d["device_id"],
                    kind=d["kind"],
                    created_at=to_timestamp(d["created_at"]),
                    last_used_at=to_timestamp(d["last_used_at"]),
                    current=d["current"],
                )
                for d in self.identity.devices.of(current_principal())
            ]
        )

    def RevokeDevice(self, request, context):  # noqa: N802
        self.identity.devices.revoke(current_principal(), request.device_id)
        return pb.RevokeDeviceResponse()

    # -- signing ----------------------------------------------------------------------------------
    def StartSign(self, request, context):  # noqa: N802
        order, qr = self.identity.signing.start(
            current_principal(),
            request.user_visible_data,
            request.reference,
            _device(request.device),
            request.end_user_ip,
            request.return_url,
        )
        return pb.StartSignResponse(order_ref=order.order_ref, auto_start_token=order.auto_start_token, qr_data=qr)

    def CollectSign(self, request, context):  # noqa: N802
        result: CollectResult = self.identity.signing.collect(current_principal(), request.order_ref)
        return pb.CollectSignResponse(
            status=ORDER_STATUS[result.status],
            hint_code=result.hint_code,
            user_message=result.user_message,
            user_message_en=result.user_message_en,
            qr_data=result.qr_data,
            signature_id=result.signature_id,
            reference=result.reference,
        )

    def CancelSign(self, request, context):  # noqa: N802
        self.identity.signing.cancel(current_principal(), request.order_ref)
        return pb.CancelSignResponse()

    def GetSignature(self, request, context):  # noqa: N802
        found = self.identity.signing.signature(current_principal(), request.signature_id)
        return pb.SignatureInfo(
            signature_id=found.id,
            user_id=found.user_id,
            reference=found.reference,
            text_sha256=found.text_sha256,
            signed_at=to_timestamp(found.signed_at),
        )

    def ResolvePerson(self, request, context):  # noqa: N802
        user_id, masked = self.identity.users.resolve_person(current_principal(), request.personal_number)
        return pb.ResolvePersonResponse(user_id=user_id, masked=masked)

    # -- phone identification ---------------------------------------------------------------------
    def StartPhoneAuth(self, request, context):  # noqa: N802
        order = self.identity.phone.start(current_principal(), request.personal_number, request.call_initiator)
        return pb.StartPhoneAuthResponse(order_ref=order.order_ref)

    def CollectPhoneAuth(self, request, context):  # noqa: N802
        result, caller = self.identity.phone.collect(current_principal(), request.order_ref)
        return pb.CollectPhoneAuthResponse(
            status=ORDER_STATUS[result.status],
            hint_code=result.hint_code,
            user_message=result.user_message,
            user_id=caller.id if caller else "",
            name=caller.name if caller else "",
        )

    # -- watch pairing ----------------------------------------------------------------------------
    def StartWatchPairing(self, request, context):  # noqa: N802
        started = self.parts.pairings.start()
        return pb.StartWatchPairingResponse(
            device_code=started.device_code,
            user_code=started.user_code,
            expires_in=started.expires_in,
            interval=started.interval,
        )

    def PollWatchPairing(self, request, context):  # noqa: N802
        result = self.parts.pairings.poll(request.device_code)
        return pb.PollWatchPairingResponse(
            status=POLL_STATUS[result.status], watch_token=result.watch_token, name=result.name
        )

    def ConfirmWatchPairing(self, request, context):  # noqa: N802
        return pb.ConfirmWatchPairingResponse(
            device_id=self.parts.pairings.confirm(current_principal(), request.user_code)
        )

    def ExchangeWatchToken(self, request, context):  # noqa: N802
        token, ttl = self.parts.pairings.exchange(request.watch_token)
        return pb.ExchangeWatchTokenResponse(access_token=token, expires_in=ttl)

    # -- roles ------------------------------------------------------------------------------------
    def AssignRoles(self, request, context):  # noqa: N802
        user = self.parts.staff.assign(
            current_principal(),
            request.personal_number,
            request.name,
            list(request.roles),
            request.unit,
            request.answer_group,
            request.reason,
        )
        return user_message(user)

    def ListStaff(self, request, context):  # noqa: N802
        staff = self.parts.staff
        return pb.ListStaffResponse(
            staff=[user_message(u) for u in staff.list(current_principal())], answer_groups=staff.answer_groups
        )

    # -- access log -------------------------------------------------------------------------------
    def ListMyAccessLog(self, request, context):  # noqa: N802
        entries = self.parts.access_log.for_resident(current_principal(), request.resource)
        return pb.ListAccessLogResponse(
            entries=[
                pb.AccessEntry(
                    at=to_timestamp(e.at),
                    actor_name=e.actor_name,
                    actor_role=e.actor_role,
                    actor_unit=e.actor_unit,
                    action=e.action,
                    resource=e.resource,
                    description=e.description,
                    reason=e.reason,
                    source=e.source,
                )
                for e in entries
            ]
        )

    def RecordAccess(self, request, context):  # noqa: N802
        self.parts.access_log.record(
            current_principal(),
            list(request.subject_ids),
            request.action,
            request.resource,
            request.description,
            request.reason,
        )
        return pb.RecordAccessResponse()


def register(parts: Parts | Identity):  # type: ignore[no-untyped-def]
    if isinstance(parts, Identity):
        parts = build_parts(parts)

    def _register(server: grpc.Server) -> Iterable[str]:
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(parts), server)
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
    for name, path in (("FICKAN_BANKID_CERT", settings.bankid_cert), ("FICKAN_BANKID_CA", settings.bankid_ca)):
        if path and not Path(path).is_file():
            raise SystemExit(f"{name} names {path}, which does not exist.")
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
        limiter=LoginLimiter(settings.login_limits),
        collect_interval=settings.bankid_collect_interval,
        return_schemes=settings.return_schemes,
        return_hosts=settings.return_hosts,
    )
    # identity follows its own session_revoked events like everyone (several api replicas).
    feed = RevocationFeed(
        settings.service.amqp_uri,
        lambda: [(sid, forget.timestamp()) for sid, forget in identity.sessions.revoked()],
        "identity",
    ).start()
    verifier = TokenVerifier(JwksCache(keys.jwks_json), revoked=feed)

    def stop() -> None:
        feed.stop()
        publisher.close()
        if simulator:
            simulator.stop()

    run_api(
        settings.service,
        register(identity),
        verifier,
        PUBLIC_METHODS,
        on_stop=stop,
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )


if __name__ == "__main__":
    main()
