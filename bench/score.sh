#!/usr/bin/env bash
# Scoring benchmark, side by side in one run:
#  1. Sift's three model kinds and `auto` vs scikit-learn (LogisticRegression, HistGradientBoosting) on
#     Leads.csv without its four leaky columns and on bank-additional-full.csv without
#     `duration`, on the same 5 folds (scikit-learn's StratifiedKFold, exported to a file):
#     AUC, log loss, Brier, cross-validation fit and predict times; then `auto`'s pick beside
#     the best scikit-learn model on each dataset.
#  2. Batch scoring of a generated 1,000,000-row CSV with `sift score` vs merely parsing the
#     same file with the csv crate (and vs pandas + scikit-learn): best time of 3 runs,
#     rows/s, peak memory. Output goes to a file, as a user would write it.
# scikit-learn is installed into a virtual environment (default target/bench-venv).
#
# usage: bench/score.sh [--accuracy | --batch] [ROWS]   (needs ../shared/data; prints markdown
#                                            tables; --accuracy: the model comparison only;
#                                            --batch: the batch scoring only, part 2, without
#                                            scikit-learn's cross-validation, to measure it
#                                            again alone on a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
accuracy_only=false
batch_only=false
if [ "${1:-}" = "--accuracy" ]; then accuracy_only=true; shift; fi
if [ "${1:-}" = "--batch" ]; then batch_only=true; shift; fi
rows=${1:-1000000}
data=../shared/data/leads
venv=${SIFT_BENCH_VENV:-target/bench-venv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q scikit-learn pandas
fi
cargo build -q --release --bin sift
$accuracy_only || cargo build -q --release -p sift-score --example csv_parse
# Cargo builds into $CARGO_TARGET_DIR when it is set.
target=${CARGO_TARGET_DIR:-target}
sift=$target/release/sift
echo "machine: $(nproc) cores, $(python3 -c 'import os; print(os.getloadavg()[0])') load; scikit-learn $("$venv/bin/python" -c 'import sklearn; print(sklearn.__version__)')"
echo

leads_args=(--label Converted --exclude Tags --exclude "Lead Quality" --exclude "Last Activity" --exclude "Last Notable Activity")
bank_args=(--label y --positive yes --exclude duration)

if ! $batch_only; then
echo "| data | model | AUC | log loss | Brier | fit, 5 folds | predict, 5 folds |"
echo "|---|---|---|---|---|---|---|"
run_dataset() { # name, csv, sep, args...
    local name=$1 csv=$2 sep=$3; shift 3
    local sep_arg=()
    [ -n "$sep" ] && sep_arg=(--sep "$sep")
    "$venv/bin/python" bench/sklearn_score.py "$csv" "$@" "${sep_arg[@]}" --folds-out "$work/$name.folds" > "$work/$name.sk.json"
    for model in logistic hist_gbm; do
        python3 - "$work/$name.sk.json" "$model" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[sys.argv[2]]
print(f"| {sys.argv[3]} | scikit-learn {sys.argv[2]} | {r['auc']:.4f} | {r['log_loss']:.4f} | {r['brier']:.4f} | {r['fit_s']:.2f} s | {r['predict_s']:.2f} s |")
PY
    done
    for model in logistic gbm odoo-nb auto; do
        "$sift" train --data "$csv" "$@" --model "$model" --folds-file "$work/$name.folds" --no-leakage-compare --json > "$work/$name.$model.json"
        python3 - "$work/$name.$model.json" "$model" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
model = sys.argv[2] if sys.argv[2] != "auto" else f"auto (chose {r['model']})"
# auto's fit time is every candidate's cross-validation.
fit = r['cv_fit_seconds'] if 'selection' not in r else sum(c.get('cv_fit_seconds') or 0 for c in r['selection']['candidates'])
print(f"| {sys.argv[3]} | sift {model} | {r['auc']:.4f} | {r['log_loss']:.4f} | {r['brier']:.4f} | {fit:.2f} s | {r['cv_predict_seconds']:.2f} s |")
PY
    done
    python3 - "$work/$name.sk.json" "$work/$name.auto.json" "$name" >> "$work/auto.md" <<'PY'
import json, sys
sk = json.load(open(sys.argv[1])); auto = json.load(open(sys.argv[2]))
best = max(("logistic", "hist_gbm"), key=lambda m: sk[m]["auc"])
d = auto["auc"] - sk[best]["auc"]
verdict = "matches or beats" if d >= 0 else "short by under 0.0005" if d > -0.0005 else "falls short"
print(f"| {sys.argv[3]} | {auto['model']} | {auto['auc']:.4f} | {best} | {sk[best]['auc']:.4f} | {d:+.4f} ({verdict}) |")
PY
}
run_dataset "Leads.csv" "$data/x-education/Leads.csv" "" "${leads_args[@]}"
run_dataset "bank-additional-full" "$data/uci-bank-marketing/bank-additional-full.csv" ";" "${bank_args[@]}"
# The other datasets of ../shared/data with an outcome: the older bank file, and Maven's
# synthetic deals (won or lost; open deals left out) joined with their accounts, the close
# date and value left out (they follow the outcome).
run_dataset "bank-full" "$data/uci-bank-marketing/bank-full.csv" ";" "${bank_args[@]}"
python3 - ../shared/data/accounts/maven-crm-synthetic "$work/maven.csv" <<'PY'
import csv, sys
d, out = sys.argv[1], sys.argv[2]
accounts = {r["account"]: r for r in csv.DictReader(open(f"{d}/accounts.csv"))}
fields = ["sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of"]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["sales_agent", "product", "account", "engage_date", *fields, "won"])
    for r in csv.DictReader(open(f"{d}/sales_pipeline.csv")):
        if r["deal_stage"] in ("Won", "Lost"):
            a = accounts.get(r["account"], {})
            w.writerow([r["sales_agent"], r["product"], r["account"], r["engage_date"],
                        *(a.get(k, "") for k in fields), int(r["deal_stage"] == "Won")])
PY
run_dataset "maven-deals" "$work/maven.csv" "" --label won

echo
echo "auto against the best scikit-learn model, same folds (AUC):"
echo
echo "| data | auto chose | AUC | best scikit-learn | AUC | difference |"
echo "|---|---|---|---|---|---|"
cat "$work/auto.md"
$accuracy_only && exit 0
echo
fi

python3 bench/gen_scoring.py "$data/x-education/Leads.csv" "$rows" "$work/big.csv"
echo "batch scoring: $rows rows, $(du -m "$work/big.csv" | cut -f1) MB (resampled Leads.csv rows)"
echo
echo "| what | time | rows/s | MB/s | peak memory |"
echo "|---|---|---|---|---|"
bytes=$(stat -c %s "$work/big.csv")
measure() { # name, command... (best time of 3 runs: the machine may be shared)
    local name=$1; shift
    cat "$work/big.csv" > /dev/null # warm the page cache
    local secs=999999 kb=0 s k
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
        read -r s k < "$work/time"
        secs=$(python3 -c "print(min($secs, $s))")
        kb=$(( k > kb ? k : kb ))
    done
    python3 -c "import sys; s=max(float(sys.argv[2]),0.001); print(f'| {sys.argv[1]} | {s:.2f} s | {int(sys.argv[3])/s:,.0f} | {int(sys.argv[4])/s/1e6:,.0f} | {int(sys.argv[5])/1024:.0f} MB |')" \
        "$name" "$secs" "$rows" "$bytes" "$kb"
}
measure "csv crate: parse only (the bar)" "$target/release/examples/csv_parse" "$work/big.csv"
for model in logistic gbm odoo-nb; do
    "$sift" train --data "$data/x-education/Leads.csv" "${leads_args[@]}" --model "$model" -o "$work/$model.model" --no-leakage-compare --json > /dev/null
    measure "sift score --model ($model), probability + score + top 3 factors each side" "$sift" score --model "$work/$model.model" "$work/big.csv" -o "$work/out.csv"
done
measure "sift score --model (logistic) --top 0: probability + score only" "$sift" score --model "$work/logistic.model" "$work/big.csv" -o "$work/out.csv" --top 0
measure "pandas + scikit-learn logistic: fit, read, predict_proba, write" \
    "$venv/bin/python" bench/sklearn_score.py "$data/x-education/Leads.csv" "${leads_args[@]}" --folds-out "$work/ignored.folds" --score-csv "$work/big.csv" --skip-cv
