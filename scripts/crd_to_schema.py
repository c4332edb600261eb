"""Turn an operator's CustomResourceDefinition into the JSON schema k8s/schemas keeps for the offline
validation (tests/k8s/test_schemas.py):

    python scripts/crd_to_schema.py CRD.yaml VERSION OUT.json

Takes the openAPIV3Schema of the served VERSION, pins apiVersion and kind, writes
`x-kubernetes-int-or-string` as "integer or string" (what the API server accepts), and drops the
descriptions (they are documentation, and most of the size). Record where the CRD came from in
k8s/schemas/ORIGIN.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def convert(node: Any) -> Any:
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    # a "description" string documents; a property named description (a dict) stays
    out = {k: convert(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def schema_of(crd: dict[str, Any], version: str) -> dict[str, Any]:
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version and v.get("served", True)]
    schema = convert(served["schema"]["openAPIV3Schema"])
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    schema.setdefault("properties", {})
    schema["properties"]["apiVersion"] = {"const": f"{group}/{version}"}
    schema["properties"]["kind"] = {"const": kind}
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = f"{kind} {group}/{version}"
    return schema


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    crd = yaml.safe_load(Path(argv[0]).read_text())
    Path(argv[2]).write_text(json.dumps(schema_of(crd, argv[1]), indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
