"""Churn and big-spender classifiers over fct_customer_classifier_features.

The frame has one row per customer and ``cutoff_role`` (``train``, ``test``, ``score``):
features measured at the role's cutoff (nothing dated after it; see macro
customer_classifier_features) and, for train and test, the label inputs from the N days after
it. Targets:

- ``churn``: no counted purchase in the N days after the cutoff (future_completed_orders = 0);
- ``big_spender``: future net spend in the top ``big_spender_share`` of the window, and > 0.

Validation is a time split: a model trained on the train cutoff (labels ending at the test
cutoff) is measured on the test cutoff, side by side with baselines that need no training
(days since the last purchase, BG/NBD P(alive) fitted at the test cutoff, last-period spend).
The published scores come from a refit on the test cutoff's rows (the latest labels),
applied to the score rows at as_of_date.

scikit-learn's LogisticRegression on standardised, log-scaled features with null indicators
(``prepare``), lbfgs with a fixed random_state: the same data gives the same tables. Chosen
over HistGradientBoostingClassifier after measuring both: on Online Retail boosting ranked
churn better (AUC 0.688 against 0.639; recency alone 0.624), on the demo data worse (0.696
against 0.745), and its tree predictions (permutation importance, scoring 1M customers) cost
tens of seconds where the logistic model fits and predicts 1M customers in about 3 s. The
metric code (AUC) is clv.roc_auc: one home.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import numpy as np
import pandas as pd

from customer_behaviour import clv

TARGETS = ("churn", "big_spender")
#: Feature columns of fct_customer_classifier_features (null where the source lacks them:
#: a column null for every training row is left out of the model).
FEATURES = (
    "days_since_last_purchase",
    "tenure_days",
    "purchase_days",
    "completed_orders",
    "net_spend",
    "average_order_value",
    "last_period_net_spend",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "sessions",
    "cart_to_view_ratio",
    "checkout_to_cart_ratio",
    "purchase_to_session_ratio",
    "sessions_per_active_day",
    "mean_seconds_to_cart",
    "mobile_session_share",
    "countries_seen",
    "offer_clicks",
)
BASELINES = ("recency", "p_alive", "last_period_spend")
#: Fewer training or test customers than this, or one class only: a status row, no model.
MIN_CUSTOMERS = 20
#: Permutation importance is measured on at most this many test rows (a seeded sample).
IMPORTANCE_MAX_ROWS = 20_000
#: The P(alive) baseline's BG/NBD is fitted on at most this many test customers (a seeded
#: sample; P(alive) is then computed for all): the fit cost grows with distinct histories.
BGNBD_MAX_ROWS = 100_000
#: lbfgs iteration limit of the logistic regression.
MAX_ITER = 1000

VALIDATION_DTYPES: dict[str, Any] = {
    "target": "str",
    "scorer": "str",
    "is_baseline": "boolean",
    "status": "str",
    "auc": "Float64",
    "top_decile_precision": "Float64",
    "top_decile_lift": "Float64",
    "positive_rate": "Float64",
    "train_customers": "Int64",
    "test_customers": "Int64",
    "message": "str",
    "train_cutoff_date": object,
    "test_cutoff_date": object,
}
CALIBRATION_DTYPES: dict[str, Any] = {
    "target": "str",
    "probability_decile": "Int64",
    "customers": "Int64",
    "mean_predicted_probability": "Float64",
    "observed_rate": "Float64",
    "test_cutoff_date": object,
}
IMPORTANCE_DTYPES: dict[str, Any] = {
    "target": "str",
    "feature": "str",
    "importance_rank": "Int64",
    "auc_drop_mean": "Float64",
    "auc_drop_std": "Float64",
    "test_cutoff_date": object,
}
SCORE_DTYPES: dict[str, Any] = {
    "customer_id": "str",
    "churn_probability": "Float64",
    "churn_decile": "Int64",
    "big_spender_probability": "Float64",
    "big_spender_decile": "Int64",
    "as_of_date": object,
}


# --------------------------------------------------------------------------------------------
# labels and metrics
# --------------------------------------------------------------------------------------------


def labels(frame: pd.DataFrame, target: str, big_spender_share: float = 0.2) -> np.ndarray:
    """The boolean label of ``target`` per row of one cutoff's rows."""
    if target == "churn":
        return frame["future_completed_orders"].to_numpy(dtype=float) == 0
    if target == "big_spender":
        spend = frame["future_net_spend"].to_numpy(dtype=float)
        if spend.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        threshold = np.quantile(spend, 1.0 - big_spender_share)
        return (spend >= threshold) & (spend > 0)
    raise ValueError(f"unknown target {target!r}; expected one of {TARGETS}")


def _order(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Row order by score descending, ties by id ascending (deterministic)."""
    return np.lexsort((ids, -scores))


def deciles(scores: Any, ids: Any) -> np.ndarray:
    """Decile per row: 1 = the tenth with the highest scores, ties broken by id."""
    s = np.asarray(scores, dtype=float)
    n = s.shape[0]
    out = np.empty(n, dtype=np.int64)
    out[_order(s, np.asarray(ids).astype(str))] = np.arange(n) * 10 // max(n, 1) + 1
    return out


def top_decile(labels_: Any, scores: Any, ids: Any) -> tuple[float, float]:
    """(precision, lift) in the top decile (the ceil(n/10) highest scores, ties by id):
    share of positives there, and that share over the overall positive rate."""
    y = np.asarray(labels_, dtype=bool)
    s = np.asarray(scores, dtype=float)
    n = y.shape[0]
    if n == 0 or not y.any():
        return float("nan"), float("nan")
    top = _order(s, np.asarray(ids).astype(str))[: int(np.ceil(n / 10))]
    precision = float(y[top].mean())
    return precision, precision / float(y.mean())


def calibration_table(labels_: Any, probabilities: Any, ids: Any) -> pd.DataFrame:
    """Per probability decile (1 = highest): customers, mean predicted probability, observed
    positive rate."""
    p = np.asarray(probabilities, dtype=float)
    frame = pd.DataFrame({"decile": deciles(p, ids), "p": p, "y": np.asarray(labels_, dtype=float)})
    grouped = frame.groupby("decile", sort=True)
    return pd.DataFrame(
        {
            "probability_decile": grouped.size().index.to_numpy(),
            "customers": grouped.size().to_numpy(),
            "mean_predicted_probability": grouped["p"].mean().to_numpy(),
            "observed_rate": grouped["y"].mean().to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


def split(features: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of each cutoff_role, in customer_id order."""
    return {
        role: features[features["cutoff_role"] == role]
        .sort_values("customer_id", kind="stable")
        .reset_index(drop=True)
        for role in ("train", "test", "score")
    }


def usable_features(frame: pd.DataFrame) -> list[str]:
    """Feature columns with at least one value (a source without events has none)."""
    return [c for c in FEATURES if c in frame and frame[c].notna().any()]


def _matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame[columns].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def prepare(x: np.ndarray) -> np.ndarray:
    """The model's view of the raw feature matrix: signed log1p of each value (money, counts
    and days are heavy-tailed), 0 where null, plus one 0/1 column per feature saying it was
    null (a customer without sessions is not a customer with a ratio of 0)."""
    missing = np.isnan(x)
    values = np.where(missing, 0.0, x)
    return np.hstack([np.sign(values) * np.log1p(np.abs(values)), missing.astype(float)])


def fit(frame: pd.DataFrame, y: np.ndarray, columns: list[str], seed: int):
    """Standardised logistic regression on ``prepare``d ``columns`` (lbfgs: deterministic;
    ``seed`` is its random_state). Permutation importance shuffles the raw columns."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    model = make_pipeline(
        FunctionTransformer(prepare),
        StandardScaler(),
        LogisticRegression(max_iter=MAX_ITER, random_state=seed),
    )
    return model.fit(_matrix(frame, columns), y)


def _why_not(train: pd.DataFrame, y_train: np.ndarray, test: pd.DataFrame, y_test) -> str | None:
    for name, frame, y in (("training", train, y_train), ("test", test, y_test)):
        if len(frame) < MIN_CUSTOMERS:
            return f"{len(frame)} {name} customers; need at least {MIN_CUSTOMERS}"
        if y.all() or not y.any():
            return f"every {name} customer has the same label (one class only)"
    return None


def p_alive_at_cutoff(frame: pd.DataFrame, seed: int = 42) -> tuple[np.ndarray | None, str]:
    """BG/NBD P(alive) at the rows' cutoff (fitted on those rows' order features, in days, or
    a seeded sample of BGNBD_MAX_ROWS of them; no labels used), or None with the reason when
    the fit fails or is degenerate."""
    last = frame["days_since_last_purchase"].to_numpy(dtype=float)
    tenure = frame["tenure_days"].to_numpy(dtype=float)
    frequency = frame["purchase_days"].to_numpy(dtype=float) - 1
    recency = tenure - last
    rows = _sample(len(frame), BGNBD_MAX_ROWS, seed)
    try:
        fitted = clv.fit_bgnbd(frequency[rows], recency[rows], tenure[rows])
    except clv.ClvFitError as error:
        return None, f"BG/NBD fit {error.status}: {error}"
    degenerate = clv.bgnbd_degeneracy(fitted.params)
    if degenerate:
        return None, f"BG/NBD fit degenerate: {degenerate}"
    return clv.p_alive(fitted.params, frequency, recency, tenure), "fitted"


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted positions of a seeded sample of ``size`` of ``n`` rows (all when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _baseline_scores(
    test: pd.DataFrame, target: str, alive: np.ndarray | None, alive_status: str
) -> dict[str, tuple[np.ndarray | None, str]]:
    """Baseline scores oriented so that higher means more likely positive (``alive``: P(alive)
    at the test cutoff, None when BG/NBD could not give it, with ``alive_status`` saying why)."""
    sign = 1.0 if target == "churn" else -1.0
    return {
        "recency": (sign * test["days_since_last_purchase"].to_numpy(dtype=float), "ok"),
        "p_alive": (None if alive is None else -sign * alive, alive_status),
        "last_period_spend": (-sign * test["last_period_net_spend"].to_numpy(dtype=float), "ok"),
    }


def _date(frame: pd.DataFrame, column: str = "cutoff_date"):
    """The frame's (single) cutoff as a date (DuckDB DATE, not TIMESTAMP), None when empty."""
    return pd.Timestamp(frame[column].iloc[0]).date() if len(frame) else None


def _typed(rows: list[dict[str, Any]] | pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)


def _none(value: float) -> float | None:
    return None if np.isnan(value) else value


# validate()'s results in this process, by input: the three dbt Python models that publish its
# frames (classifier_validation, _calibration, _feature_importance) run in one dbt process and
# would otherwise train and measure the same classifiers three times. Deterministic (fixed
# seeds), so a cached result is the result; the lock makes a second model built on the other
# dbt thread wait for the first instead of training beside it.
_VALIDATED: dict[str, dict[str, pd.DataFrame]] = {}
_VALIDATED_LOCK = threading.Lock()
_VALIDATED_KEEP = 4


def _frame_key(frame: pd.DataFrame, *params: Any) -> str:
    layout = (list(frame.columns), [str(t) for t in frame.dtypes], params)
    digest = hashlib.sha256(repr(layout).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def validate(
    features: pd.DataFrame,
    *,
    big_spender_share: float = 0.2,
    seed: int = 42,
    has_orders: bool = True,
) -> dict[str, pd.DataFrame]:
    """Train on the train cutoff, measure on the test cutoff. Returns the frames
    ``validation`` (one row per target x scorer), ``calibration`` and ``importance``. Computed
    once per input in a process (copies are returned)."""
    key = _frame_key(features, big_spender_share, seed, has_orders)
    with _VALIDATED_LOCK:
        if key not in _VALIDATED:
            while len(_VALIDATED) >= _VALIDATED_KEEP:
                _VALIDATED.pop(next(iter(_VALIDATED)))
            _VALIDATED[key] = _validate(
                features, big_spender_share=big_spender_share, seed=seed, has_orders=has_orders
            )
        return {name: frame.copy() for name, frame in _VALIDATED[key].items()}


def _validate(
    features: pd.DataFrame,
    *,
    big_spender_share: float,
    seed: int,
    has_orders: bool,
) -> dict[str, pd.DataFrame]:
    from sklearn.inspection import permutation_importance

    parts = split(features)
    train, test = parts["train"], parts["test"]
    base = {
        "train_customers": len(train),
        "test_customers": len(test),
        "train_cutoff_date": _date(train),
        "test_cutoff_date": _date(test),
    }
    rows: list[dict[str, Any]] = []
    calibration: list[pd.DataFrame] = []
    importance: list[pd.DataFrame] = []
    columns = usable_features(train)
    alive: tuple[np.ndarray | None, str] | None = None
    for target in TARGETS:
        y_train = labels(train, target, big_spender_share)
        y_test = labels(test, target, big_spender_share)
        reason = (
            "the source has no orders (var source_capabilities): nothing to learn from"
            if not has_orders
            else _why_not(train, y_train, test, y_test)
        )
        ids = test["customer_id"].to_numpy().astype(str)
        scorers: dict[str, tuple[np.ndarray | None, str]] = {}
        if reason is None:
            model = fit(train, y_train, columns, seed)
            x_test = _matrix(test, columns)
            prob = model.predict_proba(x_test)[:, 1]
            scorers["classifier"] = (prob, "fitted")
            alive = alive or p_alive_at_cutoff(test, seed)
            scorers.update(_baseline_scores(test, target, *alive))
            table = calibration_table(y_test, prob, ids)
            table.insert(0, "target", target)
            table["test_cutoff_date"] = base["test_cutoff_date"]
            calibration.append(table)
            sample = _sample(len(test), IMPORTANCE_MAX_ROWS, seed)
            result = permutation_importance(
                model,
                x_test[sample],
                y_test[sample],
                scoring="roc_auc",
                n_repeats=3,
                random_state=seed,
            )
            imp = pd.DataFrame(
                {
                    "target": target,
                    "feature": columns,
                    "auc_drop_mean": result.importances_mean,
                    "auc_drop_std": result.importances_std,
                }
            ).sort_values(["auc_drop_mean", "feature"], ascending=[False, True], kind="stable")
            imp.insert(2, "importance_rank", np.arange(1, len(imp) + 1))
            imp["test_cutoff_date"] = base["test_cutoff_date"]
            importance.append(imp)
        for scorer in ("classifier", *BASELINES):
            row = dict.fromkeys(VALIDATION_DTYPES)
            row.update(base, target=target, scorer=scorer, is_baseline=scorer != "classifier")
            scores, status = scorers.get(scorer, (None, "insufficient_data"))
            if reason is not None:
                row.update(status="insufficient_data", message=reason)
            elif scores is None:
                row.update(status="not_available", message=status)
            else:
                precision, lift = top_decile(y_test, scores, ids)
                row.update(
                    status="ok",
                    auc=_none(clv.roc_auc(y_test, scores)),
                    top_decile_precision=_none(precision),
                    top_decile_lift=_none(lift),
                    message=f"trained on {len(columns)} features" if scorer == "classifier" else "",
                )
            row["positive_rate"] = float(y_test.mean()) if len(y_test) else None
            rows.append(row)
    return {
        "validation": _typed(rows, VALIDATION_DTYPES),
        "calibration": _typed(
            pd.concat(calibration, ignore_index=True) if calibration else [], CALIBRATION_DTYPES
        ),
        "importance": _typed(
            pd.concat(importance, ignore_index=True) if importance else [], IMPORTANCE_DTYPES
        ),
    }


def score(
    features: pd.DataFrame, *, big_spender_share: float = 0.2, seed: int = 42
) -> pd.DataFrame:
    """Probabilities and deciles per customer at as_of_date (the score rows), from models
    refitted on the test cutoff's rows. A target that cannot be fitted (too few customers,
    one class) has null probabilities and deciles."""
    parts = split(features)
    fit_rows, rows = parts["test"], parts["score"]
    out = pd.DataFrame({"customer_id": rows["customer_id"].astype(str)})
    ids = out["customer_id"].to_numpy()
    columns = usable_features(fit_rows)
    for target in TARGETS:
        y = labels(fit_rows, target, big_spender_share)
        enough = len(fit_rows) >= MIN_CUSTOMERS and y.any() and not y.all() and len(rows)
        if enough:
            prob = fit(fit_rows, y, columns, seed).predict_proba(_matrix(rows, columns))[:, 1]
            out[f"{target}_probability"] = prob
            out[f"{target}_decile"] = deciles(prob, ids)
        else:
            out[f"{target}_probability"] = None
            out[f"{target}_decile"] = None
    out["as_of_date"] = _date(rows)
    return _typed(out, SCORE_DTYPES)
