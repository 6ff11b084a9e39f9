#!/usr/bin/env bash
# Meaning-model benchmark: a one-hour discovery call (300 rep questions and prospect answers,
# built from the labelled exchanges) read by the local model (multilingual-e5-small + Sift's
# heads: every exchange, and every pair of consecutive answers checked for a contradiction),
# on 1 and 2 threads, side by side with the rules-only analysis of the same call in the same
# run. Time includes loading the model; peak memory from /usr/bin/time -v.
# Targets: with the model under 10 s on 2 cores, under 1 GB.
#
# usage: bench/meaning.sh      (fetches and converts the model first if it is not there)
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir=$(scripts/fetch-model.sh --skip-embedding-check | sed -n 's/^fetch-model: ready: //p')
cargo build -q --release -p sift-meaning --features candle --example meaning-bench
bench=target/release/examples/meaning-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{printf "%.0f MB", $1/1024}'; }
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1"; }
# CPU seconds (user + system, all threads): the work done, whatever else runs on the machine.
cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.1f s", s}' "$1"; }
cpu_number() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"; }

echo "== rules only (sift-signals analyze, release, one core)"
/usr/bin/time -v "$bench" --rules-only --model "$model_dir" --write-call "$work/call.txt" 2> "$work/rules.time"
echo "   process CPU time $(cpu "$work/rules.time") (20 analyses), peak memory $(peak "$work/rules.time")"

for threads in 1 2; do
  echo "== with the model, $threads thread(s)"
  # Sift embeds batches in parallel on its own pool of $threads threads; candle's kernels are
  # kept single-threaded so no forward pass waits on another thread.
  RAYON_NUM_THREADS=1 CANDLE_NUM_THREADS=1 \
    /usr/bin/time -v "$bench" --threads "$threads" --model "$model_dir" 2> "$work/model$threads.time" | sed 's/^/   /'
  echo "   process wall time $(wall "$work/model$threads.time"), CPU time $(cpu "$work/model$threads.time"), peak memory $(peak "$work/model$threads.time")"
  # The same binary did the rules part first: the model's own CPU work is the difference.
  awk -v all="$(cpu_number "$work/model$threads.time")" -v rules="$(cpu_number "$work/rules.time")" -v n="$threads" \
    'BEGIN {m = all - rules; printf "   the model alone: %.1f s of CPU (load, read, pairs); on %d idle core(s) at best %.1f s\n", m, n, m / n}'
done
echo "(load average before: $load_before, at the end: $(cut -d' ' -f1-3 /proc/loadavg); other work on the machine slows the wall times, not the CPU times)"
