"""`make up` (scripts/fickanctl.py) passes the user's own FICKAN_* settings to every process, so a
tester can change a limit locally; the platform's own wiring (ports, addresses, databases) stays."""

from __future__ import annotations

from fickanctl import Platform


def test_the_users_fickan_settings_reach_every_process(tmp_path, monkeypatch):
    monkeypatch.setenv("FICKAN_LOGIN_LIMIT_PER_IP", "5")
    monkeypatch.setenv("FICKAN_ACCESS_TOKEN_TTL", "120")
    monkeypatch.setenv("FICKAN_GRPC_PORT", "1")  # wiring: the platform decides
    monkeypatch.setenv("FICKAN_IDENTITY_TARGET", "elsewhere:1")
    platform = Platform.on_free_ports(tmp_path)

    for process in platform.plan():
        assert process.env["FICKAN_LOGIN_LIMIT_PER_IP"] == "5", process.name
        assert process.env["FICKAN_ACCESS_TOKEN_TTL"] == "120", process.name
        assert process.env["FICKAN_IDENTITY_TARGET"] == platform.target("identity"), process.name
        if process.name.endswith("-api"):
            assert process.env["FICKAN_GRPC_PORT"] != "1"


def test_each_bff_serves_metrics_on_a_port_of_its_own_and_gets_a_session_key(tmp_path):
    platform = Platform.on_free_ports(tmp_path)
    bffs = {p.name: p for p in platform.plan() if p.name.startswith("bff-")}
    ports = {name: p.env["FICKAN_METRICS_PORT"] for name, p in bffs.items()}
    assert len(set(ports.values())) == 3
    for name, process in bffs.items():
        assert str(platform.ports[name.removeprefix("bff-")]) not in ports[name]
        assert len(process.env["FICKAN_WEB_SESSION_KEY"]) == 44  # a Fernet key, made once per folder
