"""Each image holds its own component and nothing else, checked offline (no Docker engine runs here).

From the one Dockerfile and .dockerignore: the base image is pinned to an exact release, the final
stage runs as a numeric non-root user and takes only /opt/venv and /app from the build stage, and the
build context (the repository as Docker would send it) carries no secret or local state but
everything the build stage copies. Then each image's files: the build stage installs the local
projects scripts/components.py names for the component, so the wheels of exactly those projects,
built from a copy of the context, are what its /opt/venv gets of Fickan's code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from components import COMPONENTS  # noqa: E402 - scripts/ is not a package

PINNED_BASE = re.compile(r"^python:\d+\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?$")
NEVER_IN_CONTEXT = re.compile(r"(^|/)(\.git|\.venv|var|node_modules)(/|$)|\.(pem|key|db|db-wal|db-shm)$|(^|/)\.env")


# --- the Dockerfile ------------------------------------------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, lines = [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not lines and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            lines.append(line[:-1].strip())
            continue
        lines.append(line)
        joined.append(" ".join(lines))
        lines = []
    out = []
    for entry in joined:
        word, _, rest = entry.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages(text: str) -> tuple[dict[str, str], list[list[tuple[str, str]]]]:
    """The global ARG defaults and the instructions of each stage (FROM first)."""
    args: dict[str, str] = {}
    found: list[list[tuple[str, str]]] = []
    for word, rest in instructions(text):
        if word == "FROM":
            found.append([(word, rest)])
        elif found:
            found[-1].append((word, rest))
        elif word == "ARG" and "=" in rest:
            name, _, value = rest.partition("=")
            args[name] = value
    return args, found


def check_dockerfile(text: str) -> list[str]:
    problems = []
    args, found = stages(text)
    if len(found) < 2:
        problems.append("not multi-stage: the final image must not be the build stage")
        return problems
    for stage in found:
        image = stage[0][1].split()[0]
        resolved = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image)
        named_stages = {s[0][1].split()[-1] for s in found if " AS " in s[0][1].upper()}
        if resolved not in named_stages and not PINNED_BASE.match(resolved):
            problems.append(f"FROM {image} ({resolved}) is not an exact python release")
    final = found[-1]
    users = [rest for word, rest in final if word == "USER"]
    if not users or not re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", users[-1]):
        problems.append(f"the final stage must end as a numeric non-root USER, found {users}")
    for word, rest in final:
        if word == "ADD":
            problems.append(f"the final stage ADDs {rest}")
        if word == "COPY":
            parts = rest.split()
            if not parts[0].startswith("--from="):
                problems.append(f"the final stage copies from the build context: COPY {rest}")
            elif parts[1] not in ("/opt/venv", "/app"):
                problems.append(f"the final stage takes {parts[1]} from the build stage")
    return problems


def build_stage_sources(text: str) -> list[str]:
    """What the build stage copies from the context."""
    _, found = stages(text)
    sources = []
    for stage in found[:-1]:
        for word, rest in stage:
            if word == "COPY" and not rest.startswith("--from="):
                sources.extend(rest.split()[:-1])
    return sources


# --- the build context (.dockerignore, with Docker's matching rules) -----------------------------


def pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + "$")


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((negated, pattern_regex(pattern)))
    return rules


def ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parent folders wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negated, regex in rules:
        if any(regex.match(c) for c in candidates):
            result = not negated
    return result


@cache
def context_files() -> tuple[str, ...]:
    rules = ignore_rules((ROOT / ".dockerignore").read_text())
    files = []
    for folder, dirs, names in os.walk(ROOT):
        rel = Path(folder).relative_to(ROOT).as_posix()
        rel = "" if rel == "." else rel
        # a folder excluded with no negation below it is never entered (as Docker skips it)
        dirs[:] = [d for d in dirs if not ignored(f"{rel}/{d}".lstrip("/"), rules)]
        for name in names:
            path = f"{rel}/{name}".lstrip("/")
            if not ignored(path, rules):
                files.append(path)
    return tuple(sorted(files))


def check_context(files: tuple[str, ...] | list[str], sources: list[str]) -> list[str]:
    problems = [f"{f} is in the build context" for f in files if NEVER_IN_CONTEXT.search(f)]
    problems += [
        f"{f} (generated contracts) is in the build context" for f in files if f.startswith("libs/contracts/fickan/")
    ]
    for source in sources:
        source = source.rstrip("/")
        if not any(f == source or f.startswith(source + "/") for f in files):
            problems.append(f"COPY {source}: nothing of it is in the build context")
    return problems


# --- each image's files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """project folder -> the files its wheel installs, built from a copy of the build context."""
    work = tmp_path_factory.mktemp("context")
    for path in context_files():
        if path.split("/")[0] in ("proto", "scripts", "libs", "services", "bff"):
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, target)
    subprocess.run(
        [sys.executable, str(work / "scripts/gen_contracts.py"), "--out", str(work / "libs/contracts")],
        check=True,
        capture_output=True,
    )
    projects = sorted({p.split("[")[0] for c in COMPONENTS.values() for p in c.projects})
    out = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out)]
        + [str(work / p) for p in projects],
        check=True,
        capture_output=True,
        timeout=300,
    )
    built: dict[str, list[str]] = {}
    for project in projects:
        name = (work / project / "pyproject.toml").read_text().split('name = "', 1)[1].split('"', 1)[0]
        (wheel,) = out.glob(f"{name.replace('-', '_')}-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            built[project] = [n for n in archive.namelist() if ".dist-info/" not in n]
    return built


def image_files(component: str, wheels: dict[str, list[str]]) -> list[str]:
    c = COMPONENTS[component]
    files = [f"/opt/venv/site-packages/{f}" for p in c.projects for f in wheels[p.split("[")[0]]]
    files.append("/app/start")
    if c.config:
        files.append(f"/app/{c.config}")
    return files


def check_image(component: str, files: list[str]) -> list[str]:
    c = COMPONENTS[component]
    problems = []
    top = {f.removeprefix("/opt/venv/site-packages/").split("/")[0] for f in files if f.startswith("/opt/venv/")}
    want = {"fickan", "fickan_common", c.package} | ({"fickan_bff"} if component.startswith("bff-") else set())
    if top != want:
        problems.append(f"{component}: its image holds the packages {sorted(top)}, not {sorted(want)}")
    others = {o.package for o in COMPONENTS.values()} - {c.package}
    for f in files:
        parts = f.split("/")
        if "tests" in parts or "conftest.py" in parts:
            problems.append(f"{component}: a test file in the image: {f}")
        if len(parts) > 4 and parts[4] in others:
            problems.append(f"{component}: another component's code in the image: {f}")
    if c.config:
        needed = [f"{c.package}/migrations/env.py", f"{c.package}/worker.py", f"{c.package}/api.py"]
        for n in needed:
            if f"/opt/venv/site-packages/{n}" not in files:
                problems.append(f"{component}: {n} is missing")
        if not any(f"/{c.package}/migrations/versions/" in f for f in files):
            problems.append(f"{component}: no migration versions in the image")
    return problems


# --- the tests -----------------------------------------------------------------------------------

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_one_dockerfile_for_every_component() -> None:
    stray = sorted(
        str(p.relative_to(ROOT)) for d in ("services", "bff", "libs") for p in (ROOT / d).rglob("Dockerfile")
    )
    assert not stray, f"one Dockerfile at the root builds every component; remove {stray}"
    assert "ARG COMPONENT" in DOCKERFILE


def test_the_dockerfile_is_pinned_multi_stage_and_non_root() -> None:
    problems = check_dockerfile(DOCKERFILE)
    assert not problems, "\n".join(problems)


def test_the_build_context_has_what_the_build_needs_and_no_secret() -> None:
    problems = check_context(context_files(), build_stage_sources(DOCKERFILE))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("component", COMPONENTS)
def test_each_image_holds_only_its_component(component: str, wheels: dict[str, list[str]]) -> None:
    files = image_files(component, wheels)
    problems = check_image(component, files)
    assert not problems, "\n".join(problems)
    if component == "bff-web":
        assert any(f.endswith("bff_web/templates/base.html") for f in files), "the web BFF's templates"


# --- the checks catch what they claim to ---------------------------------------------------------


def test_checks_name_an_unpinned_base_a_root_user_and_a_copy_from_the_context() -> None:
    broken = DOCKERFILE.replace("python:3.11.11-slim-bookworm", "python:3.11-slim").replace(
        "USER 10001:10001", "USER root\nCOPY services/ /app/services/"
    )
    problems = check_dockerfile(broken)
    assert any("is not an exact python release" in p for p in problems), problems
    assert any("numeric non-root USER" in p for p in problems), problems
    assert any("copies from the build context" in p for p in problems), problems


def test_checks_name_a_key_in_the_context_and_a_missing_source() -> None:
    files = [*context_files(), "services/identity/var/keys/2024-a.pem"]
    problems = check_context(files, ["proto/", "nowhere/"])
    assert "services/identity/var/keys/2024-a.pem is in the build context" in problems
    assert "COPY nowhere: nothing of it is in the build context" in problems


def test_dockerignore_rules_follow_dockers_matching() -> None:
    rules = ignore_rules("**/*.pem\nk8s\nservices/*/tests\n!services/keep/tests\n")
    assert ignored("a/b/c.pem", rules) and ignored("c.pem", rules)
    assert ignored("k8s/base/x.yaml", rules)
    assert ignored("services/contact/tests/test_x.py", rules)
    assert not ignored("services/keep/tests/test_x.py", rules)
    assert not ignored("services/contact/contact/api.py", rules)


def test_checks_name_another_components_code_in_an_image(wheels: dict[str, list[str]]) -> None:
    files = [*image_files("contact", wheels), "/opt/venv/site-packages/identity/api.py"]
    problems = check_image("contact", files)
    assert any("another component's code in the image: /opt/venv/site-packages/identity/api.py" in p for p in problems)
