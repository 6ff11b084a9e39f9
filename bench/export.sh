#!/usr/bin/env bash
# Export benchmark: a database of generated leads (600,000 by default, HubSpot-style, one
# custom field) exported as CSV and JSON, on SQLite and PostgreSQL, with peak memory:
# `export_leads` (streaming; the `export` example of sift-store, what `sift export` calls)
# side by side with `sift export` as it stands (which loads every lead first).
#
# usage: bench/export.sh [ROWS] [POSTGRES_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-600000}
pg=${2:-postgres://postgres@127.0.0.1:5432/test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build -q --release --bin sift
cargo build -q --release -p sift-store --example export
python3 bench/gen_leads.py "$rows" "$work/leads.csv"

measure() { # name, command...
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> /dev/null
    read -r secs kb < "$work/time"
    printf "| %-52s | %7.1f s | %7.0f MB | %6.0f MB |\n" "$name" "$secs" "$(echo "$kb / 1024" | bc -l)" \
        "$(echo "$(stat -c %s "$work/out") / 1048576" | bc -l)"
}

urls=("sqlite://$work/sift.db")
if psql "$pg" -qc "select 1" > /dev/null 2>&1; then
    db="sift_export_bench_$$"
    psql "$pg" -qc "DROP DATABASE IF EXISTS $db" && psql "$pg" -qc "CREATE DATABASE $db"
    urls+=("${pg%/*}/$db")
else
    echo "(PostgreSQL at $pg not reachable: SQLite only)"
fi
echo "leads: $rows"
echo "| what | time | peak memory | output |"
echo "|---|---|---|---|"
for url in "${urls[@]}"; do
    name=${url%%:*}
    ./target/release/sift --db "$url" import "$work/leads.csv" > /dev/null
    measure "$name: export_leads, CSV (streaming)" ./target/release/examples/export "$url" csv
    measure "$name: export_leads, JSON (streaming)" ./target/release/examples/export "$url" json
    measure "$name: sift export --format csv (loads all leads)" ./target/release/sift --db "$url" export --format csv
done
if [ "${#urls[@]}" -gt 1 ]; then psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"; fi
