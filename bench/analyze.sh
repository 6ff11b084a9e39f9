#!/usr/bin/env bash
# Call-analysis benchmark: a generated one-hour discovery call (~10,000 words) analysed by
# `sift-signals` (parse, turns, metrics, question coaching, signals, criterion evidence), side
# by side with the quick script a user might write instead: Python `re` running the same
# lexicon patterns over the text (keyword spotting only: no turns, no facts, no statuses).
# Also times `sift analyze --json` on a 15 MB transcript (just under the 16 MB limit) and
# shows that a 50 MB one is refused with a clear error.
#
# usage: bench/analyze.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== realistic one-hour calls from the labelled exchanges (English ~11,000 words, Chinese ~20,000 characters)"
python3 - "$work" <<'PY'
import glob, json, sys
def build(lang, rep, prospect, sep, enough, size):
    exchanges = [json.loads(line) for path in sorted(glob.glob("crates/sift-meaning/data/exchanges/*.jsonl"))
                 for line in open(path, encoding="utf-8")]
    exchanges = [e for e in exchanges if e["lang"] == lang and e["question"].strip()]
    lines, total, i, second = [], 0, 0, 0
    while total < enough:
        e = exchanges[i % len(exchanges)]
        i += 1
        for who, text in ((rep, e["question"]), (prospect, e["answer"])):
            lines.append(f"[{second // 3600:02}:{second // 60 % 60:02}:{second % 60:02}] {who}{sep}{text}")
            second += 6
            total += size(text)
    return "\n".join(lines) + "\n"
out = sys.argv[1]
open(f"{out}/real-en.txt", "w", encoding="utf-8").write(build("en", "Rep", "Prospect", ": ", 11000, lambda t: len(t.split())))
open(f"{out}/real-zh.txt", "w", encoding="utf-8").write(build("zh", "销售", "客户", "：", 20000, len))
PY

echo "== sift-signals, one core (release)"
cargo bench -q -p sift-signals --bench analyze -- "$work/call.txt" --call "$work/real-en.txt" --call "$work/real-zh.txt"

echo "== python re over the same lexicon patterns"
python3 - "$work/call.txt" <<'PY'
import re, sys, time, tomllib, glob
text = open(sys.argv[1], encoding="utf-8").read()
patterns = []
for path in glob.glob("crates/sift-signals/lexicons/*/*.toml"):
    with open(path, "rb") as f:
        for e in tomllib.load(f).get("entry", []):
            try:
                patterns.append(re.compile(e["pattern"]))
            except re.error:
                pass  # a Rust-only construct; skipped
times = []
for _ in range(30):
    t = time.perf_counter()
    hits = sum(1 for p in patterns for _ in p.finditer(text))
    times.append(time.perf_counter() - t)
times.sort()
m = times[len(times) // 2]
print(f"python re: {len(patterns)} patterns, {hits} hits; median {m*1e3:.1f} ms = {len(text.encode())/m/1e6:.1f} MB/s")
PY

echo "== sift analyze --json on 15 MB, and a 50 MB file (release binary)"
cargo build -q --release --bin sift
python3 - "$work/call.txt" "$work" <<'PY'
import sys
call = open(sys.argv[1], encoding="utf-8").read()
for mb in (15, 50):
    with open(f"{sys.argv[2]}/big{mb}.txt", "w", encoding="utf-8") as out:
        size = 0
        while size < mb * 1024 * 1024:
            out.write(call); size += len(call.encode())
PY
/usr/bin/time -f "15 MB: %e s, peak %M KB" ./target/release/sift analyze "$work/big15.txt" --rep Dana --rep "Sam Rivera" --json > /dev/null
./target/release/sift analyze "$work/big50.txt" || true
