"""The simulator answers public BankID RP v6 client libraries (pybankid, bankid-sdk) as BankID
would, and identity's own RP client talks mutual TLS with PEM and PKCS#12 client certificates.

No BankID RP v6 *server* double is published on PyPI or npm (searched 2026-11: only clients), so
the RP client is checked against the simulator here and against the shapes those libraries accept.
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from bankid import BankIDClient
from bankid import exceptions as pybankid_errors
from bankid_sdk import SyncV60
from bankid_sdk import errors as sdk_errors
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from identity.bankid.client import RpClient, TlsSettings
from identity.bankid.simulator_server import SimulatorServer
from identity.domain.bankid import BankIdError, Simulator

RESIDENT = "199001012385"


class LoopbackPyBankId(BankIDClient):
    """pybankid's client with its fixed BankID address replaced by the simulator's."""

    def __init__(self, base_url: str) -> None:
        self.certs = None
        self.api_url = base_url
        for attr, path in [
            ("_auth_endpoint", "auth"),
            ("_phone_auth_endpoint", "phone/auth"),
            ("_sign_endpoint", "sign"),
            ("_phone_sign_endpoint", "phone/sign"),
            ("_collect_endpoint", "collect"),
            ("_cancel_endpoint", "cancel"),
        ]:
            setattr(self, attr, urljoin(base_url, path))
        self.client = httpx.Client(headers={"Content-Type": "application/json"}, timeout=5)


def _collect_until_done(collect, order_ref):
    for _ in range(5):
        answer = collect(order_ref)
        if (answer["status"] if isinstance(answer, dict) else type(answer).__name__) not in (
            "pending",
            "PendingCollect",
        ):
            return answer
    raise AssertionError("never finished")


def test_pybankid_logs_in_signs_and_cancels_against_the_simulator(simulator_server):
    client = LoopbackPyBankId(simulator_server.url)
    order = client.authenticate("192.0.2.1", requirement={"personalNumber": RESIDENT})
    assert set(order) == {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    done = _collect_until_done(client.collect, order["orderRef"])
    assert done["status"] == "complete" and done["completionData"]["user"]["personalNumber"] == RESIDENT
    signed = client.sign("192.0.2.1", "Jag intygar att uppgifterna är sanna.", requirement={"personalNumber": RESIDENT})
    assert _collect_until_done(client.collect, signed["orderRef"])["status"] == "complete"
    phone = client.phone_authenticate(RESIDENT, "user")
    assert client.cancel(phone["orderRef"]) is True
    with pytest.raises(pybankid_errors.InvalidParametersError):
        client.collect(phone["orderRef"])


@pytest.mark.parametrize(
    ("error_code", "exception"),
    [
        ("alreadyInProgress", pybankid_errors.AlreadyInProgressError),
        ("internalError", pybankid_errors.InternalError),
        ("maintenance", pybankid_errors.MaintenanceError),
        ("requestTimeout", pybankid_errors.RequestTimeoutError),
        ("unauthorized", pybankid_errors.UnauthorizedError),
    ],
)
def test_pybankid_reads_the_simulators_errors_as_bankid_errors(simulator_server, error_code, exception):
    simulator_server.simulator.fail_next(error_code)
    with pytest.raises(exception):
        LoopbackPyBankId(simulator_server.url).authenticate("192.0.2.1")


def test_pybankid_is_refused_a_second_order_for_the_same_person(simulator_server):
    client = LoopbackPyBankId(simulator_server.url)
    client.authenticate("192.0.2.1", requirement={"personalNumber": RESIDENT})
    with pytest.raises(pybankid_errors.AlreadyInProgressError):
        client.authenticate("192.0.2.1", requirement={"personalNumber": RESIDENT})


def test_bankid_sdk_reads_orders_collects_and_errors_with_their_http_statuses(simulator_server):
    host = simulator_server.url.split("/rp/")[0]
    client = SyncV60(httpx.Client(base_url=host, timeout=5))
    order = client.auth(end_user_ip="192.0.2.1", requirement=None)
    assert order.order_ref and order.qr_start_secret
    simulator_server.simulator.set_scenario("complete", after=0, order_ref=order.order_ref, personal_number=RESIDENT)
    done = client.collect(order.order_ref)
    assert type(done).__name__ == "CompleteCollect"
    assert done.completion_data.user.personal_number == RESIDENT
    simulator_server.simulator.fail_next("maintenance")
    with pytest.raises(sdk_errors.ServiceUnavailable):  # 503 + maintenance, as BankID answers
        client.auth(end_user_ip="192.0.2.1", requirement=None)
    with pytest.raises(sdk_errors.InvalidParameters):  # 400 + invalidParameters
        client.collect("6f1c1c1e-0000-4000-8000-000000000000")


# -- mutual TLS: identity's RP client with a client certificate, as against BankID ------------------
def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool = False, dns: str | None = None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def tls_simulator(tmp_path: Path):
    """The simulator over HTTPS, trusting only client certificates from its own test CA."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test BankID CA", ca_key, "Test BankID CA", ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server = _certificate("localhost", server_key, "Test BankID CA", ca_key, dns="localhost")
    client = _certificate("Fickan RP", client_key, "Test BankID CA", ca_key)

    def pem(path: Path, *parts: bytes) -> str:
        path.write_bytes(b"".join(parts))
        return str(path)

    key_pem = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    files = {
        "ca": pem(tmp_path / "ca.pem", ca.public_bytes(serialization.Encoding.PEM)),
        "server": pem(tmp_path / "server.pem", server.public_bytes(serialization.Encoding.PEM)),
        "server_key": pem(tmp_path / "server.key", server_key.private_bytes(*key_pem)),
        "client": pem(tmp_path / "client.pem", client.public_bytes(serialization.Encoding.PEM)),
        "client_key": pem(tmp_path / "client.key", client_key.private_bytes(*key_pem)),
    }
    p12 = pkcs12.serialize_key_and_certificates(
        b"fickan", client_key, client, None, serialization.BestAvailableEncryption(b"hemligt")
    )
    files["p12"] = pem(tmp_path / "client.p12", p12)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=files["ca"])
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(files["server"], files["server_key"])
    running = SimulatorServer(Simulator(pending_collects=0), port=0, tls=context).start()
    yield running, files
    running.stop()


def test_the_rp_client_talks_mutual_tls_with_a_pem_certificate(tls_simulator):
    server, files = tls_simulator
    client = RpClient(server.url, TlsSettings(files["client"], files["client_key"], "", files["ca"]))
    order = client.auth("192.0.2.1", RESIDENT)
    assert client.collect(order["orderRef"])["status"] == "complete"


def test_the_rp_client_talks_mutual_tls_with_a_pkcs12_certificate(tls_simulator):
    server, files = tls_simulator
    client = RpClient(server.url, TlsSettings(files["p12"], "", "hemligt", files["ca"]))
    assert client.auth("192.0.2.1", RESIDENT)["orderRef"]


def test_without_a_client_certificate_the_server_is_unreachable(tls_simulator):
    server, files = tls_simulator
    with pytest.raises(BankIdError) as err:
        RpClient(server.url, TlsSettings(ca_file=files["ca"]), maintenance_retries=0).auth("192.0.2.1", RESIDENT)
    assert err.value.error_code == "unreachable"
