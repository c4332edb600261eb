"""Generate Python code and .pyi stubs from proto/ into libs/contracts (git-ignored).

Run by `make up` and `make test`; run it by hand after changing a .proto file.
`--out DIR` writes into another copy of libs/contracts (scripts/check_alone.sh builds its wheel
from one in a temporary folder, never touching the tree other processes import from).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
OUT = ROOT / "libs" / "contracts"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="a copy of libs/contracts (default: libs/contracts)")
    out = parser.parse_args().out.resolve()
    protos = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    include = str(Path(protoc.__file__).parent / "_proto")  # google/protobuf/*.proto
    args = [
        "protoc",
        f"-I{PROTO}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        print("protoc failed", file=sys.stderr)
        return 1
    # Regular packages (with __init__.py) so an editable install and type checkers find them.
    for folder in [out / "fickan", *(out / "fickan").rglob("*")]:
        if folder.is_dir() and folder.name != "__pycache__":
            (folder / "__init__.py").touch()
    print(f"generated {len(protos)} proto files into {out}/fickan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
