#!/usr/bin/env bash
# What the test suite needs beyond `make setup`: PostgreSQL on 127.0.0.1:5432 (trust auth) and
# Debian's chromium for the browser tests, Node.js, and promtool for the alert rules' tests. Starts or installs them (apt, as root) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL with apt ..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
    # Tests connect as postgres over TCP without a password (a throwaway local cluster).
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      as_root sed -i -E 's/^(host\s+all\s+all\s+(127.0.0.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    done
  fi
  echo "Starting PostgreSQL ..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL did not come up on 127.0.0.1:5432." >&2; exit 1; }
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing chromium with apt (for the browser tests) ..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# Node.js runs the web pages' own script (static/conditions.js) against the shared show_if cases.
if ! command -v node >/dev/null 2>&1; then
  echo "Installing Node.js with apt (for the web pages' script tests) ..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs >/dev/null
fi

# A real Web Push service double (checks VAPID signatures, decrypts payloads) for the notifications
# tests: the npm package web-push-testing, kept in var/node (git-ignored).
if [ ! -f var/node/node_modules/web-push-testing/src/bin/server.js ]; then
  echo "Installing web-push-testing with npm (the Web Push service double) ..."
  mkdir -p var/node
  npm install --prefix var/node --no-audit --no-fund --silent web-push-testing@1.2.2 >/dev/null
fi

# promtool runs the alert rules' unit tests (tests/k8s/test_alert_rules.py). Debian ships it in the
# prometheus package; only that one binary is taken from the package (kept in var/tools,
# git-ignored): no Prometheus server is installed or started.
if ! command -v promtool >/dev/null 2>&1 && [ ! -x var/tools/promtool ]; then
  echo "Fetching promtool from Debian's prometheus package ..."
  rm -rf var/tools/promtool-deb && mkdir -p var/tools/promtool-deb
  (
    cd var/tools/promtool-deb
    apt-get download prometheus >/dev/null 2>&1 || { as_root apt-get update -qq && apt-get download prometheus >/dev/null; }
    dpkg-deb -x prometheus_*.deb unpacked
    cp unpacked/usr/bin/promtool ../promtool
  )
  rm -rf var/tools/promtool-deb
fi
