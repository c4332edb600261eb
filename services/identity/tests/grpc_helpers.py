"""What identity's gRPC tests share: refusals as (code, details), bearer metadata, a whole login."""

from __future__ import annotations

import grpc
import pytest

from fickan.identity.v1 import identity_pb2 as pb

RESIDENT = "199001012385"


def code_of(call):  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def login(running, pnr: str = RESIDENT, device: int = pb.DEVICE_WEB):  # type: ignore[no-untyped-def]
    """Logs in through the simulator (which opens an order with a personnummer by itself)."""
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=pnr, device=device))
    while True:
        answer = running.stub.CollectLogin(
            pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
        )
        if answer.status != pb.CollectLoginResponse.PENDING:
            assert answer.status == pb.CollectLoginResponse.COMPLETE, answer.hint_code
            return answer
