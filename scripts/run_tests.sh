#!/usr/bin/env bash
# The whole test suite: lint, then each package's own tests in its own pytest process (as a
# municipality reusing one service runs them), then the cross-service tests in tests/.
# Each suite must run at least one test; the last line sums them up.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export FICKAN_REQUIRE_POSTGRES=1  # make test never skips the PostgreSQL runs
results=var/test-results
rm -rf "$results"; mkdir -p "$results"

echo "== ruff (lint and format) =="
lint_ok=1
.venv/bin/ruff check . || lint_ok=0
.venv/bin/ruff format --check . || lint_ok=0

suites=()
for dir in libs/*/tests services/*/tests bff/*/tests tests; do
  [ -d "$dir" ] && suites+=("$dir")
done

failed_suites=()
for suite in "${suites[@]}"; do
  name=$(echo "$suite" | tr '/' '-')
  echo "== $suite =="
  $PY -m pytest "$suite" -q -p no:cacheprovider --junitxml="$results/$name.xml" "$@"
  rc=$?
  # 5 = no tests ran: a suite that proves nothing is a failure too.
  [ $rc -eq 0 ] || failed_suites+=("$suite (exit $rc)")
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
