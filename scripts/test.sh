#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: SQLite, PostgreSQL and real Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v pg_ctlcluster >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
    || [ -x "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)/initdb" ] || need+=(postgresql)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  # nginx in front of gunicorn (tests/deploy), Redis for shared rate limits (two app servers),
  # pg_dump/pg_restore for `survey backup` (postgresql-client), systemd-analyze for the units.
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  # Apache PDFBox Preflight validates the PDF/A reports (tests/reports/test_pdfa.py).
  [ -f /usr/share/java/preflight.jar ] || need+=(libpdfbox2-java libactivation-java libjaxb-api-java)
  command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

bash scripts/install.sh test
# axe-core from the npm registry, injected into pages by the browser tests; vnu-jar (the Nu Html
# Checker, run by Java) validates the HTML of every page they visit.
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  # --ignore-scripts: vnu-jar would fetch a Java runtime of its own; the system Java runs it.
  npm install --no-audit --no-fund --silent --ignore-scripts
fi

# Servers the sourced scripts start are stopped at the end (each adds to `cleanups`).
cleanups=()
trap 'for cleanup in "${cleanups[@]}"; do eval "$cleanup"; done' EXIT

# A PostgreSQL server: the one running on 127.0.0.1:5432, else a throwaway cluster.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  source scripts/postgres.sh
fi

# Redis on 127.0.0.1:6379: the one running, else one started here that keeps nothing on disk.
source scripts/redis.sh

status=0
if [ $# -eq 0 ]; then
  .venv/bin/ruff check . || status=$?
  .venv/bin/ruff format --check . >/dev/null || { echo "ruff format: files need formatting" >&2; status=1; }
fi
# pytest-xdist: one worker per core (PYTEST_WORKERS overrides; `-n 0` among the arguments runs
# in this process). Each worker builds its own template databases, Chromium and vnu service.
# worksteal: a worker that runs out takes queued tests from the other, so a long browser walk
# near the end does not leave one core idle (381 s against 410 s with the default `load`).
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist worksteal "$@" || status=$?
exit $status
