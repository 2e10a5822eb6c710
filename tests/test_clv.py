"""BG/NBD + Gamma-Gamma core (customer_behaviour.clv) against published CDNOW numbers and lifetimes.

Tests marked with ``requires_cdnow`` need /work/shared/data (``<repo>/../shared/data``); the
synthetic tests at the bottom run on a fresh clone.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad

from customer_behaviour import clv
from customer_behaviour.bench_models import simulate_customers

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CDNOW = SHARED_DATA / "cdnow"

requires_cdnow = pytest.mark.skipif(
    not (CDNOW / "cdnow_customers_summary.csv").exists(),
    reason=f"CDNOW reference data not found under {CDNOW} (shared data is not part of the repo)",
)

PUBLISHED_BG = clv.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
PUBLISHED_GG = clv.GammaGammaParams(p=6.25, q=3.74, v=15.44)


def _lifetimes():
    warnings.filterwarnings("ignore", module="lifetimes")
    return pytest.importorskip("lifetimes", reason="lifetimes (test oracle) is not installed")


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_money() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def bg_fit(cdnow_summary) -> clv.BgNbdFit:
    d = cdnow_summary
    return clv.fit_bgnbd(d["frequency"], d["recency"], d["T"])


@pytest.fixture(scope="module")
def gg_fit(cdnow_money) -> clv.GammaGammaFit:
    return clv.fit_gamma_gamma(cdnow_money["x"], cdnow_money["zbar"])


# --------------------------------------------------------------------------------------------
# BG/NBD on CDNOW
# --------------------------------------------------------------------------------------------


@requires_cdnow
def test_bgnbd_reproduces_published_cdnow_estimates(bg_fit):
    for name, published in PUBLISHED_BG._asdict().items():
        assert getattr(bg_fit, name) == pytest.approx(published, rel=0.01), name
    assert bg_fit.log_likelihood == pytest.approx(-9582.4, abs=0.5)
    assert bg_fit.converged
    assert bg_fit.n_customers == 2357
    assert bg_fit.n_repeat_customers == 946
    assert bg_fit.n_unique_rows < bg_fit.n_rows


@requires_cdnow
def test_bgnbd_equals_lifetimes_fit(cdnow_summary, bg_fit):
    lifetimes = _lifetimes()
    d = cdnow_summary
    ref = lifetimes.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    for name, value in ref.params_.items():
        assert getattr(bg_fit, name) == pytest.approx(float(value), rel=1e-5), name


@requires_cdnow
def test_bgnbd_penalizer_matches_lifetimes(cdnow_summary):
    lifetimes = _lifetimes()
    d = cdnow_summary
    ours = clv.fit_bgnbd(d["frequency"], d["recency"], d["T"], penalizer=0.1)
    ref = lifetimes.BetaGeoFitter(penalizer_coef=0.1).fit(d["frequency"], d["recency"], d["T"])
    for name, value in ref.params_.items():
        assert getattr(ours, name) == pytest.approx(float(value), rel=1e-5), name


def test_expected_purchases_published_point_check():
    got = clv.expected_purchases(PUBLISHED_BG, 39, 2, 30.43, 38.86)
    assert got.shape == (1,)
    assert got[0] == pytest.approx(1.226, abs=0.002)


@requires_cdnow
def test_predictions_equal_lifetimes_on_all_customers(cdnow_summary, bg_fit):
    lifetimes = _lifetimes()
    d = cdnow_summary
    ref = lifetimes.BetaGeoFitter()
    ref.params_ = pd.Series(bg_fit.params._asdict())
    f, r, t = d["frequency"], d["recency"], d["T"]
    np.testing.assert_allclose(
        clv.p_alive(bg_fit, f, r, t), ref.conditional_probability_alive(f, r, t), atol=1e-6
    )
    for horizon in (4.345, 39.0, 52.0):
        np.testing.assert_allclose(
            clv.expected_purchases(bg_fit, horizon, f, r, t),
            ref.conditional_expected_number_of_purchases_up_to_time(horizon, f, r, t),
            rtol=1e-9,
        )


# --------------------------------------------------------------------------------------------
# Gamma-Gamma and CLV on CDNOW
# --------------------------------------------------------------------------------------------


@requires_cdnow
def test_gamma_gamma_reproduces_published_estimates(gg_fit):
    assert gg_fit.p == pytest.approx(PUBLISHED_GG.p, rel=0.01)
    assert gg_fit.q == pytest.approx(PUBLISHED_GG.q, rel=0.01)
    assert gg_fit.gamma == pytest.approx(PUBLISHED_GG.v, rel=0.01)
    assert gg_fit.n_customers == 946  # frequency > 0 only
    assert gg_fit.n_ignored == 2357 - 946


@requires_cdnow
def test_gamma_gamma_equals_lifetimes_fit(cdnow_money, gg_fit):
    lifetimes = _lifetimes()
    rep = cdnow_money[cdnow_money["x"] > 0]
    ref = lifetimes.GammaGammaFitter().fit(rep["x"], rep["zbar"])
    for name, value in ref.params_.items():
        assert getattr(gg_fit, name) == pytest.approx(float(value), rel=1e-6), name


@requires_cdnow
def test_conditional_expected_average_spend_first_ten(cdnow_money, gg_fit):
    # The ten reference values are lifetimes' documented output, which is at the maximum
    # likelihood estimate (p=6.2488, q=3.7446, v=15.4477), shown truncated to 2 dp. At the
    # rounded published parameters (6.25, 3.74, 15.44) the population mean is 35.22, not
    # 35.17, so they are checked at the fitted parameters.
    expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    head = cdnow_money.head(10)
    got = clv.expected_average_value(gg_fit, head["x"], head["zbar"])
    np.testing.assert_allclose(got, expected, atol=0.01)
    at_published = clv.expected_average_value(PUBLISHED_GG, head["x"], head["zbar"])
    assert at_published[2] == pytest.approx(6.25 * 15.44 / 2.74)  # population mean, x = 0


@requires_cdnow
def test_clv_equals_lifetimes(cdnow_money, bg_fit, gg_fit):
    lifetimes = _lifetimes()
    d = cdnow_money
    bgf = lifetimes.BetaGeoFitter()
    bgf.params_ = pd.Series(bg_fit.params._asdict())
    bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time
    ggf = lifetimes.GammaGammaFitter()
    ggf.params_ = pd.Series(gg_fit.params._asdict())
    for months, rate in ((12, 0.01), (3, 0.0), (24, 0.05)):
        ref = ggf.customer_lifetime_value(
            bgf, d["x"], d["t_x"], d["T"], d["zbar"], time=months, discount_rate=rate, freq="W"
        )
        got = clv.customer_lifetime_value(
            bg_fit,
            gg_fit,
            d["x"],
            d["t_x"],
            d["T"],
            d["zbar"],
            horizon_months=months,
            monthly_discount_rate=rate,
            periods_per_month=4.345,
        )
        np.testing.assert_allclose(got, ref.to_numpy(), rtol=1e-6)
        assert np.all(got > 0)


@requires_cdnow
def test_weighted_unique_rows_equal_full_rows(cdnow_summary, cdnow_money, bg_fit, gg_fit):
    d = cdnow_summary
    counts = d.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    weighted = clv.fit_bgnbd(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )
    for name in ("r", "alpha", "a", "b"):
        assert getattr(weighted, name) == pytest.approx(getattr(bg_fit, name), rel=1e-9)
    assert weighted.log_likelihood == pytest.approx(bg_fit.log_likelihood, rel=1e-12)
    assert weighted.n_customers == bg_fit.n_customers
    # integer weights == repeating rows
    doubled = pd.concat([d, d])
    w2 = clv.fit_bgnbd(d["frequency"], d["recency"], d["T"], weights=np.full(len(d), 2))
    full2 = clv.fit_bgnbd(doubled["frequency"], doubled["recency"], doubled["T"])
    assert w2.params == pytest.approx(full2.params, rel=1e-9)
    assert w2.log_likelihood == pytest.approx(2 * bg_fit.log_likelihood, rel=1e-12)

    m = cdnow_money
    mc = m.groupby(["x", "zbar"]).size().reset_index(name="n")
    gw = clv.fit_gamma_gamma(mc["x"], mc["zbar"], weights=mc["n"])
    assert gw.params == pytest.approx(gg_fit.params, rel=1e-9)
    assert gw.log_likelihood == pytest.approx(gg_fit.log_likelihood, rel=1e-12)


# --------------------------------------------------------------------------------------------
# RFM summary from transactions
# --------------------------------------------------------------------------------------------


def _read_cdnow_txt(name: str, sample: bool) -> pd.DataFrame:
    # CDNOW_sample.txt has two id columns: the master-file id and the 1..2357 sample id that
    # the published summaries use as ID. CDNOW_master.txt has one id and a header line.
    names = ["master_id", "customer_id", "date", "cds", "dollars"] if sample else None
    if not sample:
        names = ["customer_id", "date", "cds", "dollars"]
    df = pd.read_csv(
        CDNOW / name,
        sep=r"\s+",
        header=None,
        names=names,
        skiprows=0 if sample else 1,
        dtype={"date": str},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@requires_cdnow
def test_summary_from_cdnow_sample_equals_published(cdnow_summary, cdnow_money):
    # The published summary is measured at day resolution in weeks: T = (1997-09-30 - first
    # purchase date).days / 7 (customer 1: 272 / 7 = 38.86), i.e. freq='D', freq_multiplier=7,
    # calibration end 1997-09-30; the raw sample runs to 1998-06-30.
    tx = _read_cdnow_txt("CDNOW_sample.txt", sample=True)
    out = clv.summary_from_transactions(
        tx,
        "customer_id",
        "date",
        "dollars",
        observation_end="1998-06-30",
        calibration_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    )
    pub = cdnow_summary.set_index("ID")
    money = cdnow_money.set_index("ID")
    assert list(out.index) == list(pub.index)
    np.testing.assert_array_equal(out["frequency_cal"].to_numpy(), pub["frequency"].to_numpy())
    np.testing.assert_allclose(out["recency_cal"], pub["recency"], atol=0.01)
    np.testing.assert_allclose(out["T_cal"], pub["T"], atol=0.01)
    np.testing.assert_allclose(out["monetary_value_cal"], money["zbar"], atol=0.01)
    assert (out["duration_holdout"] == 39.0).all()  # 1997-10-01 .. 1998-06-30 = 273 days

    # without calibration_end: the same summary when the observation ends on 1997-09-30
    cal_only = clv.summary_from_transactions(
        tx, "customer_id", "date", "dollars", observation_end="1997-09-30", freq_multiplier=7
    )
    np.testing.assert_array_equal(cal_only.to_numpy(), out.iloc[:, :4].to_numpy())


@requires_cdnow
@pytest.mark.parametrize(("freq", "mult"), [("D", 7), ("W", 1)])
def test_summary_equals_lifetimes_on_cdnow_master(freq, mult):
    _lifetimes()
    from lifetimes.utils import summary_data_from_transaction_data

    tx = _read_cdnow_txt("CDNOW_master.txt", sample=False)
    kwargs = {"freq": freq, "freq_multiplier": mult}
    ref = summary_data_from_transaction_data(
        tx, "customer_id", "date", "dollars", observation_period_end="1997-09-30", **kwargs
    ).sort_index()
    out = clv.summary_from_transactions(
        tx, "customer_id", "date", "dollars", observation_end="1997-09-30", **kwargs
    )
    assert len(out) == 23570
    assert list(out.index) == list(ref.index)
    np.testing.assert_array_equal(out["frequency"].to_numpy(), ref["frequency"].to_numpy())
    for col in ("recency", "T", "monetary_value"):
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-12, atol=1e-9)


def test_summary_from_transactions_hand_example():
    tx = pd.DataFrame(
        {
            "cust": ["a", "a", "a", "a", "b", "c", "c"],
            "ts": [
                "2024-01-01 09:00",
                "2024-01-01 17:00",  # same day as the first purchase: counts once, summed
                "2024-01-08",
                "2024-01-15",
                "2024-01-10",
                "2024-01-02",
                "2024-02-01",  # after the observation end: dropped
            ],
            "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0],
        }
    )
    tx["ts"] = pd.to_datetime(tx["ts"], format="ISO8601")
    out = clv.summary_from_transactions(tx, "cust", "ts", "amount", observation_end="2024-01-22")
    assert out.index.name == "cust"
    assert out["frequency"].tolist() == [2, 0, 0]
    assert out["recency"].tolist() == [14.0, 0.0, 0.0]
    assert out["T"].tolist() == [21.0, 12.0, 20.0]
    assert out["monetary_value"].tolist() == [30.0, 0.0, 0.0]

    weekly = clv.summary_from_transactions(
        tx, "cust", "ts", "amount", observation_end="2024-01-22", freq="W"
    )  # 2024-01-01 is a Monday: weeks start 01-01, 01-08, 01-15, 01-22
    assert weekly["frequency"].tolist() == [2, 0, 0]
    assert weekly["T"].tolist() == [3.0, 2.0, 3.0]

    split = clv.summary_from_transactions(
        tx, "cust", "ts", "amount", observation_end="2024-02-05", calibration_end="2024-01-09"
    )
    assert split["frequency_cal"].tolist() == [1, 0]  # b's first purchase is in the holdout
    assert split["frequency_holdout"].tolist() == [1, 1]
    assert split["monetary_value_holdout"].tolist() == [40.0, 99.0]
    assert split["duration_holdout"].tolist() == [27.0, 27.0]


# --------------------------------------------------------------------------------------------
# failure contract
# --------------------------------------------------------------------------------------------


@requires_cdnow
def test_non_convergence_raises(cdnow_summary, cdnow_money):
    d = cdnow_summary
    with pytest.raises(clv.ClvFitError) as info:
        clv.fit_bgnbd(d["frequency"], d["recency"], d["T"], maxiter=1)
    err = info.value
    assert not isinstance(err, clv.InsufficientDataError)
    assert err.status == "not_converged" and err.model == "bgnbd"
    assert set(err.params) == {"r", "alpha", "a", "b"}
    msg = str(err)
    assert "bgnbd" in msg and "alpha=" in msg and "ITERATIONS" in msg.upper()
    row = clv.fit_status_row(err)
    assert row["status"] == "not_converged" and row["log_likelihood"] is None

    with pytest.raises(clv.ClvFitError, match="gamma_gamma"):
        clv.fit_gamma_gamma(cdnow_money["x"], cdnow_money["zbar"], maxiter=1)


def test_insufficient_data_contract():
    with pytest.raises(clv.InsufficientDataError) as info:
        clv.fit_bgnbd([1, 0, 2], [3.0, 0.0, 5.0], [10.0, 10.0, 10.0])
    assert info.value.status == "insufficient_data"
    assert info.value.n_customers == 3
    assert isinstance(info.value, clv.ClvFitError)

    n = clv.MIN_CUSTOMERS_BGNBD * 5
    no_repeat = np.zeros(n)
    with pytest.raises(clv.InsufficientDataError, match="repeat"):
        clv.fit_bgnbd(no_repeat, no_repeat, np.full(n, 30.0))

    few = clv.MIN_CUSTOMERS_GAMMA_GAMMA - 1
    with pytest.raises(clv.InsufficientDataError) as gg_info:
        clv.fit_gamma_gamma(
            np.r_[np.ones(few), np.zeros(50)], np.r_[np.full(few, 9.0), np.zeros(50)]
        )
    row = clv.fit_status_row(gg_info.value)
    assert row == {
        "model": "gamma_gamma",
        "status": "insufficient_data",
        "params": None,
        "log_likelihood": None,
        "n_customers": float(few),
        "n_repeat_customers": float(few),
        "message": str(gg_info.value),
    }


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="recency"):
        clv.bgnbd_log_likelihood(PUBLISHED_BG, [1], [12.0], [10.0])
    with pytest.raises(ValueError, match="NaN"):
        clv.fit_bgnbd([1, np.nan], [1.0, 0.0], [2.0, 2.0])


# --------------------------------------------------------------------------------------------
# synthetic (no shared data needed)
# --------------------------------------------------------------------------------------------


def test_bgnbd_likelihood_single_row_hand_formula():
    r, alpha, a, b = 0.5, 2.0, 0.8, 3.0
    x, tx, big_t = 3, 5.0, 10.0

    def beta(p, q):
        return math.gamma(p) * math.gamma(q) / math.gamma(p + q)

    common = math.gamma(r + x) * alpha**r / math.gamma(r)
    alive = beta(a, b + x) / beta(a, b) * common / (alpha + big_t) ** (r + x)
    dead = beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + tx) ** (r + x)
    got = clv.bgnbd_log_likelihood((r, alpha, a, b), [x, 0], [tx, 0.0], [big_t, big_t])
    assert got[0] == pytest.approx(math.log(alive + dead), rel=1e-12)
    # x = 0: only the "alive" term, which reduces to (alpha / (alpha + T))^r
    assert got[1] == pytest.approx(r * math.log(alpha / (alpha + big_t)), rel=1e-12)


def test_gamma_gamma_likelihood_hand_formula():
    p, q, v, x, m = 6.0, 4.0, 15.0, 3, 20.0
    dens = (
        math.gamma(p * x + q)
        / (math.gamma(p * x) * math.gamma(q))
        * v**q
        * m ** (p * x - 1)
        * x ** (p * x)
        / (v + x * m) ** (p * x + q)
    )
    got = clv.gamma_gamma_log_likelihood((p, q, v), [x], [m])
    assert got[0] == pytest.approx(math.log(dens), rel=1e-12)


def test_analytic_gradients_match_finite_differences():
    d = simulate_customers(3000, seed=3)
    x, tx, t = (d[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones_like(x)
    args = (x, tx / t.max(), t / t.max(), w, w.sum(), 0.05)
    for lp in (np.zeros(4), np.log([0.3, 0.2, 0.7, 2.0])):
        err = check_grad(
            lambda p: clv._bgnbd_objective(p, *args)[0],
            lambda p: clv._bgnbd_objective(p, *args)[1],
            lp,
        )
        assert err < 1e-5
    rep = x > 0
    gargs = (x[rep], d["monetary_value"].to_numpy()[rep] / 30, w[rep], w[rep].sum())
    for lp in (np.zeros(3), np.log([6.0, 3.0, 0.5])):
        err = check_grad(
            lambda p: clv._gg_objective(p, *gargs)[0],
            lambda p: clv._gg_objective(p, *gargs)[1],
            lp,
        )
        assert err < 1e-5


def test_fit_recovers_simulated_parameters():
    d = simulate_customers(100_000, seed=11)
    bg = clv.fit_bgnbd(d["frequency"], d["recency"], d["T"])
    assert bg.r == pytest.approx(0.243, rel=0.08)
    assert bg.alpha == pytest.approx(4.414, rel=0.12)
    assert bg.a == pytest.approx(0.793, rel=0.15)
    assert bg.b == pytest.approx(2.426, rel=0.2)
    assert bg.n_unique_rows < 0.5 * bg.n_rows
    gg = clv.fit_gamma_gamma(d["frequency"], d["monetary_value"])
    assert gg.p == pytest.approx(6.25, rel=0.1)
    assert gg.q == pytest.approx(3.74, rel=0.1)
    assert gg.v == pytest.approx(15.44, rel=0.1)
    status = clv.fit_status_row(bg)
    assert status["status"] == "fitted" and set(status["params"]) == {"r", "alpha", "a", "b"}


def test_prediction_edge_cases():
    f, r, t = np.array([0, 0, 3]), np.array([0.0, 0.0, 20.0]), np.array([10.0, 30.0, 30.0])
    assert np.all(clv.p_alive(PUBLISHED_BG, f, r, t)[:2] == 1.0)
    assert np.all(clv.expected_purchases(PUBLISHED_BG, 0.0, f, r, t) == 0.0)
    e1 = clv.expected_purchases(PUBLISHED_BG, 10.0, f, r, t)
    e2 = clv.expected_purchases(PUBLISHED_BG, 20.0, f, r, t)
    assert np.all(e2 > e1) and np.all(e1 > 0)
    # frequency 0 -> population mean even when the monetary value is missing
    mean = PUBLISHED_GG.p * PUBLISHED_GG.v / (PUBLISHED_GG.q - 1)
    got = clv.expected_average_value({"p": 6.25, "q": 3.74, "gamma": 15.44}, [0, 2], [np.nan, 10.0])
    assert got[0] == pytest.approx(mean)
    assert 10.0 < got[1] < mean
    clv_zero = clv.customer_lifetime_value(
        PUBLISHED_BG,
        PUBLISHED_GG,
        f,
        r,
        t,
        [0.0, 0.0, 25.0],
        horizon_months=0,
        periods_per_month=4.345,
    )
    assert np.all(clv_zero == 0.0)


# --------------------------------------------------------------------------------------------
# the SQL summary macro (macros/predictive/customer_purchase_summary.sql) on CDNOW
# --------------------------------------------------------------------------------------------


def _compiled_summary_macro(tmp_path: Path, relation: str, **kwargs: str) -> str:
    """The macro rendered by dbt itself (``dbt compile --inline`` in-process), as plain SQL.

    Rendering with dbt and executing the SQL on a separate in-memory DuckDB keeps the check on
    exactly the macro the model uses, with no dbt model, seed or var added to the project
    for the test, no row limit (``dbt show`` has one) and full float precision (no agate
    round trip). The macro only names ``relation``, so the test binds its own table to it.
    """
    from conftest import run_dbt

    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    inline = f"{{{{ customer_purchase_summary({relation!r}, {args}) }}}}"
    run = run_dbt(
        ["compile", "--inline", inline, "--quiet"], tmp_path / "warehouse.duckdb", tmp_path
    )
    [result] = run.result.result.results
    return result.node.compiled_code


@requires_cdnow
def test_sql_summary_macro_on_cdnow_sample_equals_published(tmp_path, cdnow_summary, cdnow_money):
    import duckdb

    sql = _compiled_summary_macro(
        tmp_path,
        "cdnow_transactions",
        observation_end="date '1997-09-30'",  # the calibration end; later rows are dropped
        customer_column="customer_id",
        date_column="purchase_date",
        amount_column="dollars",
        time_unit="week",
    )
    tx = _read_cdnow_txt("CDNOW_sample.txt", sample=True)
    cdnow_transactions = tx.rename(columns={"date": "purchase_date"})[
        ["customer_id", "purchase_date", "dollars"]
    ]
    con = duckdb.connect()
    con.register("cdnow_transactions", cdnow_transactions)
    out = con.sql(sql).df().sort_values("customer_id").set_index("customer_id")
    con.close()

    pub = cdnow_summary.set_index("ID")
    money = cdnow_money.set_index("ID")
    assert list(out.index) == list(pub.index)  # all 2,357 customers, nobody else
    np.testing.assert_array_equal(out["frequency"].to_numpy(), pub["frequency"].to_numpy())
    np.testing.assert_allclose(out["recency"], pub["recency"], rtol=0, atol=0.01)
    np.testing.assert_allclose(out["t"], pub["T"], rtol=0, atol=0.01)
    np.testing.assert_allclose(out["monetary_value"], money["zbar"], rtol=0, atol=0.01)
    assert (out["time_unit"] == "week").all()
    # the same numbers as the pandas implementation, to float precision
    ref = clv.summary_from_transactions(
        tx, "customer_id", "date", "dollars", observation_end="1997-09-30", freq_multiplier=7
    )
    np.testing.assert_array_equal(out["frequency"].to_numpy(), ref["frequency"].to_numpy())
    for col, ref_col in (("recency", "recency"), ("t", "T"), ("monetary_value", "monetary_value")):
        np.testing.assert_allclose(out[col], ref[ref_col], rtol=1e-12, atol=1e-9)


# --------------------------------------------------------------------------------------------
# warehouse tables: fit_models / score_customers / clv_tiers (what the dbt models return)
# --------------------------------------------------------------------------------------------


def _warehouse_summary(d: pd.DataFrame, unit: str = "week") -> pd.DataFrame:
    """A summary shaped like fct_customer_purchase_summary, deliberately not sorted."""
    out = pd.DataFrame(
        {
            "customer_id": [f"c{i:06d}" for i in range(len(d))],
            "time_unit": unit,
            "frequency": d["frequency"].astype("int32"),
            "recency": d["recency"].astype(float),
            "t": d["T"].astype(float),
            "monetary_value": d["monetary_value"].astype(float),
            "as_of_date": pd.Timestamp("2024-06-30"),
        }
    )
    return out.iloc[::-1].reset_index(drop=True)


def test_fit_models_table_equals_the_core_fits():
    d = simulate_customers(5000, seed=5)
    summary = _warehouse_summary(d)
    fits = clv.fit_models(summary)
    assert list(fits.columns) == list(clv.MODEL_FIT_DTYPES)
    assert fits["model"].tolist() == ["bgnbd", "gamma_gamma"]
    assert fits["fit_status"].tolist() == ["fitted", "fitted"]
    assert fits["is_converged"].all()
    bg = clv.fit_bgnbd(d["frequency"], d["recency"], d["T"])
    gg = clv.fit_gamma_gamma(d["frequency"], d["monetary_value"])
    row_bg, row_gg = fits.iloc[0], fits.iloc[1]
    for name in ("r", "alpha", "a", "b"):
        assert row_bg[name] == getattr(bg, name)
    assert (row_gg["p"], row_gg["q"], row_gg["gamma"]) == (gg.p, gg.q, gg.v)
    assert row_bg["log_likelihood"] == bg.log_likelihood
    assert row_bg["customers_used"] == 5000 and row_bg["customers_ignored"] == 0
    n_repeat = int((d["frequency"] > 0).sum())
    assert row_gg["customers_used"] == n_repeat
    assert row_gg["customers_ignored"] == 5000 - n_repeat
    assert pd.isna(row_bg["p"]) and pd.isna(row_gg["r"])
    assert str(row_bg["as_of_date"]) == "2024-06-30"
    assert (fits["time_unit"] == "week").all()


def test_score_customers_equals_the_core_predictions():
    d = simulate_customers(3000, seed=6)
    summary = _warehouse_summary(d, unit="week")
    fits = clv.fit_models(summary)
    out = clv.score_customers(
        summary, fits, horizon_months=6, monthly_discount_rate=0.02, churn_threshold=0.4
    )
    assert list(out.columns) == list(clv.CUSTOMER_CLV_DTYPES)
    assert out["customer_id"].is_monotonic_increasing and out["customer_id"].is_unique
    assert len(out) == 3000
    # summary ids were reversed: c000000 is row 0 of d again after sorting
    f, r, t, m = (d[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
    bg = clv.BgNbdParams(*(float(fits.iloc[0][k]) for k in ("r", "alpha", "a", "b")))
    gg = clv.GammaGammaParams(*(float(fits.iloc[1][k]) for k in ("p", "q", "gamma")))
    np.testing.assert_array_equal(out["p_alive"].to_numpy(float), clv.p_alive(bg, f, r, t))
    np.testing.assert_array_equal(
        out["expected_purchases_90d"].to_numpy(float), clv.expected_purchases(bg, 90 / 7, f, r, t)
    )
    np.testing.assert_array_equal(
        out["expected_purchases_365d"].to_numpy(float),
        clv.expected_purchases(bg, 365 / 7, f, r, t),
    )
    expected_clv = clv.customer_lifetime_value(
        bg, gg, f, r, t, m, horizon_months=6, monthly_discount_rate=0.02, periods_per_month=4.345
    )
    np.testing.assert_array_equal(out["clv"].to_numpy(float), expected_clv)
    np.testing.assert_array_equal(out["churn_risk"].to_numpy(bool), clv.p_alive(bg, f, r, t) < 0.4)
    assert set(out["clv_tier"]) == {"Low", "Medium", "High"}


def test_clv_tiers_cut_like_qcut():
    values = np.array([5.0, 1.0, 2.0, 2.0, 3.0, 4.0, 10.0, np.nan, 7.0, 2.0])
    got = clv.clv_tiers(values, [0.5, 0.8])
    known = ~np.isnan(values)
    ref = pd.qcut(values[known], [0, 0.5, 0.8, 1], labels=["Low", "Medium", "High"])
    assert got[known].tolist() == list(ref.astype(str))
    assert got[~known].tolist() == ["Unknown"]
    # a value equal to a cut point is in the lower tier; ties share a tier
    assert clv.clv_tiers([1.0, 2.0, 3.0], [0.5, 0.9]).tolist() == ["Low", "Low", "High"]
    with pytest.raises(ValueError, match="two increasing"):
        clv.clv_tiers([1.0], [0.8, 0.5])


def test_too_little_data_gives_null_predictions_not_a_crash():
    summary = pd.DataFrame(
        {
            "customer_id": ["b", "a", "c"],
            "time_unit": "day",
            "frequency": [1, 0, 0],
            "recency": [3.0, 0.0, 0.0],
            "t": [10.0, 0.0, 4.0],  # a bought on the last day: T = 0 is valid
            "monetary_value": [12.0, 0.0, 0.0],
            "as_of_date": pd.Timestamp("2024-01-10"),
        }
    )
    fits = clv.fit_models(summary)
    assert fits["fit_status"].tolist() == ["insufficient_data", "insufficient_data"]
    assert not fits["is_converged"].any()
    assert fits[["r", "alpha", "a", "b", "p", "q", "gamma", "log_likelihood"]].isna().all().all()
    assert "need at least" in fits["message"].iloc[0]
    assert fits["customers_used"].tolist() == [3, 1]
    out = clv.score_customers(summary, fits)
    assert out["customer_id"].tolist() == ["a", "b", "c"]
    assert out["clv_tier"].tolist() == ["Unknown"] * 3
    predicted = ["p_alive", "expected_purchases_90d", "expected_average_order_value", "clv"]
    assert out[predicted].isna().all().all()
    # without a BG/NBD fit churn falls back to days idle (none idle more than 180 days here)
    assert (out["churn_basis"] == "days_idle").all()
    assert out["days_since_last_purchase"].tolist() == [0.0, 7.0, 4.0]
    assert not out["churn_risk"].any()


def test_gamma_gamma_without_data_keeps_bgnbd_predictions():
    d = simulate_customers(400, seed=8)
    summary = _warehouse_summary(d)
    summary["monetary_value"] = 0.0  # e.g. every repeat order fully discounted
    fits = clv.fit_models(summary)
    assert fits["fit_status"].tolist() == ["fitted", "insufficient_data"]
    out = clv.score_customers(summary, fits)
    assert out["p_alive"].notna().all()
    assert out["clv"].isna().all() and (out["clv_tier"] == "Unknown").all()


def test_fit_times_go_to_the_log_and_the_table_is_the_same_on_every_run():
    summary = _warehouse_summary(simulate_customers(400, seed=8))
    summary["monetary_value"] = 0.0  # gamma_gamma: insufficient data, bgnbd fitted
    lines: list[str] = []
    fits = clv.fit_models(summary, log=lines.append)
    assert len(lines) == 2
    assert re.fullmatch(r"clv_model_fit: bgnbd on 400 customers: fitted in \d+\.\d{3} s", lines[0])
    assert lines[1].startswith("clv_model_fit: gamma_gamma on 400 customers: insufficient_data: ")
    pd.testing.assert_frame_equal(fits, clv.fit_models(summary), check_exact=True)


def test_summary_with_mixed_units_or_duplicates_is_rejected():
    summary = _warehouse_summary(simulate_customers(100, seed=1))
    mixed = summary.copy()
    mixed.loc[0, "time_unit"] = "day"
    with pytest.raises(ValueError, match="mixes time units"):
        clv.fit_models(mixed)
    dup = pd.concat([summary, summary.head(1)])
    with pytest.raises(ValueError, match="duplicate customer_id"):
        clv.fit_models(dup)


# --------------------------------------------------------------------------------------------
# holdout check, degenerate fits, fits that fail
# --------------------------------------------------------------------------------------------


def _cdnow_calibration() -> pd.DataFrame:
    """The CDNOW sample as a calibration summary shaped like fct_customer_purchase_holdout:
    calibration to 1997-09-30, holdout to 1998-06-30 (39 weeks), time unit week."""
    tx = _read_cdnow_txt("CDNOW_sample.txt", sample=True)
    out = clv.summary_from_transactions(
        tx,
        "customer_id",
        "date",
        "dollars",
        observation_end="1998-06-30",
        calibration_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    ).reset_index()
    return pd.DataFrame(
        {
            "customer_id": out["customer_id"].astype(str),
            "time_unit": "week",
            "frequency": out["frequency_cal"],
            "recency": out["recency_cal"],
            "t": out["T_cal"],
            "monetary_value": out["monetary_value_cal"],
            "frequency_holdout": out["frequency_holdout"],
            "duration_holdout": out["duration_holdout"],
            "calibration_end_date": pd.Timestamp("1997-09-30"),
            "as_of_date": pd.Timestamp("1998-06-30"),
        }
    )


@requires_cdnow
def test_holdout_predictions_equal_lifetimes_on_cdnow():
    lifetimes = _lifetimes()
    cal = _cdnow_calibration()
    assert int(cal["frequency_holdout"].sum()) == 1882  # distinct-day purchases in the holdout
    bgf = lifetimes.BetaGeoFitter().fit(cal["frequency"], cal["recency"], cal["t"])
    params = clv.BgNbdParams(*(bgf.params_[k] for k in ("r", "alpha", "a", "b")))
    ref = bgf.conditional_expected_number_of_purchases_up_to_time(
        39.0, cal["frequency"], cal["recency"], cal["t"]
    ).to_numpy()
    got = clv.holdout_predictions(params, cal)
    np.testing.assert_allclose(got["predicted_holdout"], ref, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        got["p_alive"],
        bgf.conditional_probability_alive(cal["frequency"], cal["recency"], cal["t"]),
        atol=1e-6,
    )
    # at the published parameters: 1,653 repeat purchase-days predicted for the 39 weeks
    published = clv.holdout_predictions(PUBLISHED_BG, cal)["predicted_holdout"].sum()
    assert int(published) == 1653  # 1653.94

    report = clv.holdout_report(cal, holdout_days=273)
    assert list(report.columns) == list(clv.HOLDOUT_REPORT_DTYPES)
    row = report.iloc[0]
    assert row["fit_status"] == "fitted" and row["is_p_alive_usable"]
    own = clv.fit_bgnbd(cal["frequency"], cal["recency"], cal["t"])
    own_pred = clv.holdout_predictions(own, cal)["predicted_holdout"]
    assert row["predicted_purchases"] == pytest.approx(own_pred.sum(), abs=1e-9)
    assert row["predicted_purchases"] == pytest.approx(ref.sum(), abs=1e-4)
    assert row["actual_purchases"] == 1882 and row["customers"] == len(cal)
    assert str(row["calibration_end_date"]) == "1997-09-30"


def test_metrics_equal_scikit_learn_and_scipy():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    labels = rng.random(500) < 0.3
    scores = np.round(rng.random(500) + labels * 0.3, 1)  # rounded: many ties
    assert clv.roc_auc(labels, scores) == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-12
    )
    x = rng.poisson(2, 400).astype(float)
    y = x + rng.poisson(1, 400)
    assert clv.rank_correlation(x, y) == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-12)
    assert np.isnan(clv.roc_auc([True, True], [0.1, 0.2]))
    assert np.isnan(clv.rank_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))


def test_no_dropout_fit_is_named_degenerate_and_churn_falls_back_to_days_idle():
    # Poisson buyers who never leave: the likelihood prefers a -> 0 ("no dropout")
    rng = np.random.default_rng(11)
    n, horizon = 600, 200.0
    rates = rng.gamma(2.0, 1 / 20, n)
    first = rng.uniform(0, horizon - 1, n)
    rows = []
    for i in range(n):
        days = np.unique(np.floor(first[i] + np.cumsum(rng.exponential(1 / rates[i], 60))))
        days = np.concatenate([[np.floor(first[i])], days[days < horizon]])
        days = np.unique(days)
        rows.append((len(days) - 1, days[-1] - days[0], horizon - 1 - days[0]))
    f, r, t = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    summary = pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(n)],
            "time_unit": "day",
            "frequency": f.astype("int32"),
            "recency": r,
            "t": t,
            "monetary_value": np.where(f > 0, 10.0, 0.0),
            "as_of_date": pd.Timestamp("2024-06-30"),
        }
    )
    fits = clv.fit_models(summary)
    bg = fits.iloc[0]
    assert bg["fit_status"] == "degenerate" and bg["is_converged"]
    assert "no dropout" in bg["message"] and pd.notna(bg["a"])
    out = clv.score_customers(summary, fits, fallback_idle_days=30)
    assert out["p_alive"].isna().all()
    assert (out["churn_basis"] == "days_idle").all()
    idle = (out["t"] - out["recency"]).to_numpy()
    np.testing.assert_array_equal(out["churn_risk"].to_numpy(bool), idle > 30)


def test_fit_that_does_not_converge_gives_a_status_row_not_an_error():
    summary = _warehouse_summary(simulate_customers(2000, seed=9))
    lines: list[str] = []
    fits = clv.fit_models(summary, maxiter=1, log=lines.append)
    bg = fits.iloc[0]
    assert bg["fit_status"] == "not_converged" and not bg["is_converged"]
    assert fits[["r", "alpha", "a", "b"]].isna().all().all()
    msg = bg["message"]
    assert "the bgnbd fit on 2000 customers" in msg and "did not converge" in msg
    assert "maxiter 1" in msg and "clv_penalizer" in msg
    assert "not_converged" in lines[0]
    out = clv.score_customers(summary, fits)
    assert out["p_alive"].isna().all() and out["clv"].isna().all()
    assert (out["churn_basis"] == "days_idle").all() and out["churn_risk"].notna().all()


def _compiled_holdout_macro(tmp_path: Path, relation: str, **kwargs: str) -> str:
    """customer_purchase_holdout rendered by dbt (as _compiled_summary_macro)."""
    from conftest import run_dbt

    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    inline = f"{{{{ customer_purchase_holdout({relation!r}, {args}) }}}}"
    run = run_dbt(
        ["compile", "--inline", inline, "--quiet"], tmp_path / "warehouse.duckdb", tmp_path
    )
    [result] = run.result.result.results
    return result.node.compiled_code


@requires_cdnow
def test_sql_holdout_split_on_cdnow_equals_pandas_and_leaks_nothing(tmp_path):
    import duckdb

    sql = _compiled_holdout_macro(
        tmp_path,
        "cdnow_transactions",
        calibration_end="date '1997-09-30'",
        observation_end="date '1998-06-30'",
        customer_column="customer_id",
        date_column="purchase_date",
        amount_column="dollars",
        time_unit="week",
    )
    tx = _read_cdnow_txt("CDNOW_sample.txt", sample=True)
    frame = tx.rename(columns={"date": "purchase_date"})
    frame = frame[["customer_id", "purchase_date", "dollars"]]
    con = duckdb.connect()
    con.register("cdnow_transactions", frame)
    out = con.sql(sql).df().sort_values("customer_id").set_index("customer_id")
    # a post-cutoff order planted for an existing customer and one for a new customer
    first = out.index[0]
    planted = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "customer_id": [first, frame["customer_id"].max() + 1],
                    "purchase_date": pd.to_datetime(["1997-10-02", "1997-10-03"]),
                    "dollars": [10_000.0, 5.0],
                }
            ),
        ]
    )
    con.register("cdnow_transactions", planted)
    after = con.sql(sql).df().sort_values("customer_id").set_index("customer_id")
    con.close()

    ref = _cdnow_calibration().astype({"customer_id": int}).set_index("customer_id")
    assert list(out.index) == list(ref.index)
    np.testing.assert_array_equal(out["frequency"], ref["frequency"])
    np.testing.assert_array_equal(out["frequency_holdout"], ref["frequency_holdout"])
    for col in ("recency", "t", "monetary_value", "duration_holdout"):
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-12, atol=1e-9)
    assert int(out["frequency_holdout"].sum()) == 1882

    calibration_columns = ["frequency", "recency", "t", "monetary_value", "transaction_count"]
    pd.testing.assert_frame_equal(out[calibration_columns], after[calibration_columns])
    assert list(after.index) == list(out.index)  # the holdout-only customer has no row
    already = ((frame["customer_id"] == first) & (frame["purchase_date"] == "1997-10-02")).any()
    expected = out["frequency_holdout"].copy()
    expected.loc[first] += 0 if already else 1
    pd.testing.assert_series_equal(after["frequency_holdout"], expected)


def test_expected_average_value_of_a_customer_the_fit_ignores_is_the_population_mean():
    gg = PUBLISHED_GG
    mean = gg.p * gg.v / (gg.q - 1)
    got = clv.expected_average_value(gg, [0, 1, 2, 2], [0.0, -50.0, 0.0, 30.0])
    assert got[:3].tolist() == pytest.approx([mean] * 3)
    assert got[3] != pytest.approx(mean) and got[3] > 0
