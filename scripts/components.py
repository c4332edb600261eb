"""Fickan's deployable components and what each image holds, in one place: the Dockerfile's build
stage asks it which of the repository's projects to install, `make images` which images to build, and
tests/images checks each image's file list from it offline.

    python scripts/components.py names              # every component, one a line
    python scripts/components.py projects contact   # the local projects its image installs
    python scripts/components.py command contact    # the image's default command (JSON)
    python scripts/components.py config contact     # the file of its folder kept in /app, if any
    python scripts/components.py start contact      # /app/start, the image's default command as a script
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    name: str  # the image is fickan/<name>
    folder: str  # its own project
    package: str  # its top-level Python package
    projects: tuple[str, ...]  # pip requirements of local projects, in install order
    command: tuple[str, ...]  # the default command (k8s names the command of each process anyway)
    config: str = ""  # a file of its folder the image keeps in /app (nameko's config.yaml)


SERVICES = {
    "identity": 50051,
    "applications": 50052,
    "notifications": 50053,
    "contact": 50054,
    "insights": 50055,
}
BFFS = {"web": 8080, "mobile": 8081, "watch": 8082}

COMPONENTS: dict[str, Component] = {}
for _name in SERVICES:
    COMPONENTS[_name] = Component(
        name=_name,
        folder=f"services/{_name}",
        package=_name,
        projects=("libs/contracts", "libs/common[worker]", f"services/{_name}"),
        command=("python", "-m", f"{_name}.api"),
        config="config.yaml",
    )
for _device, _port in BFFS.items():
    COMPONENTS[f"bff-{_device}"] = Component(
        name=f"bff-{_device}",
        folder=f"bff/{_device}",
        package=f"bff_{_device}",
        projects=("libs/contracts", "libs/common", "libs/bff", f"bff/{_device}"),
        command=("gunicorn", "-b", f"0.0.0.0:{_port}", f"bff_{_device}.app:create_app()"),
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["names"]:
        print("\n".join(COMPONENTS))
        return 0
    if len(argv) == 2 and argv[0] in ("projects", "command", "config", "start") and argv[1] in COMPONENTS:
        component = COMPONENTS[argv[1]]
        if argv[0] == "projects":
            print(" ".join(component.projects))
        elif argv[0] == "command":
            print(json.dumps(list(component.command)))
        elif argv[0] == "start":
            print("#!/bin/sh")
            print(f"# {component.name}: the default process (Kubernetes names its own command)")
            print(f'exec {shlex.join(component.command)} "$@"')
        else:
            print(f"{component.folder}/{component.config}" if component.config else "")
        return 0
    print(f"usage: components.py names | projects|command|config|start <{'|'.join(COMPONENTS)}>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
