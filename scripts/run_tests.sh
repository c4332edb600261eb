#!/usr/bin/env bash
# The whole test suite: lint, then each package's own tests in its own pytest process, then the
# cross-service tests in tests/. Each service's suite runs through scripts/check_alone.sh: installed
# from its own folder into a fresh virtual environment (as a municipality reusing one service runs
# it), so the same tests also prove the service stands alone; that costs its install, about 20-30 s,
# once: the environment is kept in var/alone/<service> until any input of the install changes
# (FICKAN_ALONE_FRESH=1 installs afresh every time).
# Two lanes run at once on the machine's two cores, about equally long: the cross-service tests
# (whole platforms: end to end, reliability, the drills in tests/drills, browser, manifests) and
# then the BFFs' suites, beside the libraries' and services' suites. Each
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

# One suite: its output to a log, printed whole at the end, its exit code to a file.
run_suite() {
  local suite=$1 name
  name=$(echo "$suite" | tr '/' '-')
  # Its own temporary folder: the two lanes never clean up each other's.
  $PY -m pytest "$suite" -q -p no:cacheprovider --basetemp="$PWD/var/tmp/$name" --junitxml="$results/$name.xml" "${@:2}" \
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

# The web BFF's suite (about 2 of the lanes' 18 minutes) runs after the services, so the two lanes
# end at about the same time (measured: tests/ alone is about 16 minutes on a loaded 2-core machine).
second_lane_bffs=(bff/web/tests)
lane_cross_and_bffs() {
  run_suite tests "$@"
  for suite in "${bffs[@]}"; do
    [[ " ${second_lane_bffs[*]} " == *" $suite "* ]] || run_suite "$suite" "$@"
  done
}

started=$(date +%s)
lane_cross_and_bffs "$@" &
cross=$!
for suite in "${packages[@]}"; do run_suite "$suite" "$@"; done
for suite in "${services[@]}"; do run_alone "$suite" "$@"; done
for suite in "${second_lane_bffs[@]}"; do [ -d "$suite" ] && run_suite "$suite" "$@"; done
wait $cross
echo "both lanes done in $(( $(date +%s) - started )) s"

failed_suites=()
for suite in "${packages[@]}" "${services[@]}" tests "${bffs[@]}"; do
  name=$(echo "$suite" | tr '/' '-')
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
