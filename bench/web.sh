#!/usr/bin/env bash
# Web app benchmark: the board and the lead page at 100,000 leads, signed in with a session
# cookie, under a fixed load of 100 requests/s from oha on loopback, bounded in time; the
# API's JSON list of the same leads in the same run as the alternative (the data a page
# would need, without rendering it).
#
# The database is built as a user would: `sift users add` (an admin, a manager, eight reps),
# `sift import --playbook` of a generated CRM export (stages and sources from the file;
# playbooks and owners by routing), `sift train --stored` and `sift score --stored` (scores),
# then discovery-call decisions saved over the API on some leads (verdicts).
#
# usage: bench/web.sh [ROWS] [SECONDS_PER_RUN] [REQUESTS_PER_SECOND]
#   SIFT_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres runs it on PostgreSQL
#   too (a database `sift_bench_web` is created there and dropped after);
#   SIFT_BENCH_BIN=path/to/sift runs that build instead of building this checkout;
#   SIFT_BENCH_ONLY=REGEX runs only the pages whose label matches (grep -E), e.g. `search`
#   for the free-text searches, to compare builds on them alone.
# needs: oha (cargo install --locked oha), python3; psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
secs=${2:-30}
rate=${3:-100}
decisions=${SIFT_BENCH_DECISIONS:-2000}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -n "${SIFT_BENCH_POSTGRES:-}" ]; then psql -q "$SIFT_BENCH_POSTGRES" -c "DROP DATABASE IF EXISTS sift_bench_web" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
command -v oha >/dev/null || { echo "needs oha: cargo install --locked oha"; exit 1; }

if [ -n "${SIFT_BENCH_BIN:-}" ]; then
    sift=$SIFT_BENCH_BIN # another build, e.g. main's, to compare
else
    cargo build -q --release --bin sift
    sift="${CARGO_TARGET_DIR:-target}/release/sift"
fi
python3 bench/gen_leads.py "$rows" "$work/leads.csv" fit

cat >"$work/playbooks.toml" <<'TOML'
[[playbooks]]
id = "smb"
name = "Small business"
framework = "anum"
owners = ["rep1", "rep2", "rep3"]
[playbooks.segment]
employees = { max = 199 }

[[playbooks]]
id = "enterprise"
name = "Enterprise"
framework = "meddic"
owners = ["rep4", "rep5", "rep6"]
[playbooks.segment]
employees = { min = 1000 }

[[playbooks]]
id = "mid-market"
name = "Everyone else"
framework = "bant"
owners = ["rep7", "rep8"]
TOML

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo "| database | page | requests | p50 | p95 | p99 | errors | statuses |" >"$work/table"
echo "|---|---|---|---|---|---|---|---|" >>"$work/table"

bench_on() { # label, database URL
    local label=$1 db=$2
    local t0
    t0=$(date +%s)
    otp=$("$sift" --db "$db" users add admin --role admin | tail -n 1 | tr -d ' ')
    "$sift" --db "$db" users add boss --role manager >/dev/null
    for i in 1 2 3 4 5 6 7 8; do "$sift" --db "$db" users add "rep$i" --role rep >/dev/null; done
    "$sift" --db "$db" import "$work/leads.csv" --playbook "$work/playbooks.toml" >/dev/null
    "$sift" --db "$db" train --stored --model gbm -o "$work/$label.model" >/dev/null
    "$sift" --db "$db" score --model "$work/$label.model" --stored >/dev/null
    # PostgreSQL: the vacuum and statistics autovacuum makes within a minute of a bulk load
    # (without it every count reads the table: index-only scans need the visibility map).
    if [ "$label" = postgres ]; then psql -q "$db" -c "VACUUM ANALYZE"; fi

    local port=$((20000 + RANDOM % 20000))
    SIFT_DATA_DIR="$work" SIFT_REQUESTS_PER_SECOND=1000000 "$sift" --db "$db" \
        serve --bind "127.0.0.1:$port" >"$work/out" 2>"$work/err" &
    local server=$!
    pids+=("$server")
    local base="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
    cookie=$(python3 bench/web_setup.py "$base" "$otp" "$decisions" "$rows")
    echo "$label: $rows leads, $decisions decisions, set up in $(( $(date +%s) - t0 )) s"
    # The stage counts and an owner id, to say what the filtered runs select.
    echo "$label: leads by stage $("$sift" --db "$db" leads count --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_stage"])')"
    rep=$(curl -sf "$base/api/v1/users" -H "cookie: $cookie" | python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin) if u["username"] == "rep1"][0])')

    # Lead ids at random, uniformly over all leads (oha picks a line of the file per request).
    python3 -c 'import random,sys; r=random.Random(3); n=int(sys.argv[1]); print("\n".join(f"{sys.argv[2]}/leads/{r.randint(1, n)}" for _ in range(5000)))' \
        "$rows" "$base" >"$work/lead-urls"
    sed 's#/leads/#/api/v1/leads/#' "$work/lead-urls" >"$work/api-lead-urls"

    run() { # page label, oha target args...
        local page=$1; shift
        printf '%s' "$page" | grep -qE -- "${SIFT_BENCH_ONLY:-.}" || return 0
        # --latency-correction: latency counts from when a request was due, so a stall is
        # not hidden by requests that were never sent (coordinated omission).
        oha -z "${secs}s" -q "$rate" -c 16 --latency-correction --no-tui --output-format json \
            -H "cookie: $cookie" "$@" >"$work/oha.json"
        python3 - "$label" "$page" "$work/oha.json" >>"$work/table" <<'PY'
import json, sys
db, page, path = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(path))
lat = d["latencyPercentiles"]
codes = {int(k): v for k, v in d["statusCodeDistribution"].items()}
# Requests still open when the time is up are cut by oha ("aborted due to deadline"): not
# errors of the server, and not counted.
failed = {k: v for k, v in d.get("errorDistribution", {}).items() if "deadline" not in k}
total = sum(codes.values()) + sum(failed.values())
errors = sum(v for k, v in codes.items() if k >= 400) + sum(failed.values())
ms = lambda v: "-" if v is None else f"{v * 1000:.1f} ms"
print(f"| {db} | {page} | {total} | {ms(lat['p50'])} | {ms(lat['p95'])} | {ms(lat['p99'])} | {errors} | {dict(sorted(codes.items()))} |")
PY
        tail -n 1 "$work/table"
    }
    run "\`/board\` (every stage, 50 best a column)" "$base/board"
    run "\`/board?owner=rep1&source=Organic Search\`" "$base/board?owner=$rep&source=Organic%20Search"
    run "\`/board?playbook=enterprise&score_min=60\`" "$base/board?playbook=enterprise&score_min=60"
    run "\`/board?verdict=qualified\`" "$base/board?verdict=qualified"
    run "\`/board?stage=mql\` (one column, a cursor away)" "$base/board?stage=mql"
    run "\`/leads/{id}\` (random lead)" --urls-from-file "$work/lead-urls"
    run "alternative: \`/api/v1/leads?stage=mql&sort=-score&limit=50\` (JSON, one column's data)" \
        "$base/api/v1/leads?stage=mql&sort=-score&limit=50"
    run "alternative: \`/api/v1/leads/{id}\` (JSON, random lead)" --urls-from-file "$work/api-lead-urls"
    # Free-text search: two words, one of them in every lead (`company`, in every email); a
    # 2-character Chinese name (about 50 leads in 100,000); one word every lead has.
    run "\`/board?q=company 4711\` (free-text search)" "$base/board?q=company%204711"
    run "\`/board?q=王伟\` (free-text search, 2-character name)" "$base/board?q=%E7%8E%8B%E4%BC%9F"
    run "\`/board?q=company\` (free-text search, a word every lead has)" "$base/board?q=company"
    echo "$label server peak memory (VmHWM): $(grep VmHWM /proc/$server/status | awk '{print int($2/1024) " MB"}')"
    kill "$server"
    wait "$server" 2>/dev/null || true
}

bench_on sqlite "sqlite://$work/sift.db"
if [ -n "${SIFT_BENCH_POSTGRES:-}" ]; then
    psql -q "$SIFT_BENCH_POSTGRES" -c "DROP DATABASE IF EXISTS sift_bench_web" -c "CREATE DATABASE sift_bench_web"
    bench_on postgres "${SIFT_BENCH_POSTGRES%/*}/sift_bench_web"
fi
echo
echo "$secs s a run at $rate requests/s, 16 connections; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/table"
