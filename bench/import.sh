#!/usr/bin/env bash
# Import benchmark: a generated 1,000,000-lead CRM export into SQLite and PostgreSQL with
# `sift import`, side by side with what a user would otherwise reach for: the sqlite3
# shell's `.import` and PostgreSQL's `\copy` (raw loaders: no header mapping, no
# normalisation, no dedupe, no error report). Prints wall time, rows/s, CPU time (user +
# system, all threads) and peak memory. The new-database SQLite import and sqlite3 .import
# run back to back, three times, so that they meet the same load on a shared machine; the
# ratio of their wall times is printed for each pair.
#
# usage: bench/import.sh [ROWS] [POSTGRES_URL]
#   SIFT_BENCH_BIN=path/to/sift runs that build instead of building this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
pg=${2:-postgres://postgres@127.0.0.1:5432/test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${SIFT_BENCH_BIN:-}" ]; then
    sift=$SIFT_BENCH_BIN # another build, e.g. main's, to compare
else
    cargo build -q --release --bin sift
    sift="${CARGO_TARGET_DIR:-target}/release/sift"
fi
python3 bench/gen_leads.py "$rows" "$work/leads.csv"
echo "file: $rows rows, $(du -h "$work/leads.csv" | cut -f1)"

measure() { # name, command...
    local name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null
    read -r secs user sys kb < "$work/time"
    last=$secs
    printf "| %-44s | %6.2f s | %8.0f rows/s | %6.2f s | %5.0f MB |\n" "$name" "$secs" \
        "$(echo "$rows / $secs" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| what | time | throughput | CPU | peak memory |"
echo "|---|---|---|---|---|"
for round in 1 2 3; do
    rm -f "$work"/sift.db* "$work/raw.db"
    measure "sift import -> SQLite (new database)" "$sift" --db "sqlite://$work/sift.db" import "$work/leads.csv"
    sift_secs=$last
    if command -v sqlite3 > /dev/null; then
        measure "sqlite3 .import (raw text table)" sqlite3 "$work/raw.db" -cmd ".mode csv" ".import $work/leads.csv raw"
        echo "| round $round: sift / sqlite3 | $(echo "$sift_secs / $last" | bc -l | cut -c1-4)x | | | |"
    fi
done
measure "sift import -> SQLite (re-import, no-op)" "$sift" --db "sqlite://$work/sift.db" import "$work/leads.csv"
if psql "$pg" -qc "select 1" > /dev/null 2>&1; then
    db="sift_bench_$$"
    psql "$pg" -qc "DROP DATABASE IF EXISTS $db" && psql "$pg" -qc "CREATE DATABASE $db"
    url="${pg%/*}/$db"
    measure "sift import -> PostgreSQL (new database)" "$sift" --db "$url" import "$work/leads.csv"
    measure "sift import -> PostgreSQL (re-import, no-op)" "$sift" --db "$url" import "$work/leads.csv"
    header=$(head -1 "$work/leads.csv" | sed -E 's/[^,]+/"&" text/g')
    psql "$url" -qc "CREATE TABLE raw ($header)"
    measure "psql \\copy (raw text table)" psql "$url" -qc "\\copy raw FROM '$work/leads.csv' WITH (FORMAT csv, HEADER true)"
    psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"
else
    echo "(PostgreSQL at $pg not reachable: skipped)"
fi
