#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine with Python 3.11: virtual environment, every package,
# generated contracts, and a reachable RabbitMQ. Fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "Fickan needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || { echo "Could not create .venv: install python3-venv (apt-get install python3-venv)." >&2; exit 1; }
fi
PIP=".venv/bin/pip --disable-pip-version-check -q"

# Reinstall only when a package definition changed.
stamp=.venv/.fickan-installed
digest=$(cat requirements-test.txt libs/*/pyproject.toml services/*/pyproject.toml bff/*/pyproject.toml 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "Installing Fickan's packages into .venv ..."
  $PIP install "setuptools>=77,<82" "grpcio-tools>=1.60"
  .venv/bin/python scripts/gen_contracts.py
  editable=()
  for dir in libs/contracts libs/common libs/bff services/* bff/*; do
    [ -f "$dir/pyproject.toml" ] && editable+=(-e "$dir")
  done
  $PIP install "${editable[@]}" -e "libs/common[worker]" -r requirements-test.txt
  echo "$digest" > "$stamp"
fi
.venv/bin/python scripts/gen_contracts.py >/dev/null

bash scripts/ensure_rabbitmq.sh
