"""Benchmark the CLV and rule-mining cores against lifetimes / mlxtend apriori (a measurement,
not a test).

CLV: N customers are simulated from BG/NBD + Gamma-Gamma at the CDNOW estimates (vectorised,
see ``simulate_customers``) and fitted with ``clv.fit_bgnbd`` / ``clv.fit_gamma_gamma`` and
with lifetimes' ``BetaGeoFitter`` / ``GammaGammaFitter`` (one row per customer, their default
usage); a further step times what the dbt models clv_model_fit + customer_clv do after reading
their refs (``clv.fit_models`` + ``clv.score_customers``; no reference), and one what the
classifier models do (``classifiers.validate`` + ``classifiers.score`` on N customers at each
of three cutoffs, ``simulate_classifier_features``; no reference). Rules: ~1M order
lines of synthetic baskets with planted pairs (``simulate_baskets``) mined with
``rules.mine_rules`` (sparse fpgrowth) and with mlxtend ``apriori`` at default settings on the
dense one-hot DataFrame it needs, followed by ``association_rules``.

Memory method: every measured step runs in its own child process (``python -m
customer_behaviour.bench_models --worker ...``) that loads its input from a .npz file and
builds what the step starts from. Just before the step it runs ``gc.collect()``, resets the
kernel's resident-set high-water mark (``echo 5 > /proc/self/clear_refs``) and reads VmRSS;
after the step it reads the high-water mark VmHWM. ``peak MB`` is that high-water mark and
``delta MB`` = peak - VmRSS before the step: the extra resident memory the step needed at its
worst moment, input loading excluded. Unlike tracemalloc this sees every allocation (numpy,
pandas, scipy's Fortran work arrays, C extensions) and costs nothing at run time; the price is
page granularity (allocator caching can make it slightly pessimistic). Where clear_refs is not
writable it falls back to ``ru_maxrss`` (which then includes loading) and says so.

apriori guard: before running apriori the size of its level-2 candidate tensor is estimated.
mlxtend 0.25 evaluates ``np.all(X[:, combin], axis=2)`` for all candidate pairs at once, about
4 * n_baskets * C(F, 2) bytes for F frequent items (2 for the gathered pairs, 1 for the result,
1 for its copy). The child runs under ``RLIMIT_AS`` = ``--apriori-mem-gb`` and a wall-clock
timeout; if it dies (MemoryError, killed, timeout) that is reported as stopped. If the estimate
exceeds half the limit, apriori is additionally run on the largest prefix of baskets (1/2,
1/4, ...) whose estimate fits, and ours on the same prefix: one like-for-like comparison.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from customer_behaviour import cli

CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


# --------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------


def simulate_customers(
    n: int,
    *,
    seed: int = 0,
    bgnbd: dict[str, float] | None = None,
    gamma_gamma: dict[str, float] | None = None,
    cohort_days: int = 84,
    observation_days: int = 273,
) -> pd.DataFrame:
    """Simulate an RFM summary of ``n`` customers from BG/NBD + Gamma-Gamma (time in weeks).

    First purchases are uniform over the first ``cohort_days`` days, the period ends on day
    ``observation_days`` (CDNOW: 12-week cohort, T between 27 and 39 weeks). Per customer
    lambda ~ Gamma(r, 1/alpha), p ~ Beta(a, b); the customer dies after each repeat purchase
    with probability p, so the number of repeat purchases before death K ~ Geometric(p) and the
    observed x = min(Poisson(lambda T), K). Given N = Poisson(lambda T) events in (0, T] the
    x-th event time is T * Beta(x, N - x + 1). Times are floored to whole days (as real data
    measured in days would be) and expressed in weeks. Spend: nu ~ Gamma(q, 1/v), the mean of
    x purchases ~ Gamma(p x, 1/(x nu)), rounded to cents (minimum 0.01); 0 when x = 0.
    """
    bg = bgnbd or CDNOW_BGNBD
    gg = gamma_gamma or CDNOW_GAMMA_GAMMA
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, cohort_days, size=n)
    t_days = (observation_days - first_day).astype(float)
    t_weeks = t_days / 7.0
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], size=n)
    p_drop = rng.beta(bg["a"], bg["b"], size=n)
    k_alive = rng.geometric(np.clip(p_drop, 1e-12, 1.0))
    n_events = rng.poisson(lam * t_weeks)
    x = np.minimum(n_events, k_alive)
    repeat = x > 0
    frac = np.zeros(n)
    frac[repeat] = rng.beta(x[repeat], n_events[repeat] - x[repeat] + 1)
    recency_days = np.floor(frac * t_days)
    nu = rng.gamma(gg["q"], 1.0 / gg["v"], size=n)
    spend = np.zeros(n)
    spend[repeat] = rng.gamma(gg["p"] * x[repeat], 1.0 / (x[repeat] * nu[repeat]))
    spend = np.where(repeat, np.maximum(np.round(spend, 2), 0.01), 0.0)
    return pd.DataFrame(
        {
            "frequency": x.astype("int64"),
            "recency": recency_days / 7.0,
            "T": t_weeks,
            "monetary_value": spend,
        }
    )


def simulate_classifier_features(n: int, seed: int = 0) -> pd.DataFrame:
    """A fct_customer_classifier_features-shaped frame: ``n`` customers at each of the train,
    test and score cutoffs, order features only (event columns absent, as on Online Retail),
    with labels that depend on recency and spend (churn likelier the longer idle)."""
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.char.mod("c%08d", np.arange(n)), dtype="str")
    frames = []
    for role, cutoff in (("train", "2024-01-01"), ("test", "2024-04-01"), ("score", "2024-07-01")):
        idle = rng.integers(0, 300, n)
        days = rng.integers(1, 10, n)
        spend = rng.gamma(2.0, 50.0, n) * days
        buys = rng.random(n) < np.exp(-idle / 80)
        frame = pd.DataFrame(
            {
                "customer_id": ids,
                "cutoff_role": role,
                "days_since_last_purchase": idle,
                "tenure_days": idle + np.where(days > 1, rng.integers(1, 400, n), 0),
                "purchase_days": days,
                "completed_orders": days,
                "net_spend": spend,
                "average_order_value": spend / days,
                "last_period_net_spend": spend * (idle < 90) / 3,
                "recency_score": rng.integers(1, 6, n),
                "frequency_score": rng.integers(1, 6, n),
                "monetary_score": rng.integers(1, 6, n),
                "future_completed_orders": np.where(buys, rng.integers(1, 4, n), 0),
                "future_net_spend": np.where(buys, spend / days * rng.random(n) * 3, 0.0),
                "cutoff_date": pd.Timestamp(cutoff).date(),
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def simulate_baskets(
    n_lines: int = 1_000_000,
    *,
    n_items: int = 3000,
    mean_basket_size: float = 5.0,
    n_planted: int = 40,
    planted_prob: float = 0.6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, list[str], list[tuple[int, int]]]:
    """Synthetic order lines: (basket ids, item codes, item names, planted pairs).

    Basket sizes are 1 + Poisson(mean - 1); items are drawn with Zipf-like popularity
    (weight 1/(rank + 20)); for each of ``n_planted`` pairs (A, B) of mid-popularity items, a
    basket containing A also gets B with probability ``planted_prob``. Duplicate items in a
    basket are removed, so the line count is approximately ``n_lines``.
    """
    rng = np.random.default_rng(seed)
    n_baskets = int(n_lines / (mean_basket_size * 0.97))
    sizes = 1 + rng.poisson(mean_basket_size - 1, size=n_baskets)
    weights = 1.0 / (np.arange(n_items) + 20.0)
    weights /= weights.sum()
    basket = np.repeat(np.arange(n_baskets), sizes)
    item = rng.choice(n_items, size=basket.shape[0], p=weights)
    mids = rng.permutation(np.arange(50, 450))[: 2 * n_planted]
    pairs = [(int(mids[2 * i]), int(mids[2 * i + 1])) for i in range(n_planted)]
    lookup = np.full(n_items, -1)
    for a, b in pairs:
        lookup[a] = b
    partner = lookup[item]
    add = (partner >= 0) & (rng.random(item.shape[0]) < planted_prob)
    basket = np.concatenate([basket, basket[add]])
    item = np.concatenate([item, partner[add]])
    codes = np.unique(basket.astype(np.int64) * n_items + item)
    names = [f"sku{i:04d}" for i in range(n_items)]
    return codes // n_items, codes % n_items, names, pairs


# --------------------------------------------------------------------------------------------
# child-process worker
# --------------------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _start_measure() -> tuple[int, bool]:
    """Reset the RSS high-water mark (if the kernel lets us); return (VmRSS kB, reset ok)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        reset = True
    except OSError:
        reset = False
    return _status_kb("VmRSS"), reset


def _peak_kb(reset: bool) -> int:
    if reset:
        return _status_kb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _baskets_frame(data: Any, n_baskets: int | None) -> pd.DataFrame:
    basket, item = data["basket"], data["item"]
    if n_baskets is not None:
        keep = basket < n_baskets
        basket, item = basket[keep], item[keep]
    names = np.asarray(data["names"]).astype(object)
    return pd.DataFrame({"basket_id": basket, "item": names[item]})


def _worker(task: str, data_path: str, opts: dict[str, Any]) -> dict[str, Any]:
    import warnings

    warnings.simplefilter("ignore")
    if opts.get("mem_limit_bytes"):
        limit = int(opts["mem_limit_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    data = np.load(data_path, allow_pickle=False)
    out: dict[str, Any] = {}
    if task in ("ours_bgnbd", "lifetimes_bgnbd", "ours_gg", "lifetimes_gg"):
        f, rec, tt, m = (data[k] for k in ("frequency", "recency", "T", "monetary_value"))
        if task.startswith("lifetimes"):
            from lifetimes import BetaGeoFitter, GammaGammaFitter
        else:
            from customer_behaviour import clv
        rss0, reset = _start_measure()
        t0, c0 = time.perf_counter(), time.process_time()
        if task == "ours_bgnbd":
            fit = clv.fit_bgnbd(f, rec, tt)
            out["params"] = fit.params._asdict()
            out["unique_rows"] = fit.n_unique_rows
        elif task == "lifetimes_bgnbd":
            bgf = BetaGeoFitter().fit(f, rec, tt)
            out["params"] = {k: float(v) for k, v in bgf.params_.items()}
        elif task == "ours_gg":
            fit = clv.fit_gamma_gamma(f, m)
            out["params"] = fit.params._asdict()
            out["unique_rows"] = fit.n_unique_rows
        else:
            rep = f > 0
            ggf = GammaGammaFitter().fit(f[rep], m[rep])
            out["params"] = {k: float(v) for k, v in ggf.params_.items()}
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - c0
    elif task == "ours_clv_tables":
        # what clv_model_fit + customer_clv do after reading their refs, on a summary shaped
        # like fct_customer_purchase_summary
        from customer_behaviour import clv

        n = data["frequency"].shape[0]
        summary = pd.DataFrame(
            {
                "customer_id": pd.Series(np.char.mod("c%08d", np.arange(n)), dtype="str"),
                "time_unit": "week",
                "frequency": data["frequency"].astype("int32"),
                "recency": data["recency"],
                "t": data["T"],
                "monetary_value": data["monetary_value"],
                "as_of_date": pd.Timestamp("2024-06-30"),
            }
        )
        rss0, reset = _start_measure()
        t0, c0 = time.perf_counter(), time.process_time()
        fits = clv.fit_models(summary)
        scored = clv.score_customers(summary, fits, horizon_months=12)
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - c0
        out["rows"] = int(len(scored))
    elif task == "ours_classifiers":
        # what the classifier models do after reading fct_customer_classifier_features:
        # validation (train, test, baselines, calibration, importance) and scoring
        from customer_behaviour import classifiers

        features = simulate_classifier_features(int(opts["n"]), seed=int(opts.get("seed", 0)))
        rss0, reset = _start_measure()
        t0, c0 = time.perf_counter(), time.process_time()
        validation = classifiers.validate(features)["validation"]
        scored = classifiers.score(features)
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - c0
        out["rows"] = int(len(scored))
        auc = validation.set_index(["target", "scorer"])["auc"]
        out["churn_auc"] = float(auc[("churn", "classifier")])
        out["churn_recency_auc"] = float(auc[("churn", "recency")])
    else:
        n_sub = opts.get("n_baskets")
        baskets = _baskets_frame(data, n_sub)
        out["order_lines"] = int(len(baskets))
        out["baskets"] = int(baskets["basket_id"].nunique())
        min_support, min_conf = opts["min_support"], opts["min_confidence"]
        if task == "ours_rules":
            from customer_behaviour import rules

            rss0, reset = _start_measure()
            t0, c0 = time.perf_counter(), time.process_time()
            itemsets, rule_df = rules.mine_rules(
                baskets, min_support=min_support, min_confidence=min_conf
            )
            out["seconds"] = time.perf_counter() - t0
            out["cpu_seconds"] = time.process_time() - c0
            out["itemsets"] = int(len(itemsets))
            out["rules"] = int(len(rule_df))
        else:  # apriori, default settings, on the dense one-hot DataFrame it requires
            from mlxtend.frequent_patterns import apriori, association_rules

            rss0, reset = _start_measure()
            t0, c0 = time.perf_counter(), time.process_time()
            basket_codes, _ = pd.factorize(baskets["basket_id"], sort=True)
            item_codes, item_names = pd.factorize(baskets["item"], sort=True)
            n_b = int(basket_codes.max()) + 1
            dense = np.zeros((n_b, len(item_names)), dtype=bool)
            dense[basket_codes, item_codes] = True
            onehot = pd.DataFrame(dense, columns=list(item_names))
            del baskets, dense
            freq = apriori(onehot, min_support=min_support, use_colnames=True)
            ar = association_rules(
                freq, num_itemsets=n_b, metric="confidence", min_threshold=min_conf
            )
            ar = ar[ar["consequents"].map(len) == 1]
            out["seconds"] = time.perf_counter() - t0
            out["cpu_seconds"] = time.process_time() - c0
            out["itemsets"] = int(len(freq))
            out["rules"] = int(len(ar))
    peak_kb = _peak_kb(reset)
    out["memory_method"] = "VmHWM after clear_refs reset" if reset else "ru_maxrss (no reset)"
    out.update(rss_before_mb=rss0 / 1024, peak_mb=peak_kb / 1024, delta_mb=(peak_kb - rss0) / 1024)
    out["status"] = "ok"
    return out


def _run_child(task: str, data_path: Path, opts: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "customer_behaviour.bench_models", "--worker", task]
    cmd += ["--data", str(data_path), "--opts", json.dumps(opts)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "stopped", "reason": f"timeout after {timeout:.0f} s wall"}
    wall = time.perf_counter() - started
    if proc.returncode == 0 and proc.stdout.strip():
        return json.loads(proc.stdout.strip().splitlines()[-1])
    tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
    reason = "MemoryError" if "MemoryError" in proc.stderr else f"exit {proc.returncode}"
    return {
        "status": "stopped",
        "reason": f"{reason} after {wall:.1f} s wall incl. loading: {tail[:90]}",
    }


# --------------------------------------------------------------------------------------------
# command
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        type=cli.positive_int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="numbers of simulated customers for the CLV fits",
    )
    parser.add_argument("--order-lines", type=cli.positive_int, default=1_000_000)
    parser.add_argument("--min-support", type=cli.fraction, default=0.002)
    parser.add_argument("--min-confidence", type=cli.probability, default=0.5)
    parser.add_argument("--apriori-mem-gb", type=cli.positive_float, default=16.0)
    parser.add_argument(
        "--timeout", type=cli.positive_float, default=1200.0, help="seconds per child step"
    )
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--skip-apriori", action="store_true")
    parser.add_argument("--seed", type=cli.non_negative_int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--opts", default="{}", help=argparse.SUPPRESS)


def _apriori_estimate_bytes(
    basket: np.ndarray, item: np.ndarray, n_b: int, min_s: float
) -> tuple[int, int]:
    counts = np.bincount(item[basket < n_b])
    n_freq = int(np.sum(counts / n_b >= min_s))
    return int(4 * n_b * math.comb(n_freq, 2)), n_freq


def _fmt_row(row: dict[str, Any]) -> str:
    def num(key: str, fmt: str) -> str:
        v = row.get(key)
        width = int(fmt.split(".")[0])
        return format(v, fmt) if isinstance(v, int | float) else "-".rjust(width)

    return (
        f"{row['step']:<42} {row['size']:>10} {num('seconds', '9.2f')} "
        f"{num('cpu_seconds', '9.2f')} {num('peak_mb', '9.0f')} "
        f"{num('delta_mb', '9.0f')}  {row['status']:<8} {row.get('note', '')}"
    )


def run(args: argparse.Namespace) -> int:
    if args.worker:
        result = _worker(args.worker, args.data, json.loads(args.opts))
        print(json.dumps(result))
        return 0

    rows: list[dict[str, Any]] = []
    load_start = os.getloadavg()[0]

    def report(step: str, size: str, res: dict[str, Any], note: str = "") -> None:
        if res.get("status") == "stopped":
            note = (note + " " + res["reason"]).strip()
        row = {"step": step, "size": size, **res, "note": note}
        rows.append(row)
        print(_fmt_row(row), flush=True)

    header = (
        f"{'step':<42} {'size':>10} {'seconds':>9} {'cpu s':>9} {'peak MB':>9} {'delta MB':>9}"
        "  status"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="cbw-bench-") as tmp:
        for n in args.sizes:
            sim = simulate_customers(n, seed=args.seed)
            path = Path(tmp) / f"customers_{n}.npz"
            np.savez(path, **{c: sim[c].to_numpy() for c in sim.columns})
            size = f"{n:,}"
            for model, ours, theirs in (
                ("BG/NBD", "ours_bgnbd", "lifetimes_bgnbd"),
                ("Gamma-Gamma", "ours_gg", "lifetimes_gg"),
            ):
                mine = _run_child(ours, path, {}, args.timeout)
                note = ""
                if "params" in mine:
                    note = "unique rows {:,}; ".format(mine.get("unique_rows", 0))
                    note += " ".join(f"{k}={v:.4g}" for k, v in mine["params"].items())
                report(f"{model} ours (L-BFGS-B, unique rows)", size, mine, note)
                if args.skip_lifetimes:
                    continue
                ref = _run_child(theirs, path, {}, args.timeout)
                note = ""
                if "params" in ref and "params" in mine:
                    rel = max(abs(mine["params"][k] - v) / abs(v) for k, v in ref["params"].items())
                    note = f"max rel param diff vs ours {rel:.1e}"
                report(f"{model} lifetimes", size, ref, note)
            tables = _run_child("ours_clv_tables", path, {}, args.timeout)
            report(
                "CLV tables ours (fit_models+score)",
                size,
                tables,
                "both fits + p_alive, purchases 90/365 d, order value, 12-month CLV, tiers",
            )
            clf = _run_child("ours_classifiers", path, {"n": n, "seed": args.seed}, args.timeout)
            report(
                "classifiers ours (validate+score)",
                size,
                clf,
                (
                    f"churn AUC {clf['churn_auc']:.3f} vs recency {clf['churn_recency_auc']:.3f}; "
                    "2 targets: train+test+baselines+calibration+importance, refit+score"
                )
                if "churn_auc" in clf
                else "",
            )

        basket, item, names, pairs = simulate_baskets(args.order_lines, seed=args.seed)
        n_b = int(basket.max()) + 1
        bpath = Path(tmp) / "baskets.npz"
        np.savez(bpath, basket=basket, item=item, names=np.asarray(names))
        opts = {"min_support": args.min_support, "min_confidence": args.min_confidence}
        size = f"{len(basket):,}"
        print(
            f"# baskets: {len(basket):,} order lines, {n_b:,} baskets, {len(names)} items, "
            f"{len(pairs)} planted pairs; min_support={args.min_support}, "
            f"min_confidence={args.min_confidence}"
        )
        mine = _run_child("ours_rules", bpath, opts, args.timeout)
        report(
            "rules ours (sparse fpgrowth)",
            size,
            mine,
            f"{mine.get('itemsets', '-')} itemsets, {mine.get('rules', '-')} rules",
        )
        if not args.skip_apriori:
            limit = int(args.apriori_mem_gb * 1024**3)
            est, n_freq = _apriori_estimate_bytes(basket, item, n_b, args.min_support)
            print(
                f"# apriori level-2 estimate: {n_freq} frequent items -> "
                f"{est / 1024**3:.1f} GB; child limited to RLIMIT_AS={args.apriori_mem_gb:g} GB"
            )
            ref = _run_child("apriori", bpath, {**opts, "mem_limit_bytes": limit}, args.timeout)
            note = ""
            if "rules" in ref:
                note = f"{ref['itemsets']} itemsets, {ref['rules']} rules"
            report("rules mlxtend apriori (default)", size, ref, note)
            if est > limit / 2:
                sub = n_b
                while sub > 1000 and _apriori_estimate_bytes(basket, item, sub, args.min_support)[
                    0
                ] > (limit / 2):
                    sub //= 2
                est_sub, n_freq_sub = _apriori_estimate_bytes(basket, item, sub, args.min_support)
                print(
                    f"# subsample: first {sub:,} baskets ({sub / n_b:.3g} of all): "
                    f"{n_freq_sub} frequent items, apriori estimate {est_sub / 1024**3:.1f} GB"
                )
                sub_opts = {**opts, "n_baskets": sub}
                mine_s = _run_child("ours_rules", bpath, sub_opts, args.timeout)
                lines = mine_s.get("order_lines", 0)
                report(
                    "rules ours (subsample)",
                    f"{lines:,}",
                    mine_s,
                    f"{mine_s.get('itemsets', '-')} itemsets, {mine_s.get('rules', '-')} rules",
                )
                ref_s = _run_child(
                    "apriori", bpath, {**sub_opts, "mem_limit_bytes": limit}, args.timeout
                )
                note = ""
                if "rules" in ref_s:
                    note = f"{ref_s['itemsets']} itemsets, {ref_s['rules']} rules"
                report("rules mlxtend apriori (subsample)", f"{lines:,}", ref_s, note)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    methods = sorted({r["memory_method"] for r in rows if "memory_method" in r})
    print(
        "memory: one child process per step; peak = RSS high-water mark during the step, "
        f"delta = peak - RSS just before it ({'; '.join(methods)})"
    )
    print(
        "time: seconds = wall clock of the step, cpu s = CPU time of its process (all threads); "
        f"1-min load average {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end on "
        f"{os.cpu_count()} CPUs (wall > cpu means the step waited for a CPU)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli.module_main(sys.modules[__name__], "bench_models", argv)


if __name__ == "__main__":
    sys.exit(main())
