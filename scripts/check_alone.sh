#!/usr/bin/env bash
# Proves that one service installs and passes its own tests alone, as a municipality that takes only
# that service would run it:
#
#   scripts/check_alone.sh contact [pytest options ...]
#
# In a temporary folder: a fresh virtual environment; wheels of libs/contracts (generated from
# proto/ into a copy), libs/common and services/<name>; `pip install "fickan-<name>[test]"`, which
# finds fickan-common and fickan-contracts only as the declared dependencies they are (no editable
# installs, no paths); then the service's tests, copied without its source, so every import comes from
# the installed package (its data files and migrations included).
#
# The databases and the broker come from the environment, as the tests document:
#   FICKAN_TEST_POSTGRES_URL  an admin URL of a PostgreSQL server (default postgres@127.0.0.1:5432)
#   FICKAN_TEST_AMQP_URI      a broker's URI (default: a fresh vhost on 127.0.0.1:5672 via rabbitmqctl)
#
# Third-party wheels are cached in var/wheels (git-ignored): after the first run the install needs no
# network. When a dependency is new, the cache is filled from the package index once.
#
# The installed environment is kept in var/alone/<name> (git-ignored) under a key: a hash of every
# input of the install (the Python version, this script, scripts/gen_contracts.py, proto/,
# libs/contracts, libs/common and services/<name> as the files git would see, and the names of the
# cached wheels). The next run with the same key installs nothing (the same inputs install the same
# environment; the install itself takes about 20 s); any change to any of them builds a fresh one.
# FICKAN_ALONE_FRESH=1 always builds a fresh environment (and keeps nothing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

name=${1:-}
if [ -z "$name" ] || [ ! -f "$ROOT/services/$name/pyproject.toml" ]; then
  echo "usage: scripts/check_alone.sh <service> [pytest options]  (one of: $(ls "$ROOT/services" | tr '\n' ' '))" >&2
  exit 2
fi
shift

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
CACHE=${FICKAN_WHEEL_CACHE:-$ROOT/var/wheels}
mkdir -p "$CACHE" "$ROOT/var/tmp"
work=$(mktemp -d "$ROOT/var/tmp/alone-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# The key of the install's inputs (empty outside a git checkout: then nothing is kept).
install_key() {
  local files
  files=$(cd "$ROOT" && git ls-files -co --exclude-standard -- proto libs/contracts libs/common "services/$name" \
    scripts/check_alone.sh scripts/gen_contracts.py 2>/dev/null) || return 0
  [ -n "$files" ] || return 0
  {
    "$PYTHON" -VV
    (cd "$ROOT" && while IFS= read -r file; do [ -f "$file" ] && sha256sum "$file"; done <<<"$files")
    ls "$CACHE"
  } | sha256sum | cut -c1-32
}
key=""
[ "${FICKAN_ALONE_FRESH:-0}" = 1 ] || key=$(install_key)
if [ -n "$key" ]; then
  kept="$ROOT/var/alone/$name"
  mkdir -p "$ROOT/var/alone"
  exec 9>"$ROOT/var/alone/$name.lock"
  flock 9  # one install of a service at a time
  venv="$kept/venv"
else
  kept=""
  venv="$work/venv"
fi
PY="$venv/bin/python"
log="$work/pip.log"
pip() { "$PY" -m pip --disable-pip-version-check -q "$@" >>"$log" 2>&1 || { cat "$log" >&2; return 1; }; }

if [ -n "$kept" ] && [ -f "$kept/key" ] && [ "$(cat "$kept/key")" = "$key" ] && [ -x "$PY" ]; then
  echo "check_alone: $name's environment for these inputs is kept in var/alone/$name (key $key)" >&2
else  # a fresh install (not indented: it is the script as it was)
[ -z "$kept" ] || rm -rf "$kept"
"$PYTHON" -m venv "$venv"
# setuptools builds the three local wheels without an isolated build environment each (seconds
# instead of a download per wheel).
pip install --no-index --find-links "$CACHE" "setuptools>=77,<82" 2>/dev/null || pip install "setuptools>=77,<82"

# The contracts, generated from proto/ into a copy of libs/contracts (with the project's .venv when
# it has grpcio-tools, else with grpcio-tools in the fresh environment).
GEN="$ROOT/.venv/bin/python"
if ! "$GEN" -c "import grpc_tools" 2>/dev/null; then
  pip install --find-links "$CACHE" "grpcio-tools>=1.60"
  GEN="$PY"
fi
mkdir -p "$work/src"
cp -r "$ROOT/libs/contracts" "$work/src/contracts"
rm -rf "$work/src/contracts/fickan"
"$GEN" "$ROOT/scripts/gen_contracts.py" --out "$work/src/contracts" >/dev/null
cp -r "$ROOT/libs/common" "$work/src/common"
cp -r "$ROOT/services/$name" "$work/src/$name"
find "$work/src" \( -name '__pycache__' -o -name '*.egg-info' -o -name build \) -prune -exec rm -rf {} +
pip wheel --no-deps --no-build-isolation -w "$work/local" "$work/src/contracts" "$work/src/common" "$work/src/$name"

want="fickan-$name[test]"
install() { pip install --no-compile "$@" --find-links "$work/local" --find-links "$CACHE" "$want"; }
if ! install --no-index 2>/dev/null; then
  echo "check_alone: filling the wheel cache $CACHE from the package index (a new dependency)" >&2
  : >"$log"
  pip wheel --find-links "$work/local" -w "$CACHE" "$want" "setuptools>=77,<82"
  rm -f "$CACHE"/fickan_*.whl  # only third-party wheels are cached; ours are built fresh each run
  install --no-index
  [ -z "$kept" ] || key=$(install_key)  # the wheel cache has grown: the key with its new names
fi
[ -z "$kept" ] || echo "$key" >"$kept/key"  # written last: only a whole install is kept
fi
installed=$(date +%s)

# The tests alone: no source folder beside them. pytest's rootdir is this folder (its own settings).
mkdir -p "$work/run/$name"
cp -r "$ROOT/services/$name/tests" "$work/run/$name/tests"
[ -f "$ROOT/services/$name/config.yaml" ] && cp "$ROOT/services/$name/config.yaml" "$work/run/$name/"
cat >"$work/run/pytest.ini" <<'INI'
[pytest]
addopts = -p no:cacheprovider --suppress-nameko-eventlet-notification
INI
if "$PY" -c "import $name, sys; sys.exit(0 if '$venv' in $name.__file__ else 1)" 2>/dev/null; then :; else
  echo "check_alone: $name is not imported from the fresh environment" >&2
  exit 1
fi
cd "$work/run"
# Node's web-push-testing (notifications) lives in the repository's var/node.
export FICKAN_NODE_DIR=${FICKAN_NODE_DIR:-$ROOT/var/node}
set +e
"$PY" -m pytest "$name/tests" --basetemp="$work/pytest" "$@" 9>&-  # the lock stays here, not in what tests start
rc=$?
set -e
echo "check_alone $name: install $((installed - started)) s, tests $(($(date +%s) - installed)) s, exit $rc" >&2
exit $rc
