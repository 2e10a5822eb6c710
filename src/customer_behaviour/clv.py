"""Customer lifetime value: BG/NBD (purchase counts) and Gamma-Gamma (spend per purchase).

Written with numpy/scipy only; ``lifetimes`` is a test oracle and is never imported here.

Models
------
* BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): per customer the
  repeat-purchase count ``frequency`` (x), the time of the last repeat purchase measured from
  the first purchase ``recency`` (t_x) and the age ``T`` (end of observation minus first
  purchase), all in one time unit (CDNOW: weeks).
* Gamma-Gamma (Fader & Hardie 2013): ``monetary_value`` is the mean spend of the x repeat
  purchases. Only customers with ``frequency > 0`` carry information, so the fit uses exactly
  those (and, since the model is a density on positive spend, only those with
  ``monetary_value > 0``); every other row is ignored, counted in ``GammaGammaFit.n_ignored``.

Fitting
-------
The log-likelihood is vectorised (``gammaln``/``logaddexp``; the x = 0 / x > 0 branch by
masks) and maximised over log-parameters with ``scipy.optimize.minimize(method="L-BFGS-B")``
and an analytic gradient, from a fixed starting point (all parameters 1 on a rescaled problem,
see below), so a fit is deterministic. Customers are first collapsed to their unique
(frequency, recency, T) rows with summed counts as weights, so the cost depends on the number
of distinct patterns, not on the number of customers (1M customers with day-resolution dates
fit in about a second).

BG/NBD is fitted with time rescaled so that ``max(T) == 1`` (as lifetimes does); ``penalizer``
is lifetimes' ``penalizer_coef``: ``penalizer * sum(params**2)`` added to the *mean* negative
log-likelihood, with ``alpha`` on that rescaled time axis, so penalised fits are comparable to
lifetimes'. Gamma-Gamma is fitted with spend rescaled to mean 1 (no penalizer). Reported
parameters and log-likelihoods are always in the caller's units; ``log_likelihood`` is the
total (summed over customers, weights included) and unpenalised.

Failure contract (what a dbt Python model relies on)
---------------------------------------------------
A fit function either returns a fitted result (``converged`` is then always True) or raises
``ClvFitError``. It never returns made-up parameters.

* ``InsufficientDataError`` (a subclass of ``ClvFitError``, ``status = "insufficient_data"``):
  raised *before* optimising when the data cannot identify the model. Rules (module constants):
  BG/NBD needs at least ``MIN_CUSTOMERS_BGNBD`` customers of which at least
  ``MIN_REPEAT_CUSTOMERS_BGNBD`` have ``frequency > 0``; Gamma-Gamma needs at least
  ``MIN_CUSTOMERS_GAMMA_GAMMA`` customers with ``frequency > 0`` and ``monetary_value > 0``.
  Counts are weighted (a weight is a number of customers).
* ``ClvFitError`` with ``status = "not_converged"``: the optimiser did not report success; the
  message names the model, the optimiser message and the parameters reached.
* ``ClvFitError`` with ``status = "degenerate"``: the optimiser stopped on the log-parameter
  bound (the maximum likelihood estimate is at infinity / zero), the likelihood is not finite,
  or a Gamma-Gamma fit has ``q <= 1`` (population mean spend undefined).

Every ``ClvFitError`` carries ``model``, ``status``, ``params`` (dict reached, or None),
``n_customers`` and ``n_repeat_customers``. ``fit_status_row(fit_or_error)`` turns either a fit
or the error into one flat dict (model, status, parameters or None, log-likelihood, counts,
message), so a dbt model does::

    try:
        bg = fit_bgnbd(f, r, T)
    except ClvFitError as exc:
        bg = None
        status = fit_status_row(exc)      # one row for the fit-status table
    else:
        status = fit_status_row(bg)
    # predictions: null when bg is None

Malformed input (NaN, negative values, recency > T, mismatched lengths) is a data bug upstream
and raises ``ValueError``, not ``ClvFitError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1
from scipy.stats import rankdata

__all__ = [
    "MIN_CUSTOMERS_BGNBD",
    "MIN_REPEAT_CUSTOMERS_BGNBD",
    "MIN_CUSTOMERS_GAMMA_GAMMA",
    "ClvFitError",
    "InsufficientDataError",
    "BgNbdParams",
    "GammaGammaParams",
    "BgNbdFit",
    "GammaGammaFit",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "bgnbd_log_likelihood",
    "gamma_gamma_log_likelihood",
    "expected_purchases",
    "p_alive",
    "expected_average_value",
    "customer_lifetime_value",
    "summary_from_transactions",
    "fit_status_row",
    "DAYS_PER_UNIT",
    "PERIODS_PER_MONTH",
    "MODEL_FIT_DTYPES",
    "CUSTOMER_CLV_DTYPES",
    "fit_models",
    "bgnbd_degeneracy",
    "roc_auc",
    "rank_correlation",
    "holdout_predictions",
    "holdout_report",
    "HOLDOUT_REPORT_DTYPES",
    "score_customers",
    "clv_tiers",
]

#: BG/NBD is not fitted on fewer customers than this (weighted count).
MIN_CUSTOMERS_BGNBD = 20
#: ... nor when fewer than this many of them made a repeat purchase (x > 0): with no repeat
#: buyers the likelihood is maximised at the boundary (r -> 0) and nothing is identified.
MIN_REPEAT_CUSTOMERS_BGNBD = 5
#: Gamma-Gamma is not fitted on fewer customers with frequency > 0 and monetary_value > 0.
MIN_CUSTOMERS_GAMMA_GAMMA = 10

#: Log-parameters are bounded to +-LOG_PARAM_BOUND; a fit that stops on the bound is degenerate.
LOG_PARAM_BOUND = 25.0
_DEFAULT_MAXITER = 2000
_FTOL = 1e-14
_GTOL = 1e-9
#: L-BFGS-B can stop with "ABNORMAL" (line search cannot improve any more) once it sits on the
#: optimum to machine precision; that stop is accepted as converged only if the largest
#: gradient component of the mean negative log-likelihood (w.r.t. log-parameters) is below this.
_GRAD_ACCEPT = 1e-6


# --------------------------------------------------------------------------------------------
# errors and result types
# --------------------------------------------------------------------------------------------


class ClvFitError(RuntimeError):
    """A CLV model could not be fitted. ``status`` says why (see module docstring)."""

    def __init__(
        self,
        message: str,
        *,
        model: str,
        status: str = "not_converged",
        params: dict[str, float] | None = None,
        n_customers: float | None = None,
        n_repeat_customers: float | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.status = status
        self.params = params
        self.n_customers = n_customers
        self.n_repeat_customers = n_repeat_customers


class InsufficientDataError(ClvFitError):
    """Too little data to identify the model (raised before optimising)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs["status"] = "insufficient_data"
        super().__init__(message, **kwargs)


class BgNbdParams(NamedTuple):
    r: float
    alpha: float
    a: float
    b: float


class GammaGammaParams(NamedTuple):
    p: float
    q: float
    v: float  # "gamma" in Fader & Hardie (2013); "v" in lifetimes


@dataclass(frozen=True)
class BgNbdFit:
    """A fitted BG/NBD model (only ever returned when the optimiser converged)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float  # total over customers (weights included), unpenalised
    n_customers: float  # customers represented = sum of weights
    n_repeat_customers: float  # of which frequency > 0
    n_rows: int  # input rows
    n_unique_rows: int  # distinct (frequency, recency, T) rows actually optimised over
    converged: bool
    iterations: int
    fit_seconds: float
    message: str
    penalizer: float = 0.0
    model: str = field(default="bgnbd", init=False)

    @property
    def params(self) -> BgNbdParams:
        return BgNbdParams(self.r, self.alpha, self.a, self.b)


@dataclass(frozen=True)
class GammaGammaFit:
    """A fitted Gamma-Gamma model (only ever returned when the optimiser converged)."""

    p: float
    q: float
    v: float
    log_likelihood: float  # total over the customers used (weights included)
    n_customers: float  # customers used (frequency > 0 and monetary_value > 0), weighted
    n_ignored: float  # customers ignored (frequency == 0 or monetary_value <= 0), weighted
    n_rows: int
    n_unique_rows: int
    converged: bool
    iterations: int
    fit_seconds: float
    message: str
    model: str = field(default="gamma_gamma", init=False)

    @property
    def gamma(self) -> float:
        return self.v

    @property
    def params(self) -> GammaGammaParams:
        return GammaGammaParams(self.p, self.q, self.v)


def fit_status_row(result: BgNbdFit | GammaGammaFit | ClvFitError) -> dict[str, Any]:
    """One flat, JSON/DuckDB-friendly dict describing a fit or a fit failure."""
    if isinstance(result, ClvFitError):
        return {
            "model": result.model,
            "status": result.status,
            "params": dict(result.params) if result.params else None,
            "log_likelihood": None,
            "n_customers": result.n_customers,
            "n_repeat_customers": result.n_repeat_customers,
            "message": str(result),
        }
    params = result.params._asdict()
    return {
        "model": result.model,
        "status": "fitted",
        "params": params,
        "log_likelihood": result.log_likelihood,
        "n_customers": result.n_customers,
        "n_repeat_customers": getattr(result, "n_repeat_customers", result.n_customers),
        "message": result.message,
    }


# --------------------------------------------------------------------------------------------
# input helpers
# --------------------------------------------------------------------------------------------


def _as_float(name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_float("weights", weights)
    if w.shape[0] != n:
        raise ValueError(f"weights has {w.shape[0]} rows, expected {n}")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    return w


def _check_rft(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    x = _as_float("frequency", frequency)
    tx = _as_float("recency", recency)
    tt = _as_float("T", T)
    if not (x.shape == tx.shape == tt.shape):
        raise ValueError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative integer count")
    # T = 0 (first purchase on the last day observed) is valid: such a customer has x = 0,
    # likelihood 1 (no information) and the predictions of a brand-new customer.
    if np.any(tx < 0) or np.any(tt < 0):
        raise ValueError("recency and T must be >= 0")
    if np.any(tx > tt):
        raise ValueError("recency is larger than T for some customers")
    if np.any((x == 0) & (tx != 0)):
        raise ValueError("recency must be 0 when frequency is 0")
    return x, tx, tt


def _bg_params(params: Any) -> BgNbdParams:
    if isinstance(params, Mapping):
        return BgNbdParams(*(float(params[k]) for k in ("r", "alpha", "a", "b")))
    if all(hasattr(params, k) for k in ("r", "alpha", "a", "b")):
        return BgNbdParams(float(params.r), float(params.alpha), float(params.a), float(params.b))
    return BgNbdParams(*(float(v) for v in params))


def _gg_params(params: Any) -> GammaGammaParams:
    if isinstance(params, Mapping):
        v = params["v"] if "v" in params else params["gamma"]
        return GammaGammaParams(float(params["p"]), float(params["q"]), float(v))
    if all(hasattr(params, k) for k in ("p", "q", "v")):
        return GammaGammaParams(float(params.p), float(params.q), float(params.v))
    return GammaGammaParams(*(float(v) for v in params))


def _collapse(columns: dict[str, np.ndarray], w: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of ``columns`` (sorted, so deterministic) with summed weights."""
    frame = pd.DataFrame(columns)
    frame["_w"] = w
    frame = frame[frame["_w"] > 0]
    grouped = frame.groupby(list(columns), sort=True)["_w"].sum()
    keys = [grouped.index.get_level_values(i).to_numpy(dtype=float) for i in range(len(columns))]
    return keys, grouped.to_numpy(dtype=float)


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def _bgnbd_terms(r, alpha, a, b, x, tx, tt):
    """Per-row log-likelihood pieces shared by the value and the gradient."""
    ln_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    ln_a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    t1 = -(r + x) * np.log(alpha + tt)
    repeat = x > 0
    # b + x - 1 >= b > 0 where x > 0; the x == 0 rows get -inf (no "died after last purchase"
    # term), evaluated on a safe denominator so no warnings are raised.
    t2 = np.full_like(t1, -np.inf)
    t2[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + tx[repeat])
    )
    ln_a34 = np.logaddexp(t1, t2)
    return ln_a1, ln_a2, t1, t2, ln_a34, repeat


def bgnbd_log_likelihood(params: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6).

    ``L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] * B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))``
    """
    r, alpha, a, b = _bg_params(params)
    x, tx, tt = _check_rft(frequency, recency, T)
    ln_a1, ln_a2, _, _, ln_a34, _ = _bgnbd_terms(r, alpha, a, b, x, tx, tt)
    return ln_a1 + ln_a2 + ln_a34


def _bgnbd_objective(log_params, x, tx, tt, w, wsum, penalizer):
    """Mean negative log-likelihood (+ L2 penalty) and its gradient w.r.t. log-parameters."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    ln_a1, ln_a2, t1, t2, ln_a34, repeat = _bgnbd_terms(r, alpha, a, b, x, tx, tt)
    ll = ln_a1 + ln_a2 + ln_a34
    value = -np.dot(w, ll) / wsum + penalizer * np.sum(params**2)
    if not np.isfinite(value):
        return np.inf, np.zeros(4)

    w1 = np.exp(t1 - ln_a34)  # share of the "still alive at T" term
    w2 = np.exp(t2 - ln_a34)  # share of the "died after t_x" term (0 where x == 0)
    inv_bx1 = np.zeros_like(x)
    inv_bx1[repeat] = 1.0 / (b + x[repeat] - 1)
    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w1 * np.log(alpha + tt)
        - w2 * np.log(alpha + tx)
    )
    d_alpha = r / alpha - w1 * (r + x) / (alpha + tt) - w2 * (r + x) / (alpha + tx)
    psi_abx = digamma(a + b + x)
    d_a = digamma(a + b) - psi_abx + w2 / a
    d_b = digamma(b + x) - psi_abx - digamma(b) + digamma(a + b) - w2 * inv_bx1
    grad_params = -np.array([np.dot(w, d) for d in (d_r, d_alpha, d_a, d_b)]) / wsum
    grad_params += 2.0 * penalizer * params
    return value, grad_params * params  # chain rule: d/d log(theta) = theta * d/d theta


def _minimize(fun, x0, args, maxiter):
    bounds = [(-LOG_PARAM_BOUND, LOG_PARAM_BOUND)] * len(x0)
    return minimize(
        fun,
        x0,
        args=args,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": maxiter, "ftol": _FTOL, "gtol": _GTOL, "maxcor": 20},
    )


def _converged(res) -> bool:
    if res.success:
        return True
    # status 2 = "ABNORMAL" line-search stop; 1 = iteration/evaluation limit (never accepted)
    return res.status == 2 and float(np.max(np.abs(res.jac))) <= _GRAD_ACCEPT


def _fmt(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in params.items())


def _check_optimum(model, res, params, n_customers, n_repeat, bound_hit) -> None:
    common = {"model": model, "params": params, "n_customers": n_customers}
    common["n_repeat_customers"] = n_repeat
    if not _converged(res):
        raise ClvFitError(
            f"{model} fit did not converge: optimiser says {res.message!r} after {res.nit} "
            f"iterations; parameters reached {_fmt(params)}",
            status="not_converged",
            **common,
        )
    if not np.isfinite(res.fun) or not all(np.isfinite(v) for v in params.values()):
        raise ClvFitError(
            f"{model} fit is degenerate: non-finite likelihood or parameters ({_fmt(params)})",
            status="degenerate",
            **common,
        )
    if bound_hit:
        raise ClvFitError(
            f"{model} fit is degenerate: a log-parameter stopped on the bound "
            f"+-{LOG_PARAM_BOUND} (maximum likelihood at the boundary); parameters reached "
            f"{_fmt(params)}",
            status="degenerate",
            **common,
        )


def fit_bgnbd(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
    maxiter: int = _DEFAULT_MAXITER,
) -> BgNbdFit:
    """Fit BG/NBD by maximum likelihood. Raises ``ClvFitError`` (see module docstring)."""
    started = time.perf_counter()
    x, tx, tt = _check_rft(frequency, recency, T)
    w = _weights(weights, x.shape[0])
    n_customers = float(w.sum())
    n_repeat = float(w[x > 0].sum())
    if n_customers < MIN_CUSTOMERS_BGNBD or n_repeat < MIN_REPEAT_CUSTOMERS_BGNBD:
        raise InsufficientDataError(
            f"bgnbd: {n_customers:g} customers of which {n_repeat:g} with a repeat purchase; "
            f"need at least {MIN_CUSTOMERS_BGNBD} and {MIN_REPEAT_CUSTOMERS_BGNBD}",
            model="bgnbd",
            n_customers=n_customers,
            n_repeat_customers=n_repeat,
        )

    (ux, utx, utt), uw = _collapse({"x": x, "tx": tx, "T": tt}, w)
    scale = 1.0 / utt.max()  # as lifetimes: time rescaled so that max(T) == 1
    args = (ux, utx * scale, utt * scale, uw, uw.sum(), float(penalizer))
    res = _minimize(_bgnbd_objective, np.zeros(4), args, maxiter)

    r, alpha_s, a, b = np.exp(res.x)
    alpha = alpha_s / scale
    params = {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}
    bound_hit = bool(np.any(np.abs(res.x) >= LOG_PARAM_BOUND * (1 - 1e-9)))
    _check_optimum("bgnbd", res, params, n_customers, n_repeat, bound_hit)

    ln_a1, ln_a2, _, _, ln_a34, _ = _bgnbd_terms(r, alpha, a, b, ux, utx, utt)
    log_likelihood = float(np.dot(uw, ln_a1 + ln_a2 + ln_a34))
    return BgNbdFit(
        r=params["r"],
        alpha=params["alpha"],
        a=params["a"],
        b=params["b"],
        log_likelihood=log_likelihood,
        n_customers=n_customers,
        n_repeat_customers=n_repeat,
        n_rows=int(x.shape[0]),
        n_unique_rows=int(ux.shape[0]),
        converged=True,
        iterations=int(res.nit),
        fit_seconds=time.perf_counter() - started,
        message=str(res.message),
        penalizer=float(penalizer),
    )


def expected_purchases(params: Any, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Conditional expected number of repeat purchases in the next ``t`` periods.

    Fader, Hardie & Lee (2005), eq. 10, as lifetimes'
    ``conditional_expected_number_of_purchases_up_to_time`` (including its fallback to the
    Euler transform of 2F1 when the direct series overflows). Undefined at ``a == 1`` exactly.
    """
    r, alpha, a, b = _bg_params(params)
    x, tx, tt = _check_rft(frequency, recency, T)
    t = np.asarray(t, dtype=float)
    _a, _b, _c = r + x, b + x, a + b + x - 1
    z = t / (alpha + tt + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_hyp = np.log(hyp2f1(_a, _b, _c, z))
        ln_hyp_alt = np.log(hyp2f1(_c - _a, _c - _b, _c, z)) + (_c - _a - _b) * np.log1p(-z)
    ln_hyp = np.where(np.isinf(ln_hyp), ln_hyp_alt, ln_hyp)
    first = (a + b + x - 1) / (a - 1)
    second = -np.expm1(ln_hyp + (r + x) * np.log((alpha + tt) / (alpha + t + tt)))
    denom = 1 + (x > 0) * (a / (b + np.maximum(x, 1) - 1)) * ((alpha + tt) / (alpha + tx)) ** (
        r + x
    )
    return first * second / denom


def p_alive(params: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Probability that the customer is still active at ``T`` (1 for x = 0), FHL 2005 eq. 11."""
    r, alpha, a, b = _bg_params(params)
    x, tx, tt = _check_rft(frequency, recency, T)
    log_div = (r + x) * np.log((alpha + tt) / (alpha + tx)) + np.log(a / (b + np.maximum(x, 1) - 1))
    return np.where(x == 0, 1.0, expit(-log_div))


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


def _gg_terms(p, q, v, x, m):
    px = p * x
    ln_xm_v = np.log(x * m + v)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * ln_xm_v
    )
    return ll, ln_xm_v


def gamma_gamma_log_likelihood(params: Any, frequency: Any, monetary_value: Any) -> np.ndarray:
    """Per-customer Gamma-Gamma log-density of the mean spend (customers with x > 0, m > 0)."""
    p, q, v = _gg_params(params)
    x = _as_float("frequency", frequency)
    m = _as_float("monetary_value", monetary_value)
    return _gg_terms(p, q, v, x, m)[0]


def _gg_objective(log_params, x, m, w, wsum):
    p, q, v = np.exp(log_params)
    ll, ln_xm_v = _gg_terms(p, q, v, x, m)
    value = -np.dot(w, ll) / wsum
    if not np.isfinite(value):
        return np.inf, np.zeros(3)
    psi_pxq = digamma(p * x + q)
    d_p = x * (psi_pxq - digamma(p * x) + np.log(m) + np.log(x) - ln_xm_v)
    d_q = psi_pxq - digamma(q) + np.log(v) - ln_xm_v
    d_v = q / v - (p * x + q) / (x * m + v)
    grad = -np.array([np.dot(w, d) for d in (d_p, d_q, d_v)]) / wsum
    return value, grad * np.array([p, q, v])


def fit_gamma_gamma(
    frequency: Any,
    monetary_value: Any,
    *,
    weights: Any = None,
    maxiter: int = _DEFAULT_MAXITER,
) -> GammaGammaFit:
    """Fit Gamma-Gamma on the customers with frequency > 0 and monetary_value > 0.

    All other rows are ignored (their count is ``n_ignored``). ``monetary_value`` of ignored
    rows may be anything finite (lifetimes' summaries hold 0 for x = 0). Raises ``ClvFitError``.
    """
    started = time.perf_counter()
    x = _as_float("frequency", frequency)
    m = np.asarray(monetary_value, dtype=float).reshape(-1)
    if m.shape != x.shape:
        raise ValueError("frequency and monetary_value must have the same length")
    if np.any(x < 0):
        raise ValueError("frequency must be non-negative")
    w = _weights(weights, x.shape[0])
    used = (x > 0) & (m > 0)
    if not np.all(np.isfinite(m[x > 0])):
        raise ValueError("monetary_value is NaN/infinite for customers with frequency > 0")
    n_used = float(w[used].sum())
    n_ignored = float(w[~used].sum())
    if n_used < MIN_CUSTOMERS_GAMMA_GAMMA:
        raise InsufficientDataError(
            f"gamma_gamma: {n_used:g} customers with frequency > 0 and monetary_value > 0; "
            f"need at least {MIN_CUSTOMERS_GAMMA_GAMMA}",
            model="gamma_gamma",
            n_customers=n_used,
            n_repeat_customers=n_used,
        )
    (ux, um), uw = _collapse({"x": x[used], "m": m[used]}, w[used])
    scale = 1.0 / float(np.dot(uw, um) / uw.sum())  # spend rescaled to weighted mean 1
    x0 = np.array([0.0, np.log(2.0), 0.0])  # p=1, q=2, v=1 -> population mean 1
    res = _minimize(_gg_objective, x0, (ux, um * scale, uw, uw.sum()), maxiter)
    p, q, v_s = np.exp(res.x)
    v = v_s / scale
    params = {"p": float(p), "q": float(q), "v": float(v)}
    bound_hit = bool(np.any(np.abs(res.x) >= LOG_PARAM_BOUND * (1 - 1e-9)))
    _check_optimum("gamma_gamma", res, params, n_used, n_used, bound_hit)
    if q <= 1:
        raise ClvFitError(
            f"gamma_gamma fit is degenerate: q={q:.6g} <= 1, so the population mean spend "
            f"p*v/(q-1) is undefined; parameters reached {_fmt(params)}",
            model="gamma_gamma",
            status="degenerate",
            params=params,
            n_customers=n_used,
            n_repeat_customers=n_used,
        )
    log_likelihood = float(np.dot(uw, _gg_terms(p, q, v, ux, um)[0]))
    return GammaGammaFit(
        p=params["p"],
        q=params["q"],
        v=params["v"],
        log_likelihood=log_likelihood,
        n_customers=n_used,
        n_ignored=n_ignored,
        n_rows=int(x.shape[0]),
        n_unique_rows=int(ux.shape[0]),
        converged=True,
        iterations=int(res.nit),
        fit_seconds=time.perf_counter() - started,
        message=str(res.message),
    )


def expected_average_value(gg_params: Any, frequency: Any, monetary_value: Any) -> np.ndarray:
    """Conditional expected average spend per purchase (Fader & Hardie 2013, eq. 5).

    ``w * monetary_value + (1 - w) * p*v/(q-1)`` with ``w = p*x / (p*x + q - 1)``; customers
    the fit ignores (frequency 0, or a monetary_value <= 0: e.g. a repeat day netted below
    zero by a credit note, as in Online Retail) get the population mean ``p*v/(q-1)``
    whatever their monetary_value (which may then be NaN).
    """
    p, q, v = _gg_params(gg_params)
    x = _as_float("frequency", frequency)
    m = np.asarray(monetary_value, dtype=float).reshape(-1)
    population_mean = v * p / (q - 1)
    weight = p * x / (p * x + q - 1)
    with np.errstate(invalid="ignore"):
        value = (1 - weight) * population_mean + weight * m
    return np.where((x > 0) & (m > 0), value, population_mean)


def customer_lifetime_value(
    bg: Any,
    gg: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    *,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
    periods_per_month: float,
) -> np.ndarray:
    """Discounted expected value of a customer's purchases over the next ``horizon_months``.

    Same definition as lifetimes' ``GammaGammaFitter.customer_lifetime_value``::

        CLV = sum_{k=1..H} E_avg * (N(k*f) - N((k-1)*f)) / (1 + d)^k

    where ``N(t)`` is the BG/NBD conditional expected number of purchases in the next ``t``
    periods (``expected_purchases``), ``f = periods_per_month`` (model time units per month;
    lifetimes uses 30 for days and 4.345 for weeks), ``d`` the monthly discount rate, ``H`` the
    horizon in months and ``E_avg`` the Gamma-Gamma conditional expected average spend
    (``expected_average_value``). Each month's incremental expected purchases are valued at
    ``E_avg`` and discounted to the end of that month.
    """
    if horizon_months < 0:
        raise ValueError("horizon_months must be >= 0")
    value = expected_average_value(gg, frequency, monetary_value)
    clv = np.zeros_like(value)
    previous = expected_purchases(bg, 0.0, frequency, recency, T)
    for k in range(1, int(horizon_months) + 1):
        current = expected_purchases(bg, k * periods_per_month, frequency, recency, T)
        clv += value * (current - previous) / (1 + monthly_discount_rate) ** k
        previous = current
    return clv


# --------------------------------------------------------------------------------------------
# RFM summary from a transaction log
# --------------------------------------------------------------------------------------------

_FREQS = {"D": "day", "W": "week (Monday-Sunday)"}


def _period_start(values: pd.Series | pd.Timestamp, freq: str):
    if isinstance(values, pd.Series):
        return values.dt.to_period(freq).dt.start_time
    return values.to_period(freq).start_time


def _summarise(tx: pd.DataFrame, end_period: pd.Timestamp, unit: pd.Timedelta, has_money: bool):
    """tx: customer, period, amount rows (one per customer-period), all <= end_period."""
    first = tx.groupby("customer", sort=True)["period"].agg(["min", "max", "count"])
    out = pd.DataFrame(index=first.index)
    out["frequency"] = (first["count"] - 1).astype("int64")
    out["recency"] = (first["max"] - first["min"]) / unit
    out["T"] = (end_period - first["min"]) / unit
    if has_money:
        is_first = tx["period"].to_numpy() == tx["customer"].map(first["min"]).to_numpy()
        repeat = tx.loc[~is_first]
        mean = repeat.groupby("customer", sort=True)["amount"].mean()
        out["monetary_value"] = mean.reindex(out.index).fillna(0.0).astype(float)
    return out


def summary_from_transactions(
    df: pd.DataFrame,
    customer_col: str,
    date_col: str,
    monetary_col: str | None = None,
    *,
    observation_end: Any,
    freq: str = "D",
    freq_multiplier: float = 1.0,
    calibration_end: Any = None,
) -> pd.DataFrame:
    """RFM summary per customer, with the semantics of lifetimes'
    ``summary_data_from_transaction_data`` / ``calibration_and_holdout_data``.

    * Dates are bucketed into periods of ``freq`` ('D' = calendar day, 'W' = pandas' W-SUN
      week, Monday to Sunday); several purchases in one period count once, their amounts summed.
    * Transactions in periods after ``observation_end``'s period are dropped.
    * ``frequency`` = number of distinct purchase periods - 1 (repeat periods);
      ``recency`` = last period - first period; ``T`` = period of ``observation_end`` - first
      period; both in units of ``freq`` divided by ``freq_multiplier`` (so ``freq='D',
      freq_multiplier=7`` gives weeks at day resolution, which is how the published CDNOW
      summary is measured: T = (1997-09-30 - first purchase date) in days / 7).
    * ``monetary_value`` = mean of the per-period totals of the repeat periods (the first
      period excluded); 0 when frequency is 0.

    With ``calibration_end`` the calibration summary (periods up to ``calibration_end``'s
    period) gets the suffix ``_cal`` and holdout columns are added for periods after it and up
    to ``observation_end``: ``frequency_holdout`` (distinct holdout periods),
    ``monetary_value_holdout`` (mean per-period total in the holdout, 0 if none) and
    ``duration_holdout`` (periods between the two ends / freq_multiplier). Only customers with
    a calibration purchase appear. Two deliberate differences from lifetimes: the
    calibration/holdout split is made on periods (lifetimes compares raw timestamps, so an
    intraday timestamp on the calibration end day lands in the holdout), and
    ``monetary_value_holdout`` averages per-period totals, like ``monetary_value_cal``
    (lifetimes averages raw transaction lines there).

    Returns a DataFrame indexed by customer id (sorted), ``frequency`` as int64, the rest float.
    Missing customer ids, dates or amounts raise ``ValueError``.
    """
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {sorted(_FREQS)}, got {freq!r}")
    has_money = monetary_col is not None
    cols = [customer_col, date_col] + ([monetary_col] if has_money else [])
    tx = df[cols].copy()
    tx.columns = ["customer", "date"] + (["amount"] if has_money else [])
    if tx["customer"].isna().any() or tx["date"].isna().any():
        raise ValueError("transactions with a missing customer id or date")
    if has_money:
        tx["amount"] = pd.to_numeric(tx["amount"], errors="raise").astype(float)
        if tx["amount"].isna().any():
            raise ValueError("transactions with a missing monetary value")
    tx["period"] = _period_start(pd.to_datetime(tx["date"]), freq)
    tx = tx.drop(columns="date")
    unit = pd.Timedelta(days=7 if freq == "W" else 1) * float(freq_multiplier)
    obs_end = _period_start(pd.Timestamp(observation_end), freq)

    agg = {"amount": "sum"} if has_money else {}
    keep = tx[tx["period"] <= obs_end]
    per_period = (
        keep.groupby(["customer", "period"], sort=True).agg(agg).reset_index()
        if has_money
        else keep.drop_duplicates(["customer", "period"]).sort_values(["customer", "period"])
    )

    if calibration_end is None:
        out = _summarise(per_period, obs_end, unit, has_money)
        out.index.name = customer_col
        return out

    cal_end = _period_start(pd.Timestamp(calibration_end), freq)
    if cal_end > obs_end:
        raise ValueError("calibration_end is after observation_end")
    cal = _summarise(per_period[per_period["period"] <= cal_end], cal_end, unit, has_money)
    cal.columns = [f"{c}_cal" for c in cal.columns]
    hold = per_period[per_period["period"] > cal_end]
    grouped = hold.groupby("customer", sort=True)
    cal["frequency_holdout"] = (
        grouped["period"].count().reindex(cal.index).fillna(0).astype("int64")
    )
    if has_money:
        cal["monetary_value_holdout"] = (
            grouped["amount"].mean().reindex(cal.index).fillna(0.0).astype(float)
        )
    cal["duration_holdout"] = (obs_end - cal_end) / unit
    cal.index.name = customer_col
    return cal


# --------------------------------------------------------------------------------------------
# warehouse tables: what the dbt Python models clv_model_fit and customer_clv return
# --------------------------------------------------------------------------------------------

#: Days in one model time unit (fct_customer_purchase_summary.time_unit): 'week' is day
#: resolution measured in weeks, as the published CDNOW summary.
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0}
#: Model time units per month for the CLV sum: lifetimes' constants for freq 'D' and 'W'.
PERIODS_PER_MONTH: dict[str, float] = {"day": 30.0, "week": 4.345}
#: Horizons (days) of the expected_purchases_<n>d columns of customer_clv.
EXPECTED_PURCHASE_HORIZONS_DAYS: tuple[int, ...] = (90, 365)
CLV_TIERS: tuple[str, ...] = ("Low", "Medium", "High")
UNKNOWN_TIER = "Unknown"

#: clv_model_fit: one row per model (bgnbd, gamma_gamma). Every column is a function of the
#: input, so a rebuild on the same data gives the same table byte for byte; how long a fit took
#: (wall clock) is reported through fit_models' ``log`` instead.
MODEL_FIT_DTYPES: dict[str, Any] = {
    "model": "str",
    "fit_status": "str",
    "is_converged": "bool",
    "r": "Float64",
    "alpha": "Float64",
    "a": "Float64",
    "b": "Float64",
    "p": "Float64",
    "q": "Float64",
    "gamma": "Float64",
    "log_likelihood": "Float64",
    "customers_used": "int32",
    "repeat_customers": "int32",
    "customers_ignored": "int32",
    "unique_rows": "Int32",
    "iterations": "Int32",
    "penalizer": "float64",
    "time_unit": "str",
    "message": "str",
    "as_of_date": object,  # datetime.date: DuckDB reads it as DATE
}

#: customer_clv: one row per customer of the purchase summary, ordered by customer_id.
CUSTOMER_CLV_DTYPES: dict[str, Any] = {
    "customer_id": "str",
    "clv_tier": "str",
    "time_unit": "str",
    "frequency": "int32",
    "recency": "float64",
    "t": "float64",
    "monetary_value": "float64",
    "p_alive": "Float64",
    "expected_purchases_90d": "Float64",
    "expected_purchases_365d": "Float64",
    "expected_average_order_value": "Float64",
    "clv": "Float64",
    "churn_risk": "boolean",
    "churn_basis": "str",
    "days_since_last_purchase": "float64",
    "as_of_date": object,
}

#: customer_clv.churn_basis: where churn_risk comes from.
CHURN_BASIS_P_ALIVE = "p_alive"
CHURN_BASIS_DAYS_IDLE = "days_idle"

_SUMMARY_COLUMNS = ("customer_id", "time_unit", "frequency", "recency", "t", "monetary_value")


def _check_summary(summary: pd.DataFrame) -> str:
    """The summary has the warehouse columns and one time unit; return that unit."""
    missing = [c for c in _SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"purchase summary lacks columns {missing}")
    units = sorted(set(summary["time_unit"].astype(str)))
    if len(units) > 1:
        raise ValueError(f"purchase summary mixes time units {units}")
    unit = units[0] if units else "day"
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, got {unit!r}")
    if summary["customer_id"].duplicated().any():
        raise ValueError("purchase summary has duplicate customer_id")
    return unit


def _as_of(summary: pd.DataFrame) -> Any:
    if "as_of_date" not in summary.columns or summary.empty:
        return None
    values = pd.to_datetime(summary["as_of_date"]).dropna().unique()
    if len(values) != 1:
        raise ValueError(f"purchase summary has {len(values)} distinct as_of_date values")
    return pd.Timestamp(values[0]).date()


def _fit_row(
    result: BgNbdFit | GammaGammaFit | InsufficientDataError,
    model: str,
    n_rows: int,
    *,
    unit: str,
    penalizer: float,
    as_of: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(MODEL_FIT_DTYPES)
    row.update(model=model, time_unit=unit, as_of_date=as_of)
    row["penalizer"] = penalizer if model == "bgnbd" else 0.0
    if isinstance(result, ClvFitError):
        used = int(result.n_customers or 0)
        row.update(
            fit_status=result.status,
            is_converged=result.status == "degenerate",
            customers_used=used,
            repeat_customers=int(result.n_repeat_customers or 0),
            customers_ignored=n_rows - used,
            message=str(result),
        )
        return row
    row.update(result.params._asdict())
    if model == "gamma_gamma":
        row["gamma"] = row.pop("v")
    row.update(
        fit_status="fitted",
        is_converged=bool(result.converged),
        log_likelihood=result.log_likelihood,
        customers_used=int(result.n_customers),
        repeat_customers=int(getattr(result, "n_repeat_customers", result.n_customers)),
        customers_ignored=n_rows - int(result.n_customers),
        unique_rows=result.n_unique_rows,
        iterations=result.iterations,
        message=result.message,
    )
    return row


def _typed(rows: list[dict[str, Any]] | pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(dtypes))
    return frame.astype(dtypes)


#: A converged BG/NBD fit is named degenerate when its parameters mean one of these (checked
#: by ``bgnbd_degeneracy``): the mean drop-out probability per repeat purchase a/(a+b) below
#: this ("no dropout": a customer would need about 1 / 0.01 = 100 purchases to leave, so
#: P(alive) is about 1 for everyone; var clv_min_dropout_probability) ...
MIN_DROPOUT_PROBABILITY = 0.01
#: ... or a shape parameter above this (r: every customer buys at the same rate; a + b: every
#: customer has the same drop-out probability), "no heterogeneity".
MAX_SHAPE = 1e4
#: What a status row advises when a fit did not converge or is degenerate, per model.
_FIT_ADVICE = {
    "bgnbd": (
        "predictions from this model are null (churn_risk falls back to days idle); to fit "
        "it, set var clv_penalizer (e.g. 0.001) or raise clv_max_iterations"
    ),
    "gamma_gamma": (
        "expected order value and clv are null; Gamma-Gamma has no penalizer: it needs more "
        "repeat customers with varied spend (a longer history), or a higher clv_max_iterations"
    ),
}


def bgnbd_degeneracy(
    params: Any, min_dropout_probability: float = MIN_DROPOUT_PROBABILITY
) -> str | None:
    """Why converged BG/NBD parameters describe a degenerate model, or None when they do not.

    "no dropout" (a/(a+b) < ``min_dropout_probability``): the likelihood prefers customers who
    never leave, so P(alive) is about 1 for everyone whatever their recency; "no
    heterogeneity" (r or a + b above ``MAX_SHAPE``): the gamma / beta mixing distribution has
    collapsed to a point.
    """
    r, _alpha, a, b = _bg_params(params)
    reasons = []
    if a / (a + b) < min_dropout_probability:
        reasons.append(
            f"no dropout: mean drop-out probability per repeat purchase a/(a+b) = "
            f"{a / (a + b):.3g} < {min_dropout_probability:g}, so P(alive) is about 1 for "
            f"every customer whatever their recency"
        )
    if r > MAX_SHAPE:
        reasons.append(f"no heterogeneity in purchase rates: r = {r:.6g} > {MAX_SHAPE:g}")
    if a + b > MAX_SHAPE:
        reasons.append(f"no heterogeneity in drop-out: a + b = {a + b:.6g} > {MAX_SHAPE:g}")
    return "; ".join(reasons) or None


def fit_models(
    summary: pd.DataFrame,
    *,
    penalizer: float = 0.0,
    maxiter: int = _DEFAULT_MAXITER,
    min_dropout_probability: float = MIN_DROPOUT_PROBABILITY,
    log: Callable[[str], object] | None = None,
) -> pd.DataFrame:
    """Fit BG/NBD on every customer and Gamma-Gamma on the repeat customers; the
    ``clv_model_fit`` table (dtypes ``MODEL_FIT_DTYPES``, rows bgnbd then gamma_gamma).

    ``summary`` has the columns of ``fct_customer_purchase_summary`` (customer_id, time_unit,
    frequency, recency, t, monetary_value, optionally as_of_date). This never raises on a fit
    that fails, so the warehouse keeps building; the row's ``fit_status`` says what happened:

    * ``fitted``: converged, parameters usable;
    * ``degenerate``: converged, but the parameters mean "no dropout" / "no heterogeneity"
      (``bgnbd_degeneracy``; parameters kept, customer_clv does not trust P(alive)) or the
      optimiser stopped on a parameter bound / at a non-finite likelihood (parameters null);
    * ``not_converged``: the optimiser did not converge (parameters null);
    * ``insufficient_data``: too few customers to identify the model (parameters null).

    ``message`` gives the reason and, for a failure, what to change. ``log``, when given,
    receives one line per model with its outcome and how long its fit took: wall clock, not
    reproducible, so never a column of the table.
    """
    unit = _check_summary(summary)
    as_of = _as_of(summary)
    n_rows = int(len(summary))
    f = summary["frequency"].to_numpy(dtype=float)
    rec = summary["recency"].to_numpy(dtype=float)
    tt = summary["t"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    rows = []
    for model, fit in (
        ("bgnbd", lambda: fit_bgnbd(f, rec, tt, penalizer=penalizer, maxiter=maxiter)),
        ("gamma_gamma", lambda: fit_gamma_gamma(f, m, maxiter=maxiter)),
    ):
        try:
            result = fit()
        except InsufficientDataError as exc:
            result = exc
        except ClvFitError as exc:
            result = ClvFitError(
                f"the {model} fit on {n_rows} customers (time unit {unit}, penalizer "
                f"{penalizer:g}, maxiter {maxiter}) failed with status '{exc.status}': {exc}. "
                f"{_FIT_ADVICE[model][0].upper()}{_FIT_ADVICE[model][1:]}.",
                model=exc.model,
                status=exc.status,
                params=exc.params,
                n_customers=exc.n_customers,
                n_repeat_customers=exc.n_repeat_customers,
            )
        row = _fit_row(result, model, n_rows, unit=unit, penalizer=penalizer, as_of=as_of)
        reason = (
            bgnbd_degeneracy(result.params, min_dropout_probability)
            if isinstance(result, BgNbdFit)
            else None
        )
        if reason:
            row["fit_status"] = "degenerate"
            row["message"] = (
                f"converged ({result.message}) but degenerate: {reason}. customer_clv does not "
                f"publish P(alive) from this fit (churn fields fall back to days idle); a "
                f"penalizer (var clv_penalizer) can pull it away from the boundary"
            )
        if log is not None:
            outcome = row["fit_status"]
            if not isinstance(result, ClvFitError):
                outcome += f" in {result.fit_seconds:.3f} s"
            if row["fit_status"] != "fitted":
                outcome += f": {row['message']}"
            log(f"clv_model_fit: {model} on {n_rows} customers: {outcome}")
        rows.append(row)
    return _typed(rows, MODEL_FIT_DTYPES)


def _fitted_params(
    fits: pd.DataFrame, model: str, names: tuple[str, ...]
) -> tuple[dict | None, bool]:
    """The parameters of ``model`` (None when it has none) and whether its fit is 'fitted'
    (a 'degenerate' fit with parameters gives them, and False)."""
    row = fits[(fits["model"] == model) & fits[list(names)].notna().all(axis=1)]
    row = row[row["fit_status"].isin(["fitted", "degenerate"])]
    if len(row) > 1:
        raise ValueError(f"clv_model_fit has {len(row)} fitted rows for {model}")
    if row.empty:
        return None, False
    return {k: float(row.iloc[0][k]) for k in names}, row.iloc[0]["fit_status"] == "fitted"


def clv_tiers(values: Any, quantiles: Any = (0.5, 0.8)) -> np.ndarray:
    """'Low' / 'Medium' / 'High' cut at two quantiles of the non-null values, as ``pd.qcut``
    cuts (linear-interpolated quantiles; a value equal to a cut point is in the lower tier).
    NaN values get ``UNKNOWN_TIER``."""
    q = [float(v) for v in quantiles]
    if len(q) != len(CLV_TIERS) - 1 or not 0 < q[0] < q[1] < 1:
        raise ValueError(f"clv tier quantiles must be two increasing values in (0, 1), got {q}")
    v = np.asarray(values, dtype=float)
    known = ~np.isnan(v)
    out = np.full(v.shape, UNKNOWN_TIER, dtype=object)
    if known.any():
        edges = np.quantile(v[known], q)
        out[known] = np.asarray(CLV_TIERS, dtype=object)[np.searchsorted(edges, v[known])]
    return out


def score_customers(
    summary: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
    churn_threshold: float = 0.5,
    tier_quantiles: Any = (0.5, 0.8),
    fallback_idle_days: float = 180.0,
) -> pd.DataFrame:
    """The ``customer_clv`` table: predictions for every customer of ``summary`` at the
    parameters in ``fits`` (a ``fit_models`` table), one row per customer sorted by
    customer_id, dtypes ``CUSTOMER_CLV_DTYPES``.

    Expected purchases in the next 90 / 365 days (converted to the summary's time unit) need
    BG/NBD parameters (a 'fitted' or a parameter-'degenerate' fit); expected average order
    value needs a fitted Gamma-Gamma; clv (the discounted expected spend over
    ``horizon_months``, see ``customer_lifetime_value``) needs both. A missing fit leaves its
    columns null and clv_tier 'Unknown'.

    Churn: with a 'fitted' BG/NBD, p_alive is the model's and churn_risk is p_alive <
    churn_threshold (``churn_basis`` 'p_alive'; customers with frequency 0 have p_alive 1
    under BG/NBD: a customer can only drop out after a repeat purchase). Otherwise (the
    BG/NBD fit is degenerate, did not converge or had too little data) P(alive) is not
    trustworthy: p_alive is null and churn_risk is ``days_since_last_purchase >
    fallback_idle_days`` (``churn_basis`` 'days_idle').
    """
    unit = _check_summary(summary)
    if not fits.empty and set(fits["time_unit"].astype(str)) != {unit}:
        raise ValueError(f"clv_model_fit was fitted in {set(fits['time_unit'])}, not {unit!r}")
    data = summary.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    f = data["frequency"].to_numpy(dtype=float)
    rec = data["recency"].to_numpy(dtype=float)
    tt = data["t"].to_numpy(dtype=float)
    m = data["monetary_value"].to_numpy(dtype=float)
    bg, bg_trusted = _fitted_params(fits, "bgnbd", ("r", "alpha", "a", "b"))
    gg, _ = _fitted_params(fits, "gamma_gamma", ("p", "q", "gamma"))
    nulls = np.full(len(data), np.nan)

    out = pd.DataFrame({"customer_id": data["customer_id"].astype(str), "time_unit": unit})
    for col in ("frequency", "recency", "t", "monetary_value"):
        out[col] = data[col]
    out["p_alive"] = p_alive(bg, f, rec, tt) if bg and bg_trusted else nulls
    for days in EXPECTED_PURCHASE_HORIZONS_DAYS:
        horizon = days / DAYS_PER_UNIT[unit]
        out[f"expected_purchases_{days}d"] = (
            expected_purchases(bg, horizon, f, rec, tt) if bg else nulls
        )
    out["expected_average_order_value"] = expected_average_value(gg, f, m) if gg else nulls
    out["clv"] = (
        customer_lifetime_value(
            bg,
            gg,
            f,
            rec,
            tt,
            m,
            horizon_months=horizon_months,
            monthly_discount_rate=monthly_discount_rate,
            periods_per_month=PERIODS_PER_MONTH[unit],
        )
        if bg and gg
        else nulls
    )
    out["clv_tier"] = clv_tiers(out["clv"], tier_quantiles)
    idle = np.round((tt - rec) * DAYS_PER_UNIT[unit], 9)
    if bg and bg_trusted:
        churn = out["p_alive"].to_numpy(dtype=float) < churn_threshold
        basis = CHURN_BASIS_P_ALIVE
    else:
        churn = idle > fallback_idle_days
        basis = CHURN_BASIS_DAYS_IDLE
    out["churn_risk"] = pd.array(churn, dtype="boolean")
    out["churn_basis"] = basis
    out["days_since_last_purchase"] = idle
    out["as_of_date"] = _as_of(data)
    return _typed(out[list(CUSTOMER_CLV_DTYPES)], CUSTOMER_CLV_DTYPES)


# --------------------------------------------------------------------------------------------
# holdout check: how well the predictions predict
# --------------------------------------------------------------------------------------------

#: BG/NBD P(alive) is called usable on a holdout when its fit is 'fitted' and, over the repeat
#: customers (frequency > 0: BG/NBD gives every one-time buyer P(alive) = 1, so over all
#: customers the AUC mostly measures that convention), the AUC of P(alive) for "bought again
#: in the holdout" is at least the AUC of plain recency (fewer days idle = more likely to buy)
#: minus this margin.
P_ALIVE_AUC_MARGIN = 0.02

#: clv_holdout_report: one row (the BG/NBD calibration fit and its holdout metrics).
HOLDOUT_REPORT_DTYPES: dict[str, Any] = {
    "model": "str",
    "fit_status": "str",
    "is_p_alive_usable": "bool",
    "r": "Float64",
    "alpha": "Float64",
    "a": "Float64",
    "b": "Float64",
    "customers": "int32",
    "customers_buying_in_holdout": "int32",
    "actual_purchases": "int64",
    "predicted_purchases": "Float64",
    "predicted_to_actual_ratio": "Float64",
    "mean_absolute_error": "Float64",
    "rank_correlation": "Float64",
    "p_alive_auc": "Float64",
    "days_idle_auc": "Float64",
    "p_alive_auc_repeat_customers": "Float64",
    "days_idle_auc_repeat_customers": "Float64",
    "holdout_days": "int32",
    "time_unit": "str",
    "verdict": "str",
    "message": "str",
    "calibration_end_date": object,
    "as_of_date": object,
}


def roc_auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve of ``scores`` for the binary ``labels`` (ties count one half:
    the Mann-Whitney U statistic over n_pos * n_neg). NaN when one class is empty."""
    y = np.asarray(labels, dtype=bool).reshape(-1)
    s = _as_float("scores", scores)
    if y.shape != s.shape:
        raise ValueError("labels and scores must have the same length")
    n_pos = int(y.sum())
    n_neg = int(y.shape[0] - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)  # average ranks for ties
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def rank_correlation(x: Any, y: Any) -> float:
    """Spearman's rank correlation (Pearson correlation of average ranks); NaN when either
    side is constant or there are fewer than two values."""
    a = _as_float("x", x)
    b = _as_float("y", y)
    if a.shape != b.shape:
        raise ValueError("x and y must have the same length")
    if a.shape[0] < 2:
        return float("nan")
    ra = rankdata(a) - (a.shape[0] + 1) / 2
    rb = rankdata(b) - (b.shape[0] + 1) / 2
    denom = float(np.sqrt(np.dot(ra, ra) * np.dot(rb, rb)))
    return float(np.dot(ra, rb) / denom) if denom > 0 else float("nan")


def holdout_predictions(params: Any, calibration: pd.DataFrame) -> pd.DataFrame:
    """Per customer of a calibration summary (columns of fct_customer_purchase_summary plus
    ``frequency_holdout`` and ``duration_holdout``, in the summary's time unit): expected
    repeat purchases in the holdout (``predicted_holdout``, lifetimes'
    ``conditional_expected_number_of_purchases_up_to_time(duration_holdout, ...)``) and
    ``p_alive`` at the calibration end, at BG/NBD ``params``. Same row order as the input."""
    f = calibration["frequency"].to_numpy(dtype=float)
    rec = calibration["recency"].to_numpy(dtype=float)
    tt = calibration["t"].to_numpy(dtype=float)
    duration = calibration["duration_holdout"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "customer_id": calibration["customer_id"].to_numpy(),
            "frequency_holdout": calibration["frequency_holdout"].to_numpy(dtype=float),
            "predicted_holdout": expected_purchases(params, duration, f, rec, tt),
            "p_alive": p_alive(params, f, rec, tt),
            "days_idle": (tt - rec) * DAYS_PER_UNIT[_check_summary(calibration)],
        }
    )


def holdout_report(
    calibration: pd.DataFrame,
    *,
    holdout_days: int,
    penalizer: float = 0.0,
    maxiter: int = _DEFAULT_MAXITER,
    min_dropout_probability: float = MIN_DROPOUT_PROBABILITY,
    log: Callable[[str], object] | None = None,
) -> pd.DataFrame:
    """The ``clv_holdout_report`` table: BG/NBD fitted (as ``fit_models`` fits it) on the
    calibration summary (history up to ``calibration_end_date``), its predictions for the
    holdout (``calibration_end_date``, ``as_of_date``] against what each customer did there.

    ``calibration`` has the summary columns measured at ``calibration_end_date`` plus
    ``frequency_holdout`` (distinct purchase days in the holdout), ``duration_holdout``
    (holdout length in the time unit), ``calibration_end_date`` and ``as_of_date``. Metrics:
    total predicted vs actual repeat purchase days, per-customer mean absolute error, Spearman
    rank correlation of predicted vs actual, and the AUC of p_alive (and, as the baseline to
    beat, of -days idle) for "bought again in the holdout". Metrics need parameters: null
    when the calibration fit has none.
    """
    # one order of rows whatever order the table was read in: sums of floats, and so the fit
    # and every metric, depend on it
    calibration = calibration.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    unit = _check_summary(calibration)
    cal_end = _as_of(calibration.assign(as_of_date=calibration.get("calibration_end_date")))
    as_of = _as_of(calibration)
    summary = calibration.assign(as_of_date=calibration.get("calibration_end_date"))
    fits = fit_models(
        summary,
        penalizer=penalizer,
        maxiter=maxiter,
        min_dropout_probability=min_dropout_probability,
        log=log,
    )
    bg_row = fits.iloc[0]
    params, trusted = _fitted_params(fits, "bgnbd", ("r", "alpha", "a", "b"))
    row: dict[str, Any] = dict.fromkeys(HOLDOUT_REPORT_DTYPES)
    actual = calibration["frequency_holdout"].to_numpy(dtype=float)
    row.update(
        model="bgnbd",
        fit_status=bg_row["fit_status"],
        customers=len(calibration),
        customers_buying_in_holdout=int((actual > 0).sum()),
        actual_purchases=int(actual.sum()),
        holdout_days=int(holdout_days),
        time_unit=unit,
        message=bg_row["message"],
        calibration_end_date=cal_end,
        as_of_date=as_of,
    )
    bought = actual > 0
    repeat = calibration["frequency"].to_numpy() > 0
    # the churn fallback (days idle) is measured whether or not the model has parameters
    idle = -(calibration["t"] - calibration["recency"]).to_numpy(dtype=float)
    aucs = {
        "days_idle_auc": roc_auc(bought, idle),
        "days_idle_auc_repeat_customers": roc_auc(bought[repeat], idle[repeat]),
    }
    if params is None:
        row.update(
            is_p_alive_usable=False,
            verdict=(
                f"P(alive) is not usable: the calibration fit is {bg_row['fit_status']} "
                f"(no parameters to predict with); churn_risk falls back to days idle, whose "
                f"AUC for buying again in the holdout is "
                + (
                    "not measurable (nobody or everybody bought again)"
                    if np.isnan(aucs["days_idle_auc"])
                    else f"{aucs['days_idle_auc']:.3f}"
                )
            ),
            **_nan_to_none(aucs),
        )
        return _typed([row], HOLDOUT_REPORT_DTYPES)
    pred = holdout_predictions(params, calibration)
    predicted = pred["predicted_holdout"].to_numpy()
    alive = pred["p_alive"].to_numpy()
    aucs["p_alive_auc"] = roc_auc(bought, alive)
    aucs["p_alive_auc_repeat_customers"] = roc_auc(bought[repeat], alive[repeat])
    p_auc, idle_auc = aucs["p_alive_auc_repeat_customers"], aucs["days_idle_auc_repeat_customers"]
    usable = bool(trusted and p_auc >= idle_auc - P_ALIVE_AUC_MARGIN)
    against = (
        f"AUC {p_auc:.3f} for buying again in the holdout over the repeat customers, "
        f"against {idle_auc:.3f} for days idle alone"
    )
    if usable:
        verdict = f"P(alive) is usable: {against}"
    elif not trusted:
        verdict = f"P(alive) is not usable: the calibration fit is degenerate ({against})"
    else:
        verdict = f"P(alive) is not usable: {against} (margin {P_ALIVE_AUC_MARGIN})"
    row.update(params)
    row.update(
        is_p_alive_usable=usable,
        predicted_purchases=float(predicted.sum()),
        predicted_to_actual_ratio=(
            float(predicted.sum() / actual.sum()) if actual.sum() > 0 else None
        ),
        mean_absolute_error=float(np.mean(np.abs(predicted - actual))),
        verdict=verdict,
        **_nan_to_none({"rank_correlation": rank_correlation(predicted, actual), **aucs}),
    )
    return _typed([row], HOLDOUT_REPORT_DTYPES)


def _nan_to_none(values: dict[str, float]) -> dict[str, float | None]:
    return {k: None if np.isnan(v) else v for k, v in values.items()}
