"""BankID orders over real gRPC against the simulator, through the real RP client: the QR flow
(scanned like the app does), same-device start, the 2 s collect throttle, signing and phone
identification, and their refusals."""

from __future__ import annotations

import hashlib
import time

import grpc
import pytest
import requests
from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan.identity.v1 import identity_pb2 as pb
from fickan_common.errors import NotFound, RateLimited
from fickan_common.events import parse_data
from identity.limits import LoginLimiter, LoginLimits
from identity.service import Identity
from identity.store import OUTBOX, Signature
from identity.texts import TOO_MANY

RESIDENT = "199001012385"
PARTNER = "199001022384"


def code_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def app(running, path, body):
    """The person's BankID app, played by the simulator's control API over HTTP."""
    base = running.bankid_url.split("/rp/")[0]
    return requests.post(f"{base}/simulator/{path}", json=body, timeout=5)


def collect_until_done(stub, order_ref, method="CollectLogin", metadata=(), secret=""):
    request = pb.CollectLoginRequest(order_ref=order_ref, collect_secret=secret) if method == "CollectLogin" else None
    for _ in range(20):
        if method == "CollectLogin":
            answer = stub.CollectLogin(request)
        else:
            answer = stub.CollectSign(pb.CollectSignRequest(order_ref=order_ref), metadata=metadata)
        if answer.status not in (pb.CollectLoginResponse.PENDING, pb.PENDING):
            return answer
    raise AssertionError("the order never finished")


def bearer(token):
    return [("authorization", f"Bearer {token}")]


def login_token(running, pnr=RESIDENT, device=pb.DEVICE_WEB):
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=pnr, device=device))
    return collect_until_done(running.stub, started.order_ref, secret=started.collect_secret).access_token


def test_a_qr_login_waits_for_the_scan_and_logs_in_whoever_scanned(running):
    started = running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_WEB, end_user_ip="192.0.2.10"))
    pending = running.stub.CollectLogin(
        pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
    )
    assert pending.status == pb.CollectLoginResponse.PENDING and pending.hint_code == "outstandingTransaction"
    assert pending.user_message == "Starta BankID-appen." and pending.user_message_en == "Start your BankID app."
    # the app checks the code it scans: a forged one is refused
    token, seconds, _ = pending.qr_data.split(".")[1:]
    assert app(running, "scan", {"qrData": f"bankid.{token}.{seconds}.{'0' * 64}"}).status_code == 400
    assert app(running, "scan", {"qrData": pending.qr_data, "personalNumber": PARTNER}).status_code == 200
    done = collect_until_done(running.stub, started.order_ref, secret=started.collect_secret)
    assert done.status == pb.CollectLoginResponse.COMPLETE and done.user.name == "Sara Andersson"


def test_the_qr_code_changes_every_second_and_never_shows_the_secret(running):
    started = running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_WEB))
    first = running.stub.CollectLogin(
        pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
    ).qr_data
    time.sleep(1.1)
    second = running.stub.CollectLogin(
        pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
    ).qr_data
    assert first != second and first.split(".")[1] == second.split(".")[1]
    assert int(second.split(".")[2]) >= int(first.split(".")[2]) + 1
    with running.db.transaction() as session:
        from identity.store import LoginOrder

        secret = session.get(LoginOrder, started.order_ref).qr_start_secret
    assert secret not in first + second + str(started)


def test_same_device_start_with_the_autostart_token_and_a_return_url(running):
    started = running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_MOBILE, return_url="fickan://login/klar"))
    pending = running.stub.CollectLogin(
        pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
    )
    assert pending.user_message == "Försöker starta BankID-appen."  # RFA13 on the same device
    opened = app(running, "autostart", {"autoStartToken": started.auto_start_token})
    assert opened.status_code == 200 and opened.json()["returnUrl"] == "fickan://login/klar"
    done = collect_until_done(running.stub, started.order_ref, secret=started.collect_secret)
    assert done.status == pb.CollectLoginResponse.COMPLETE and done.user.name == "Anna Andersson"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://evil.example/",
        "ftp://x/",
        "https://" + "a" * 600,
        "https://evil.example/phish",  # BankID's app would open it after the person identified
        "https://user@evil.example/",
        "https://fickan.example.se.evil.example/",
    ],
)
def test_a_return_url_that_is_not_allowed_is_refused(running, url):
    code, details = code_of(lambda: running.stub.StartLogin(pb.StartLoginRequest(device=pb.DEVICE_WEB, return_url=url)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "inte tillåten" in details


def test_https_return_urls_lead_only_to_the_configured_hosts(running):
    ours = Identity(
        running.db, running.identity.keys, running.identity.bankid, collect_interval=0, return_hosts=["e.kommun.se"]
    )
    order, _ = ours.login.start("", "mobile", "192.0.2.1", return_url="https://e.kommun.se/logga-in/vantar")
    assert order.order_ref
    with pytest.raises(Exception) as err:
        ours.login.start("", "mobile", "192.0.2.1", return_url="https://evil.example/phish")
    assert "inte tillåten" in str(err.value)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("userCancel", "Åtgärden avbruten."),
        ("expiredTransaction", "BankID-appen svarar inte."),
        ("certificateErr", "för gammalt eller spärrat"),
        ("startFailed", "Misslyckades att läsa av QR-koden"),
        ("somethingBankIdAddsLater", "Okänt fel. Försök igen."),
    ],
)
def test_each_failure_gets_the_text_bankid_prescribes(running, outcome, message):
    running.simulator.set_scenario(outcome, after=0, personal_number=RESIDENT)
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=RESIDENT, device=pb.DEVICE_WEB))
    answer = collect_until_done(running.stub, started.order_ref, secret=started.collect_secret)
    assert answer.status == pb.CollectLoginResponse.FAILED and answer.hint_code == outcome
    assert message in answer.user_message and answer.user_message_en


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("maintenance", grpc.StatusCode.UNAVAILABLE),
        ("internalError", grpc.StatusCode.UNAVAILABLE),
        ("tooManyRequests", grpc.StatusCode.RESOURCE_EXHAUSTED),
    ],
)
def test_bankid_errors_at_start_are_told_plainly(running, error, code):
    running.simulator.fail_next(error, times=5)  # maintenance is retried twice, then given up
    got, details = code_of(
        lambda: running.stub.StartLogin(pb.StartLoginRequest(personal_number=RESIDENT, device=pb.DEVICE_WEB))
    )
    assert got == code and details


def test_maintenance_once_is_retried_without_the_resident_noticing(running):
    running.simulator.fail_next("maintenance", times=1)
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=RESIDENT, device=pb.DEVICE_WEB))
    assert started.order_ref


def test_bankid_is_asked_at_most_every_collect_interval(running, monkeypatch):
    throttled = Identity(running.db, running.identity.keys, running.identity.bankid, collect_interval=2.0)
    calls = []
    original = throttled.bankid.collect
    monkeypatch.setattr(throttled.bankid, "collect", lambda ref: calls.append(ref) or original(ref))
    order, _ = throttled.login.start("", "web", "127.0.0.1")
    for _ in range(5):
        result = throttled.login.collect(order.order_ref, order.collect_secret)
        assert result.status == "pending" and result.qr_data.startswith("bankid.")
    assert len(calls) == 1


def limited_identity(running, **limits):
    return Identity(
        running.db,
        running.identity.keys,
        running.identity.bankid,
        collect_interval=0,
        limiter=LoginLimiter(LoginLimits(**limits)),
    )


def test_login_starts_are_rate_limited_per_personnummer_without_keeping_it(running):
    limited = limited_identity(running, per_person=2)
    for _ in range(2):
        order, _ = limited.login.start(RESIDENT, "web", "192.0.2.1")
        limited.login.cancel(order.order_ref, order.collect_secret)
    with pytest.raises(RateLimited) as err:
        limited.login.start(RESIDENT, "web", "192.0.2.2")
    assert err.value.message == TOO_MANY.sv
    assert all(RESIDENT not in key for key in limited.limiter.keys())


def test_the_ip_limit_is_a_high_ceiling_with_its_own_message(running):
    limited = limited_identity(running, per_ip=4)
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):  # many people scanning from many places
        for _ in range(3):
            order, _ = limited.login.start("", "web", ip)
            limited.login.cancel(order.order_ref, order.collect_secret)
    limited.login.start("", "web", "192.0.2.1")
    with pytest.raises(RateLimited) as err:  # but one address starting without end is stopped
        limited.login.start("", "web", "192.0.2.1")
    assert "samma nätverk" in err.value.message


def test_the_default_ip_ceiling_lets_a_whole_library_log_in():
    """Carrier-grade NAT: hundreds of residents behind one address on the first morning."""
    limiter = LoginLimiter()
    people = [f"19{80 + i // 365:02d}0101{i:04d}" for i in range(300)]
    assert all(limiter.start_refused("198.51.100.7", pnr, f"phone-{i}") is None for i, pnr in enumerate(people))


def test_one_device_and_one_person_are_limited_whatever_address_they_use(running):
    limited = limited_identity(running, per_client=3)
    for i in range(3):
        order, _ = limited.login.start("", "mobile", f"192.0.2.{i}", client_key="phone-1")
        limited.login.cancel(order.order_ref, order.collect_secret)
    with pytest.raises(RateLimited) as err:
        limited.login.start("", "mobile", "192.0.2.99", client_key="phone-1")
    assert "den här enheten" in err.value.message
    limited.login.start("", "mobile", "192.0.2.99", client_key="phone-2")  # another phone is not hit


def test_the_bankid_order_rate_is_capped_for_everyone_together(running):
    limited = limited_identity(running, orders_per_minute=3)
    for i in range(3):
        order, _ = limited.login.start("", "web", f"192.0.2.{i}")
        limited.login.cancel(order.order_ref, order.collect_secret)
    with pytest.raises(RateLimited) as err:
        limited.login.start("", "web", "192.0.2.50")
    assert "Många loggar in just nu" in err.value.message


def test_failed_collects_from_one_address_are_limited(running):
    limited = limited_identity(running, failed_collects_per_ip=3)
    order, _ = limited.login.start("", "web", "192.0.2.1")
    for _ in range(3):  # someone trying an order_ref without its secret
        with pytest.raises(NotFound):
            limited.login.collect(order.order_ref, "guess", "203.0.113.9")
    with pytest.raises(RateLimited):
        limited.login.collect(order.order_ref, order.collect_secret, "203.0.113.9")
    # the person who started it, elsewhere, is not hit
    assert limited.login.collect(order.order_ref, order.collect_secret, "192.0.2.1").status == "pending"


def test_a_leaked_order_ref_alone_completes_nobodys_login(running):
    """The probe: an orderRef read in a log was enough to take over the login (and its tokens)."""
    started = running.stub.StartLogin(pb.StartLoginRequest(personal_number=RESIDENT, device=pb.DEVICE_MOBILE))
    assert len(started.collect_secret) >= 40
    last = started.collect_secret[-1]
    for secret in ("", "x" * 43, started.collect_secret[:-1] + ("B" if last == "A" else "A")):
        code, _ = code_of(
            lambda s=secret: running.stub.CollectLogin(
                pb.CollectLoginRequest(order_ref=started.order_ref, collect_secret=s)
            )
        )
        assert code == grpc.StatusCode.NOT_FOUND
    code, _ = code_of(lambda: running.stub.CancelLogin(pb.CancelLoginRequest(order_ref=started.order_ref)))
    assert code == grpc.StatusCode.NOT_FOUND
    # the client that started it still logs in, and identity keeps only the secret's hash
    done = collect_until_done(running.stub, started.order_ref, secret=started.collect_secret)
    assert done.status == pb.CollectLoginResponse.COMPLETE and done.access_token
    with running.db.read() as session:
        from identity.store import LoginOrder

        stored = session.get(LoginOrder, started.order_ref).collect_secret_hash
    assert stored and started.collect_secret not in stored


def test_signing_stores_the_signature_and_announces_it(running):
    token = login_token(running)
    started = running.stub.StartSign(
        pb.StartSignRequest(
            user_visible_data="Jag intygar att uppgifterna är sanna.",
            reference="application:1234",
            device=pb.DEVICE_WEB,
        ),
        metadata=bearer(token),
    )
    done = collect_until_done(running.stub, started.order_ref, "CollectSign", bearer(token))
    assert done.status == pb.COMPLETE and done.signature_id and done.reference == "application:1234"
    with running.db.transaction() as session:
        stored = session.get(Signature, done.signature_id)
        events = session.execute(select(OUTBOX.table.c.envelope)).scalars().all()
    assert stored.signature and stored.ocsp_response and len(stored.text_sha256) == 64
    signed = [parse_data(e, events_pb2.SignatureCompleted) for e in events if e["event_type"] == "signature_completed"]
    assert [(s.signature_id, s.reference) for s in signed] == [(done.signature_id, "application:1234")]


def test_someone_else_cannot_collect_or_cancel_my_signing(running):
    mine, theirs = login_token(running), login_token(running, PARTNER)
    started = running.stub.StartSign(
        pb.StartSignRequest(user_visible_data="Text", reference="application:1", device=pb.DEVICE_WEB),
        metadata=bearer(mine),
    )
    for call in (
        lambda: running.stub.CollectSign(pb.CollectSignRequest(order_ref=started.order_ref), metadata=bearer(theirs)),
        lambda: running.stub.CancelSign(pb.CancelSignRequest(order_ref=started.order_ref), metadata=bearer(theirs)),
    ):
        assert code_of(call)[0] == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(("text", "reference"), [("", "application:1"), ("x" * 4001, "application:1"), ("Text", "")])
def test_signing_refuses_an_empty_or_too_long_text_and_a_missing_reference(running, text, reference):
    token = login_token(running)
    code, _ = code_of(
        lambda: running.stub.StartSign(
            pb.StartSignRequest(user_visible_data=text, reference=reference, device=pb.DEVICE_WEB),
            metadata=bearer(token),
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_signing_needs_a_login(running):
    code, _ = code_of(
        lambda: running.stub.StartSign(pb.StartSignRequest(user_visible_data="T", reference="r", device=1))
    )
    assert code == grpc.StatusCode.UNAUTHENTICATED


def test_phone_identification_is_for_contact_agents_and_names_the_caller(running):
    agent = running.identity.users.ensure("198501032380", "Vera Vägledare", ["resident", "contact_agent"], "", "ÄSSF")
    agent_token = running.identity.sessions.access_token(agent, "web", "s1")
    resident_token = login_token(running, PARTNER)
    request = pb.StartPhoneAuthRequest(personal_number=RESIDENT, call_initiator="user")
    assert code_of(lambda: running.stub.StartPhoneAuth(request, metadata=bearer(resident_token)))[0] == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    started = running.stub.StartPhoneAuth(request, metadata=bearer(agent_token))
    for _ in range(5):
        answer = running.stub.CollectPhoneAuth(
            pb.CollectPhoneAuthRequest(order_ref=started.order_ref), metadata=bearer(agent_token)
        )
        if answer.status != pb.PENDING:
            break
    assert answer.status == pb.COMPLETE and answer.name == "Anna Andersson" and answer.user_id
    bad = pb.StartPhoneAuthRequest(personal_number=RESIDENT, call_initiator="someone")
    assert code_of(lambda: running.stub.StartPhoneAuth(bad, metadata=bearer(agent_token)))[0] == (
        grpc.StatusCode.INVALID_ARGUMENT
    )


TEXT = "Text att skriva under"


def test_a_signature_can_be_read_back_by_its_signer_only(running):
    token = login_token(running)
    started = running.stub.StartSign(
        pb.StartSignRequest(user_visible_data=TEXT, reference="application:9:v3", device=pb.DEVICE_WEB),
        metadata=bearer(token),
    )
    done = collect_until_done(running.stub, started.order_ref, "CollectSign", bearer(token))
    info = running.stub.GetSignature(pb.GetSignatureRequest(signature_id=done.signature_id), metadata=bearer(token))
    assert info.reference == "application:9:v3" and info.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    other = login_token(running, PARTNER)
    request = pb.GetSignatureRequest(signature_id=done.signature_id)
    assert code_of(lambda: running.stub.GetSignature(request, metadata=bearer(other)))[0] == grpc.StatusCode.NOT_FOUND
    bad = pb.GetSignatureRequest(signature_id="nope")
    assert (
        code_of(lambda: running.stub.GetSignature(bad, metadata=bearer(token)))[0] == grpc.StatusCode.INVALID_ARGUMENT
    )


def test_a_resident_resolves_a_co_applicant_without_learning_anything_else(running):
    token = login_token(running)
    first = running.stub.ResolvePerson(pb.ResolvePersonRequest(personal_number="19900102-2384"), metadata=bearer(token))
    again = running.stub.ResolvePerson(pb.ResolvePersonRequest(personal_number="199001022384"), metadata=bearer(token))
    assert first.user_id == again.user_id and first.masked == "19900102-****"
    # the partner logging in later is the same user
    partner = running.stub.StartLogin(pb.StartLoginRequest(personal_number=PARTNER, device=pb.DEVICE_WEB))
    assert (
        collect_until_done(running.stub, partner.order_ref, secret=partner.collect_secret).user.user_id == first.user_id
    )
    bad = pb.ResolvePersonRequest(personal_number="19900102-2385")
    assert (
        code_of(lambda: running.stub.ResolvePerson(bad, metadata=bearer(token)))[0] == grpc.StatusCode.INVALID_ARGUMENT
    )


def valid_personnummer(n: int) -> str:
    """The n:th of many valid, distinct personnummer (Luhn check digit), born in the 1980s."""
    year, day, serial = 80 + n // 900, 1 + (n // 300) % 28, n % 300 * 3 + 1
    body = f"{year:02d}01{day:02d}{serial:03d}"
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(body))
    return f"19{body}{(10 - total % 10) % 10}"


def test_two_hundred_people_log_in_from_one_address(running):
    """Carrier-grade NAT, a library's computers: the first morning of an application period, hundreds
    of residents behind one IPv4 address. With the default limits every one of them logs in."""
    if not running.db.url.startswith("sqlite"):
        pytest.skip("the limits live in the api's memory: another database changes nothing here")
    people = [valid_personnummer(n) for n in range(200)]
    assert len(set(people)) == 200
    for pnr in people:
        started = running.stub.StartLogin(
            pb.StartLoginRequest(personal_number=pnr, device=pb.DEVICE_MOBILE, end_user_ip="198.51.100.7")
        )
        done = collect_until_done(running.stub, started.order_ref, secret=started.collect_secret)
        assert done.status == pb.CollectLoginResponse.COMPLETE, pnr
