"""Observability: the alert rules pass promtool's own unit tests (k8s/monitoring/alerts.test.yaml),
every metric the rules and the month-start dashboard read is one the code really exports (or one of
RabbitMQ's per-queue metrics the ServiceMonitor asks for), and every process is scraped by a
ServiceMonitor of the production overlay."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from test_manifests import PROCESSES, deployments, of_kind, ref, render, selects

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "k8s" / "monitoring"
ALERTS = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
DASHBOARD = json.loads((MONITORING / "dashboards" / "month-start-surge.json").read_text())

# RabbitMQ's per-queue metrics: the rabbitmq_prometheus plugin's /metrics/detailed endpoint, families
# queue_coarse_metrics (…_messages_ready, …_messages_unacked, …_messages) and queue_consumer_count
# (…_consumers), as the ServiceMonitor fickan-rabbitmq requests them.
RABBITMQ_DETAILED = {
    "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked",
    "rabbitmq_detailed_queue_messages",
    "rabbitmq_detailed_queue_consumers",
}
METRIC = re.compile(r"\b((?:fickan|rabbitmq)_[a-z0-9_]+)\b")
DEFINED = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"", re.S)


def promtool() -> str:
    found = shutil.which("promtool") or str(ROOT / "var" / "tools" / "promtool")
    if not Path(found).is_file():
        pytest.fail("promtool not found: run scripts/ensure_test_services.sh (it takes it from Debian's prometheus)")
    return found


@cache
def exported() -> frozenset[str]:
    """Every series name the code's prometheus-client metrics produce."""
    names: set[str] = set()
    folders = [*ROOT.glob("libs/*/fickan_*"), *ROOT.glob("bff/*/bff_*")]
    folders += [ROOT / "services" / s / s for s in ("identity", "applications", "notifications", "contact", "insights")]
    for folder in folders:
        for path in folder.rglob("*.py"):
            for kind, name in DEFINED.findall(path.read_text()):
                if kind == "Counter":
                    base = name.removesuffix("_total")
                    names |= {f"{base}_total", f"{base}_created"}
                elif kind in ("Histogram", "Summary"):
                    names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum", f"{name}_created"}
                else:
                    names.add(name)
    return frozenset(names)


def expressions() -> list[tuple[str, str]]:
    """(where, PromQL) of every alert rule and dashboard query."""
    found = [(f"alert {rule['alert']}", rule["expr"]) for group in ALERTS["spec"]["groups"] for rule in group["rules"]]
    for panel in DASHBOARD["panels"]:
        found += [(f"panel '{panel['title']}'", target["expr"]) for target in panel["targets"]]
    return found


def unknown_metrics(exprs: list[tuple[str, str]]) -> list[str]:
    problems = []
    for where, expr in exprs:
        for name in METRIC.findall(expr):
            known = name in RABBITMQ_DETAILED if name.startswith("rabbitmq_") else name in exported()
            if not known:
                problems.append(f"{where}: {name} is exported by no code")
    return problems


def test_the_alert_rules_pass_promtool(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": ALERTS["spec"]["groups"]}, sort_keys=False))
    shutil.copy(MONITORING / "alerts.test.yaml", tmp_path / "alerts.test.yaml")
    tool = promtool()
    check = subprocess.run([tool, "check", "rules", "rules.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    test = subprocess.run([tool, "test", "rules", "alerts.test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert test.returncode == 0, test.stdout + test.stderr


def test_the_alerts_the_issue_names_exist() -> None:
    names = {rule["alert"] for group in ALERTS["spec"]["groups"] for rule in group["rules"]}
    assert {
        "FickanOutboxBacklogGrowing",
        "FickanDeadLetters",
        "FickanApplicationNearItsTarget",
        "FickanGrpcErrorRatioHigh",
        "FickanHttpErrorRatioHigh",
        "FickanQueueWithoutConsumer",
        "FickanConsumerNotConsuming",
    } <= names
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "alerts.test.yaml").read_text()))
    assert names == tested, f"alerts without a promtool test: {sorted(names - tested)}"


def test_every_metric_read_is_one_the_code_exports() -> None:
    problems = unknown_metrics(expressions())
    assert not problems, "\n".join(problems)


def test_the_dashboard_shows_the_month_start_surge() -> None:
    queries = " ".join(expr for _, expr in expressions() if not _.startswith("alert"))
    for wanted in (
        "fickan_http_requests_total",  # requests
        "fickan_http_request_seconds_bucket",  # latency
        "rabbitmq_detailed_queue_messages_ready",  # queue depth
        "fickan_notifications_event_to_inbox_seconds_bucket",  # event-to-inbox latency
    ):
        assert wanted in queries, f"the dashboard lacks {wanted}"
    assert all(panel["datasource"]["uid"] == "${datasource}" for panel in DASHBOARD["panels"])


def test_every_process_has_a_service_monitor_in_production() -> None:
    docs = render("production")
    monitors = of_kind(docs, "ServiceMonitor")
    services = of_kind(docs, "Service")
    missing = []
    for deployment in deployments(docs).values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        scraped = [
            monitor
            for monitor in monitors
            for service in services
            if selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
            and selects(service["spec"].get("selector") or {}, labels)
            and any(e.get("port") == "metrics" for e in monitor["spec"]["endpoints"])
            and any(p.get("name") == "metrics" for p in service["spec"]["ports"])
        ]
        if len(scraped) != 1:
            missing.append(f"{ref(deployment)}: scraped by {len(scraped)} ServiceMonitors")
    assert set(deployments(docs)) == set(PROCESSES)
    assert not missing, "\n".join(missing)


def test_checks_name_a_misspelt_metric() -> None:
    exprs = [("alert X", "max(fickan_outbox_backlogs) > 1 and rabbitmq_detailed_queue_consumer == 0")]
    assert unknown_metrics(exprs) == [
        "alert X: fickan_outbox_backlogs is exported by no code",
        "alert X: rabbitmq_detailed_queue_consumer is exported by no code",
    ]
