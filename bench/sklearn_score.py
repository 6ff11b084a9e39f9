"""scikit-learn side of bench/score.sh: the reference baseline (../shared/bench/sklearn_baseline.py,
same preprocessing, same models, same StratifiedKFold(5, shuffle=True, random_state=0)), plus
the fold of every row written to --folds-out so Sift cross-validates on exactly the same folds,
and the time to score the 1M-row file with the fitted logistic pipeline (--score-csv).

usage: python sklearn_score.py CSV --label COL [--positive V] [--exclude COL ...] [--sep ;]
                               --folds-out FILE [--score-csv BIG.csv]
Prints one JSON object.
"""
import argparse, json, time
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

ap = argparse.ArgumentParser()
ap.add_argument("csv"); ap.add_argument("--label", required=True); ap.add_argument("--positive")
ap.add_argument("--exclude", action="append", default=[]); ap.add_argument("--sep")
ap.add_argument("--folds", type=int, default=5); ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--folds-out", required=True); ap.add_argument("--score-csv")
ap.add_argument("--skip-cv", action="store_true", help="only fit on everything and score --score-csv")
a = ap.parse_args()

t0 = time.perf_counter()
df = pd.read_csv(a.csv, sep=a.sep, engine="python" if a.sep is None else "c", na_values=["Select", "unknown"])
df = df.loc[:, [c for c in df.columns if not str(c).startswith("Unnamed")]]
y_raw = df.pop(a.label)
y = (y_raw.astype(str) == a.positive).astype(int).values if a.positive else y_raw.astype(int).values
df = df.drop(columns=[c for c in a.exclude if c in df.columns])
df = df.drop(columns=[c for c in df.columns if df[c].nunique(dropna=True) > 0.9 * len(df)])
num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
cat = [c for c in df.columns if c not in num]
df[cat] = df[cat].astype(str).apply(lambda s: s.str.strip().str.lower())
load_s = time.perf_counter() - t0

def logistic():
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), num),
        ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10), cat)])
    return make_pipeline(pre, LogisticRegression(max_iter=2000, C=1.0))

def gbm():
    pre = ColumnTransformer([("num", "passthrough", num),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                encoded_missing_value=-1, max_categories=250), cat)])
    mask = [False] * len(num) + [True] * len(cat)
    return make_pipeline(pre, HistGradientBoostingClassifier(categorical_features=mask, random_state=a.seed))

splits = list(StratifiedKFold(a.folds, shuffle=True, random_state=a.seed).split(df, y))
fold_of = np.zeros(len(y), dtype=int)
for k, (_, te) in enumerate(splits):
    fold_of[te] = k
with open(a.folds_out, "w") as f:
    f.write("\n".join(str(v) for v in fold_of) + "\n")

report = {"rows": int(len(df)), "load_s": round(load_s, 3)}
for name, make in () if a.skip_cv else (("logistic", logistic), ("hist_gbm", gbm)):
    p = np.zeros(len(y)); fit_s = pred_s = 0.0
    for tr, te in splits:
        m = make(); t = time.perf_counter(); m.fit(df.iloc[tr], y[tr]); fit_s += time.perf_counter() - t
        t = time.perf_counter(); p[te] = m.predict_proba(df.iloc[te])[:, 1]; pred_s += time.perf_counter() - t
    report[name] = {"auc": round(roc_auc_score(y, p), 4), "log_loss": round(log_loss(y, p), 4),
                    "brier": round(brier_score_loss(y, p), 4), "fit_s": round(fit_s, 3), "predict_s": round(pred_s, 3)}

if a.score_csv:
    # Batch scoring the way a data scientist would: pandas + the fitted logistic pipeline.
    m = logistic().fit(df, y)
    t = time.perf_counter()
    big = pd.read_csv(a.score_csv, na_values=["Select", "unknown"])
    big = big.loc[:, [c for c in big.columns if not str(c).startswith("Unnamed")]]
    big[cat] = big[cat].astype(str).apply(lambda s: s.str.strip().str.lower())
    proba = m.predict_proba(big[num + cat])[:, 1]
    pd.DataFrame({"Prospect ID": big["Prospect ID"], "probability": proba.round(4)}).to_csv("/dev/null", index=False)
    report["score_1m_s"] = round(time.perf_counter() - t, 3)
print(json.dumps(report))
