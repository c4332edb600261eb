#!/usr/bin/env bash
# The whole test suite: lint, then each package's own tests in its own pytest process, then the
# cross-service tests in tests/. Each service's suite runs through scripts/check_alone.sh: installed
# from its own folder into a fresh virtual environment (as a municipality reusing one service runs
# it), so the same tests also prove the service stands alone; that costs its install, about 20-30 s,
# once: the environment is kept in var/alone/<service> until any input of the install changes
# (FICKAN_ALONE_FRESH=1 installs afresh every time).
# Two lanes run at once on the machine's two cores: the cross-service tests that start whole
# platforms (end to end, reliability, the drills in tests/drills, browser, ...) beside the libraries'
# and services' suites. Then each lane takes the next of the remaining suites (the BFFs', and the
# parts of tests/ that start no platform: manifests, images, texts) that the other lane has not
# taken yet, longest first, so the lanes end together whether or not the services' environments
# were kept (see scripts/check_alone.sh). Each
# suite's output is printed whole when it ends; each must run at least one test; the last line sums
# them up.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export FICKAN_REQUIRE_POSTGRES=1  # make test never skips the PostgreSQL runs
results=var/test-results
rm -rf "$results" var/tmp; mkdir -p "$results" var/tmp

echo "== ruff (lint and format) =="
lint_ok=1
.venv/bin/ruff check . || lint_ok=0
.venv/bin/ruff format --check . || lint_ok=0

packages=()  # the libraries' suites, in .venv
for dir in libs/*/tests; do
  [ -d "$dir" ] && packages+=("$dir")
done
services=()  # the services' suites, each alone (scripts/check_alone.sh)
for dir in services/*/tests; do
  [ -d "$dir" ] && services+=("$dir")
done
bffs=()
for dir in bff/*/tests; do
  [ -d "$dir" ] && bffs+=("$dir")
done

# The suite's name for its files: "tests/k8s tests/images" -> tests-k8s+tests-images.
suite_name() { echo "$1" | tr '/ ' '-+'; }

# One suite (a folder, or several folders of tests/ in one pytest run, separated by spaces): its
# output to a log, printed whole at the end, its exit code to a file.
run_suite() {
  local suite=$1 name paths
  name=$(suite_name "$suite")
  read -ra paths <<<"$suite"
  # Its own temporary folder: the two lanes never clean up each other's.
  $PY -m pytest "${paths[@]}" -q -p no:cacheprovider --basetemp="$PWD/var/tmp/$name" --junitxml="$results/$name.xml" "${@:2}" \
    >"$results/$name.log" 2>&1
  echo $? >"$results/$name.rc"
  { echo "== $suite =="; tail -n 40 "$results/$name.log"; } >&2
}

# One service's suite through check_alone.sh, logged and summed like the others.
run_alone() {
  local suite=$1 name service
  name=$(echo "$suite" | tr '/' '-')
  service=$(basename "$(dirname "$suite")")
  bash scripts/check_alone.sh "$service" -q --junitxml="$PWD/$results/$name.xml" "${@:2}" >"$results/$name.log" 2>&1
  echo $? >"$results/$name.rc"
  { echo "== $suite (alone: scripts/check_alone.sh $service) =="; tail -n 40 "$results/$name.log"; } >&2
}

# The parts of tests/ that start no platform (each well under a minute); the rest of tests/ is one
# pytest run, so its platforms start once.
platformless="tests/k8s tests/images tests/texts"
ignores=()
for path in $platformless; do ignores+=("--ignore=$path"); done
# What is left when a lane's own part is done, longest first (the web BFF's suite takes about
# 2 minutes): each lane takes the next suite not yet taken (mkdir is atomic), until none is left.
remaining=(bff/web/tests)
for suite in "${bffs[@]}"; do [ "$suite" = bff/web/tests ] || remaining+=("$suite"); done
remaining+=("$platformless")
take_remaining() {
  local suite
  for suite in "${remaining[@]}"; do
    [ -d "${suite%% *}" ] || continue
    mkdir "$results/taken-$(suite_name "$suite")" 2>/dev/null && run_suite "$suite" "$@"
  done
}

started=$(date +%s)
{ run_suite tests "${ignores[@]}" "$@"; take_remaining "$@"; } &
cross=$!
for suite in "${packages[@]}"; do run_suite "$suite" "$@"; done
for suite in "${services[@]}"; do run_alone "$suite" "$@"; done
take_remaining "$@"
wait $cross
echo "both lanes done in $(( $(date +%s) - started )) s"

failed_suites=()
for suite in "${packages[@]}" "${services[@]}" tests "$platformless" "${bffs[@]}"; do
  name=$(suite_name "$suite")
  rc=$(cat "$results/$name.rc" 2>/dev/null || echo 1)
  # 5 = no tests ran: a suite that proves nothing is a failure too.
  [ "$rc" -eq 0 ] || failed_suites+=("$suite (exit $rc)")
done

$PY - "$results" "$lint_ok" "${failed_suites[@]}" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results, lint_ok, failed_suites = Path(sys.argv[1]), sys.argv[2] == "1", sys.argv[3:]
passed = failed = skipped = 0
for xml in sorted(results.glob("*.xml")):
    for suite in ET.parse(xml).getroot().iter("testsuite"):
        tests, errors, failures, skips = (int(suite.get(k, 0)) for k in ("tests", "errors", "failures", "skipped"))
        failed += errors + failures
        skipped += skips
        passed += tests - errors - failures - skips
if not lint_ok:
    print("ruff found problems (see above)")
for suite in failed_suites:
    print(f"failed suite: {suite}")
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if lint_ok and not failed_suites and failed == 0 and passed > 0 else 1)
PYEOF
