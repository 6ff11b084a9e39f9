#!/usr/bin/env bash
# Server benchmark: 100,000 leads in SQLite, `sift serve` (release) under load from oha on
# loopback, bounded in time; side by side with Datasette (PyPI), the tool a user would reach
# for to put a SQLite file behind a JSON API, serving the same database file in the same run.
#
# usage: bench/server.sh [ROWS] [SECONDS_PER_RUN]
# needs: oha (cargo install --locked oha), python3 with venv; installs Datasette into the cache venv.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
secs=${2:-10}
work=$(mktemp -d)
venv=${SIFT_CI_CACHE:-$HOME/.cache/sift-ci}/bench-venv
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
command -v oha >/dev/null || { echo "needs oha: cargo install --locked oha"; exit 1; }
[ -x "$venv/bin/datasette" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q datasette; }

cargo build -q --release --bin sift
python3 bench/gen_leads.py "$rows" "$work/leads.csv"
./target/release/sift --db "sqlite://$work/sift.db" import "$work/leads.csv" >/dev/null
echo "database: $rows leads, $(du -h "$work/sift.db" | cut -f1)"

port=$((20000 + RANDOM % 20000))
SIFT_DATA_DIR="$work" SIFT_REQUESTS_PER_SECOND=1000000 ./target/release/sift --db "sqlite://$work/sift.db" \
    serve --bind "127.0.0.1:$port" >"$work/out" 2>"$work/err" &
server=$!
pids+=("$server")
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(python3 scripts/first-admin-token.py "$base" "$(grep -A1 "one-time password" "$work/out" | tail -n 1 | tr -d ' ')")

# A model for scoring one lead: trained from the stored outcomes as a job, then activated.
job=$(curl -sf -X POST "$base/api/v1/models/train" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"activate": true}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["href"])')
for _ in $(seq 1 600); do
    status=$(curl -sf "$base$job" -H "authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$status" = done ] && break
    [ "$status" = failed ] && { curl -s "$base$job" -H "authorization: Bearer $token"; echo; exit 1; }
    sleep 1
done
echo "model: $(curl -sf "$base/api/v1/models" -H "authorization: Bearer $token" | python3 -c 'import json,sys; m=json.load(sys.stdin)[0]; r=m["report"]; print(m["kind"], "version", m["version"], "AUC", round(r.get("auc") or r["metrics"]["auc"], 3))')"

dport=$((port + 1))
"$venv/bin/datasette" serve --immutable "$work/sift.db" --port "$dport" --setting default_page_size 50 >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$dport/-/versions.json" >/dev/null && break; sleep 0.2; done

# Ids 1..rows at random (a regex oha expands per request).
ids="[1-9][0-9]{0,$(( ${#rows} - 2 ))}"
run() { # label, extra oha args...
    local label=$1; shift
    oha -z "${secs}s" -c 16 --no-tui --output-format json "$@" >"$work/oha.json"
    python3 - "$label" "$work/oha.json" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
lat = d["latencyPercentiles"]
ok = d["statusCodeDistribution"]
ms = lambda v: "-" if v is None else f"{v * 1000:.2f} ms"
print(f"| {label} | {d['summary']['requestsPerSec']:,.0f} | {ms(lat['p50'])} | {ms(lat['p99'])} | {dict(ok)} |")
PY
}
echo
echo "| what ($secs s each, 16 connections) | requests/s | p50 | p99 | statuses |"
echo "|---|---|---|---|---|"
run "sift: GET /healthz (no database: the floor)" "$base/healthz"
run "sift: GET /api/v1/leads/{id} (token auth, random id)" -H "Authorization: Bearer $token" --rand-regex-url "$base/api/v1/leads/$ids"
run "sift: GET /api/v1/leads/{id}/score (score one lead on the fly, top 3 factors)" -H "Authorization: Bearer $token" --rand-regex-url "$base/api/v1/leads/$ids/score"
run "Datasette: GET /sift/leads/{id}.json (same file, no auth)" --rand-regex-url "http://127.0.0.1:$dport/sift/leads/$ids.json"
run "sift: filtered list (stage=mql, sort=-company, 50 a page)" -H "Authorization: Bearer $token" "$base/api/v1/leads?stage=mql&sort=-company&limit=50"
run "Datasette: filtered list (stage=mql, sort_desc=company, 50)" "http://127.0.0.1:$dport/sift/leads.json?stage=mql&_sort_desc=company&_size=50"
run "sift: search (q=company 4711)" -H "Authorization: Bearer $token" "$base/api/v1/leads?q=company%204711&limit=50"
echo
echo "sift server peak memory (VmHWM): $(grep VmHWM /proc/$server/status | awk '{print int($2/1024) " MB"}')"
