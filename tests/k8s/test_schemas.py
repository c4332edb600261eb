"""Every rendered object is valid: the Kubernetes kinds against the Kubernetes API's own schemas
(PyPI kubernetes-validate, strict: no unknown fields), the operators' kinds against the schemas of
their CRDs kept in k8s/schemas (origin in k8s/schemas/ORIGIN.md), made strict the same way.
No cluster is needed; a kind with no schema at all is an error, not a pass."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from test_manifests import TARGETS, render

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "k8s" / "schemas"
KUBERNETES = "1.32.0"  # the API version the manifests are written for (kubectl's here)


def strict(node: Any) -> Any:
    """Refuse fields a schema does not name (a misspelt key would otherwise be pruned silently)."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_validators() -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        key = (schema["properties"]["apiVersion"]["const"], schema["properties"]["kind"]["const"])
        found[key] = jsonschema.Draft7Validator(strict(schema))
    return found


def problems_of(doc: dict[str, Any]) -> list[str]:
    name = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    validator = crd_validators().get((doc.get("apiVersion"), doc.get("kind")))
    if validator is not None:
        return [f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
    try:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{name}: no schema for {doc.get('apiVersion')} {doc.get('kind')}"]
    except kubernetes_validate.ValidationError as exc:
        return [f"{name}: {'/'.join(map(str, exc.path))}: {exc.message}"]
    return []


@pytest.mark.parametrize("target", TARGETS)
def test_every_rendered_object_is_valid(target: str) -> None:
    problems = [p for doc in render(target) for p in problems_of(doc)]
    assert not problems, "\n".join(problems)


def test_the_operators_kinds_are_validated_by_their_own_schemas() -> None:
    kinds = {(d["apiVersion"], d["kind"]) for d in render("production")}
    by_crd = {kind for (_, kind) in kinds & set(crd_validators())}
    assert by_crd == {
        "RabbitmqCluster",
        "Cluster",
        "ScaledObject",
        "TriggerAuthentication",
        "ServiceMonitor",
        "PrometheusRule",
    }


def test_invalid_objects_are_named() -> None:
    docs = {f"{d['kind']}/{d['metadata']['name']}": d for d in copy.deepcopy(list(render("production")))}
    rabbit = docs["RabbitmqCluster/fickan-rabbitmq"]
    rabbit["spec"]["replicas"] = "three"
    database = docs["Cluster/contact-db"]
    database["spec"]["instanses"] = 3
    deployment = docs["Deployment/contact-api"]
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 7
    scaler = docs["ScaledObject/contact-worker"]
    del scaler["spec"]["scaleTargetRef"]
    assert any("spec/replicas: 'three' is not of type 'integer'" in p for p in problems_of(rabbit))
    assert any("'instanses' was unexpected" in p for p in problems_of(database))
    assert any("imagePullPolicy" in p for p in problems_of(deployment))
    assert any("'scaleTargetRef' is a required property" in p for p in problems_of(scaler))
    assert problems_of({"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "x"}}) == [
        "Gadget/x: no schema for example.org/v1 Gadget"
    ]
