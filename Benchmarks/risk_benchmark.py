#!/usr/bin/env python3
"""Gradient-boosted trees: Upstream (Swift) against scikit-learn's HistGradientBoostingClassifier.

Generates (once) a deterministic synthetic table with `upstream-risk-bench generate`, then runs, N times each and
in alternating order, the Swift learner (`upstream-risk-bench train`) and scikit-learn on the same files with the
same hyper-parameters, each in its own process limited to two threads. Prints a table of medians and ratios and
writes Benchmarks/out/risk-results.json. See Benchmarks/risk.md.

    python3 Benchmarks/risk_benchmark.py [--runs 3] [--rows 1000000] [--test-rows 200000] [--bench PATH]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV = OUT / "venv"

# The matched hyper-parameters. Upstream's maxBins counts the missing-value bin, scikit-learn's max_bins does not.
# Early stopping watches the same rows in both: the last `validation_rows` of the training file (scikit-learn's
# X_val/y_val), so neither gains or loses by the luck of its own random hold-out.
PARAMS = dict(max_iter=200, learning_rate=0.1, max_depth=6, max_leaf_nodes=31, min_samples_leaf=20,
              l2_regularization=1.0, max_bins=255, early_stopping=True, validation_rows=100_000,
              n_iter_no_change=10, tol=1e-7, seed=42)


def upstream_arguments(p):
    return ["--max-iterations", p["max_iter"], "--learning-rate", p["learning_rate"], "--max-depth", p["max_depth"],
            "--max-leaf-nodes", p["max_leaf_nodes"], "--min-samples-leaf", p["min_samples_leaf"],
            "--l2", p["l2_regularization"], "--max-bins", p["max_bins"] + 1,
            "--early-stopping", int(p["early_stopping"]), "--validation-rows", p["validation_rows"],
            "--patience", p["n_iter_no_change"], "--tolerance", p["tol"], "--seed", p["seed"]]


def ensure_venv():
    python = VENV / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", "import sklearn, numpy"], capture_output=True)
        if check.returncode == 0:
            return python
    print(f"creating {VENV} and installing scikit-learn and numpy from PyPI", flush=True)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "scikit-learn", "numpy"], check=True)
    return python


def load(directory, name, features):
    import numpy as np
    y = np.fromfile(directory / f"{name}_y.u8", dtype=np.uint8)
    x = np.fromfile(directory / f"{name}_X.f32", dtype=np.float32).reshape(features, len(y)).T
    return x, y


def sklearn_worker(directory, json_path, params):
    """Runs in its own process so its peak RSS is its own."""
    import numpy as np
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    meta = json.loads((directory / "meta.json").read_text())
    x, y = load(directory, "train", meta["features"])
    xt, yt = load(directory, "test", meta["features"])
    model = HistGradientBoostingClassifier(
        max_iter=params["max_iter"], learning_rate=params["learning_rate"], max_depth=params["max_depth"],
        max_leaf_nodes=params["max_leaf_nodes"], min_samples_leaf=params["min_samples_leaf"],
        l2_regularization=params["l2_regularization"], max_bins=params["max_bins"],
        early_stopping=params["early_stopping"], n_iter_no_change=params["n_iter_no_change"], tol=params["tol"],
        scoring="loss", random_state=params["seed"])
    cut = len(y) - params["validation_rows"]
    x_train, y_train = np.ascontiguousarray(x[:cut]), y[:cut]
    x_val, y_val = np.ascontiguousarray(x[cut:]), y[cut:]
    t0 = time.perf_counter()
    model.fit(x_train, y_train, X_val=x_val, y_val=y_val)
    t1 = time.perf_counter()
    scores = model.predict_proba(xt)[:, 1]
    t2 = time.perf_counter()
    result = dict(library=f"scikit-learn {sklearn.__version__}", train_seconds=t1 - t0, score_seconds=t2 - t1,
                  auc=float(roc_auc_score(yt, scores)), iterations=int(model.n_iter_),
                  peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  validation_loss=float(-model.validation_score_[-1]) if params["early_stopping"] else -1,
                  mean_leaves=float(np.mean([p[0].get_n_leaf_nodes() for p in model._predictors])),
                  mean_depth=float(np.mean([p[0].get_max_depth() for p in model._predictors])),
                  validation_curve=[float(-v) for v in model.validation_score_] if params["early_stopping"] else [])
    Path(json_path).write_text(json.dumps(result))


def load_average():
    return os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--bench", default=str(HERE.parent / ".build" / "release" / "upstream-risk-bench"))
    parser.add_argument("--sklearn-worker", nargs=2, metavar=("DATA", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sklearn_worker:
        sklearn_worker(Path(args.sklearn_worker[0]), args.sklearn_worker[1], PARAMS)
        return

    python = ensure_venv()
    data = OUT / f"risk-data-{args.rows}"
    if not (data / "meta.json").exists():
        subprocess.run([args.bench, "generate", "--out", data, "--rows", str(args.rows),
                        "--test-rows", str(args.test_rows)], check=True)
    meta = json.loads((data / "meta.json").read_text())
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    runs = {"upstream": [], "sklearn": []}
    for run in range(args.runs):
        order = ["upstream", "sklearn"] if run % 2 == 0 else ["sklearn", "upstream"]
        for library in order:
            result_path = OUT / f"risk-{library}-{run}.json"
            before = load_average()
            if library == "upstream":
                scores_path = OUT / "risk-upstream-scores.f64"
                command = [args.bench, "train", "--data", data, "--json", result_path, "--scores", scores_path]
                command += upstream_arguments(PARAMS)
            else:
                command = [python, __file__, "--sklearn-worker", data, result_path]
            subprocess.run([str(c) for c in command], check=True, env=env, stdout=subprocess.DEVNULL)
            result = json.loads(result_path.read_text())
            if library == "upstream":  # the same AUC function for both: scikit-learn's, on Upstream's scores
                check = subprocess.run([python, "-c", (
                    "import numpy as np, sys; from sklearn.metrics import roc_auc_score;"
                    f"y=np.fromfile('{data}/test_y.u8',dtype=np.uint8);"
                    f"s=np.fromfile('{scores_path}',dtype=np.float64);print(roc_auc_score(y,s))")],
                    capture_output=True, text=True, check=True)
                result["auc_upstream_own"] = result["auc"]
                result["auc"] = float(check.stdout.strip())
            result["load_before"] = before
            result["load_after"] = load_average()
            runs[library].append(result)
            print(f"run {run + 1}/{args.runs} {library:8s} train {result['train_seconds']:7.2f} s  "
                  f"score {result['score_seconds']:6.2f} s  AUC {result['auc']:.5f}  "
                  f"iterations {result['iterations']}  peak RSS {result['peak_rss_bytes'] / 2**20:,.0f} MiB  "
                  f"load {before:.1f}→{result['load_after']:.1f}", flush=True)

    def median(library, key):
        return statistics.median(r[key] for r in runs[library])

    rows = []
    for key, label, fmt in [("train_seconds", "training (s)", "{:.2f}"), ("score_seconds", "scoring the test rows (s)", "{:.3f}"),
                            ("auc", "test ROC AUC", "{:.5f}"), ("iterations", "trees kept", "{:.0f}"),
                            ("peak_rss_bytes", "peak RSS (MiB)", "{:.0f}")]:
        up, sk = median("upstream", key), median("sklearn", key)
        if key == "peak_rss_bytes":
            up, sk = up / 2**20, sk / 2**20
        if key.endswith("seconds"):
            ratio = f"sklearn/Upstream = {sk / up:.2f}×"
        elif key == "auc":
            ratio = f"Upstream − sklearn = {up - sk:+.5f}"
        else:
            ratio = ""
        rows.append((label, fmt.format(up), fmt.format(sk), ratio))
    fit_rows = meta["train_rows"] - PARAMS["validation_rows"]
    print(f"\n{fit_rows:,} training rows + {PARAMS['validation_rows']:,} early-stopping rows × {meta['features']} "
          f"features, {meta['test_rows']:,} test rows; medians of {args.runs} runs; 2 threads each\n")
    print("| | Upstream | scikit-learn | |\n|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    summary = dict(meta=meta, params=PARAMS, runs=runs,
                   medians={lib: {k: median(lib, k) for k in ("train_seconds", "score_seconds", "auc", "iterations")}
                            for lib in runs})
    (OUT / "risk-results.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
