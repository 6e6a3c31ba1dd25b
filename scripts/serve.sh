#!/usr/bin/env bash
# Install and serve with demo data on SQLite (in instance/). Extra arguments go to `survey serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/survey serve --demo "$@"
