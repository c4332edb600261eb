"""BankID's own status: when BankID (here the simulator over HTTP, switched to maintenance) answers
`maintenance`, identity notes it and tells anyone who asks — without a login — that BankID has
disruptions; the first good answer after it clears the note, and an old note runs out by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
import requests

from fickan.identity.v1 import identity_pb2 as pb
from identity import bankid_status
from identity.bankid_status import BankIdStatus


def status(running) -> pb.BankIdStatus:  # type: ignore[no-untyped-def]
    running.identity.bankid_status._cached = None  # the api's 5-second copy: these tests ask at once
    return running.stub.GetBankIdStatus(pb.GetBankIdStatusRequest())


def test_the_simulators_maintenance_switch_is_told_to_everyone_until_bankid_answers_again(running) -> None:  # type: ignore[no-untyped-def]
    assert not status(running).disrupted
    base = running.bankid_url.split("/rp/")[0]
    switched = requests.post(base + "/simulator/maintenance", json={"on": True}, timeout=5)
    assert switched.status_code == 204

    with pytest.raises(grpc.RpcError) as refused:
        running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_WEB))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    told = status(running)  # no token: public, the login page asks it
    assert told.disrupted and told.since.ToDatetime(tzinfo=UTC) <= datetime.now(UTC)

    running.simulator.set_maintenance(False)
    running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_WEB))
    assert not status(running).disrupted


def test_the_simulator_page_switches_maintenance_on_and_off(running) -> None:  # type: ignore[no-untyped-def]
    base = running.bankid_url.split("/rp/")[0]
    page = requests.post(base + "/simulator/maintenance-switch", data={"on": "1"}, timeout=5)
    assert page.status_code == 200 and "BankID har driftstörningar" in page.text
    assert running.simulator.maintenance
    requests.post(base + "/simulator/maintenance-switch", data={"on": "0"}, timeout=5)
    assert not running.simulator.maintenance
    bad = requests.post(base + "/simulator/maintenance", json={"on": "yes"}, timeout=5)
    assert bad.status_code == 400


def test_an_old_note_runs_out_when_nobody_has_asked_bankid_since(running) -> None:  # type: ignore[no-untyped-def]
    clock = [datetime.now(UTC)]
    watched = BankIdStatus(running.db, cache_seconds=0, now=lambda: clock[0])
    watched.saw_disruption("maintenance")
    assert watched.current().disrupted
    clock[0] += bankid_status.HOLD + timedelta(seconds=1)
    assert not watched.current().disrupted
    watched.saw_disruption("maintenance")  # a new disruption starts anew
    assert watched.current().since == clock[0]
