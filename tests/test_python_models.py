"""The lifetime-value and association-rule models on the demo warehouse.

``demo_warehouse`` (conftest) builds the whole project once. The checks recompute what the
models hold independently: the purchase summary in pandas from silver orders, the CLV fits and
predictions with the package's core functions (and lifetimes as a second oracle) on the SQL
summary, the rules with mlxtend on baskets rebuilt from silver, product_pairs against the
Python rules. Behaviour that needs another build (too little data, a fit that does not
converge, rebuild determinism) runs dbt again on a copy of the demo warehouse, rebuilding only
the predictive models, so the shared warehouse is never modified.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO_ROOT, run_dbt

from customer_behaviour import clv

pytestmark = pytest.mark.slow

VARS = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
PREDICTIVE = ["--select", "path:models/gold/predictive", "path:python_models"]
PYTHON_MODELS = ["clv_model_fit", "customer_clv", "clv_holdout_report",
                 "product_association_rules", "product_frequent_itemsets",
                 "customer_churn_scores", "classifier_validation", "classifier_calibration",
                 "classifier_feature_importance"]  # fmt: skip
# every table the predictive models write, with its key (for a deterministic row order)
PREDICTIVE_TABLES = {
    "fct_customer_purchase_summary": ["customer_id"],
    "clv_model_fit": ["model"],
    "customer_clv": ["customer_id"],
    "fct_customer_purchase_holdout": ["customer_id"],
    "clv_holdout_report": ["model"],
    "mart_customer_value_matrix": ["clv_tier", "engagement_level"],
    "fct_basket_items": ["order_id", "product_id"],
    "product_pairs": ["antecedent_product_id", "consequent_product_id"],
    "product_association_rules": ["level", "rule_rank"],
    "product_frequent_itemsets": ["level", "itemset_rank"],
    "fct_customer_classifier_features": ["customer_id", "cutoff_role"],
    "customer_churn_scores": ["customer_id"],
    "classifier_validation": ["target", "scorer"],
    "classifier_calibration": ["target", "probability_decile"],
    "classifier_feature_importance": ["target", "feature"],
}


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can coexist with in-process dbt's own (conftest.connect)."""
    from conftest import connect

    return connect(path)


def _df(path: Path, sql: str) -> pd.DataFrame:
    con = _connect(path)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def _table(path: Path, name: str) -> pd.DataFrame:
    order = ", ".join(PREDICTIVE_TABLES[name])
    return _df(path, f"select * from gold.{name} order by {order}")


def _copy_warehouse(source: Path, dest_dir: Path) -> Path:
    """A copy of a warehouse file made by DuckDB itself (consistent even while dbt holds the
    source open). Same file name, so the catalog name in dbt's relations is the same."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / source.name
    con = _connect(source)
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach '{dest}' as warehouse_copy")
        con.execute(f"copy from database {catalog} to warehouse_copy")
        con.execute("detach warehouse_copy")
    finally:
        con.close()
    return dest


@pytest.fixture(scope="module")
def db(demo_warehouse) -> Path:
    return demo_warehouse.db_path


@pytest.fixture(scope="module")
def as_of(db) -> pd.Timestamp:
    """The default as_of_date: the last event date in silver."""
    return pd.Timestamp(
        _df(db, "select max(event_date) from silver.int_events_sessionized").iat[0, 0]
    )


@pytest.fixture(scope="module")
def completed_orders(db, as_of) -> pd.DataFrame:
    """Completed silver orders on or before as_of_date, with the net spend rule in pandas."""
    orders = _df(db, "select * from silver.int_orders_deduplicated")
    orders = orders[orders["order_status"] == "completed"].copy()
    orders["order_date"] = pd.to_datetime(orders["ordered_at"]).dt.normalize()
    orders["net"] = orders["subtotal_amount"].astype(float) - orders["discount_amount"].astype(
        float
    )
    return orders[orders["order_date"] <= as_of]


# --------------------------------------------------------------------------------------------
# lifetime value
# --------------------------------------------------------------------------------------------


def test_purchase_summary_equals_pandas_summary_from_silver(db, as_of, completed_orders):
    ref = clv.summary_from_transactions(
        completed_orders, "customer_id", "order_date", "net", observation_end=as_of, freq="D"
    )
    got = _table(db, "fct_customer_purchase_summary").set_index("customer_id")
    assert list(got.index) == list(ref.index)
    assert (got["time_unit"] == VARS["clv_time_unit"]).all()
    np.testing.assert_array_equal(got["frequency"].to_numpy(), ref["frequency"].to_numpy())
    np.testing.assert_array_equal(got["recency"].to_numpy(), ref["recency"].to_numpy())
    np.testing.assert_array_equal(got["t"].to_numpy(), ref["T"].to_numpy())
    np.testing.assert_allclose(got["monetary_value"], ref["monetary_value"], rtol=1e-12, atol=1e-9)
    assert (got["frequency"] > 0).sum() > 100  # enough repeat buyers for the fits below


def test_customer_clv_has_one_row_per_customer_with_purchases(db, completed_orders):
    got = _table(db, "customer_clv")
    assert got["customer_id"].tolist() == sorted(completed_orders["customer_id"].unique())
    assert len(got) > 1000


def test_customer_clv_predictions_are_probabilities_and_counts(db):
    got = _table(db, "customer_clv")
    predicted = ["p_alive", "expected_purchases_90d", "expected_purchases_365d",
                 "expected_average_order_value", "clv"]  # fmt: skip
    assert got[predicted].notna().all().all()
    assert got["p_alive"].between(0, 1).all()
    assert (got["expected_purchases_90d"] >= 0).all()
    assert (got["expected_purchases_365d"] >= got["expected_purchases_90d"]).all()
    assert (got["clv"] >= 0).all() and (got["expected_average_order_value"] > 0).all()
    assert set(got["clv_tier"]) == {"High", "Medium", "Low"}
    threshold = VARS["clv_churn_risk_threshold"]
    assert (got["churn_basis"] == "p_alive").all()  # the demo fit is 'fitted'
    assert got["churn_risk"].tolist() == (got["p_alive"] < threshold).tolist()
    assert got["churn_risk"].any() and not got["churn_risk"].all()
    # BG/NBD: no repeat purchase -> alive with probability 1
    assert (got.loc[got["frequency"] == 0, "p_alive"] == 1.0).all()


def test_clv_model_fit_converged_on_the_demo_data(db):
    fits = _table(db, "clv_model_fit").set_index("model")
    summary = _table(db, "fct_customer_purchase_summary")
    assert fits["fit_status"].tolist() == ["fitted", "fitted"]
    assert fits["is_converged"].all()
    assert fits.loc["bgnbd", "customers_used"] == len(summary)
    repeat = (summary["frequency"] > 0) & (summary["monetary_value"] > 0)
    assert fits.loc["gamma_gamma", "customers_used"] == repeat.sum()
    assert fits.loc["gamma_gamma", "q"] > 1


def test_customer_clv_equals_the_package_on_the_sql_summary(db):
    """Refit with the core functions (not fit_models) on the SQL summary and predict."""
    summary = _table(db, "fct_customer_purchase_summary")
    fits = _table(db, "clv_model_fit").set_index("model")
    got = _table(db, "customer_clv")
    f, r, t, m = (
        summary[c].to_numpy(float) for c in ("frequency", "recency", "t", "monetary_value")
    )
    bg = clv.fit_bgnbd(f, r, t, penalizer=VARS["clv_penalizer"])
    gg = clv.fit_gamma_gamma(f, m)
    for name in ("r", "alpha", "a", "b"):
        assert fits.loc["bgnbd", name] == pytest.approx(getattr(bg, name), rel=1e-12), name
    for name, value in zip(("p", "q", "gamma"), gg.params, strict=True):
        assert fits.loc["gamma_gamma", name] == pytest.approx(value, rel=1e-12), name
    assert fits.loc["bgnbd", "log_likelihood"] == pytest.approx(bg.log_likelihood, rel=1e-12)

    days = clv.DAYS_PER_UNIT[VARS["clv_time_unit"]]
    expected = {
        "p_alive": clv.p_alive(bg, f, r, t),
        "expected_purchases_90d": clv.expected_purchases(bg, 90 / days, f, r, t),
        "expected_purchases_365d": clv.expected_purchases(bg, 365 / days, f, r, t),
        "expected_average_order_value": clv.expected_average_value(gg, f, m),
        "clv": clv.customer_lifetime_value(
            bg,
            gg,
            f,
            r,
            t,
            m,
            horizon_months=VARS["clv_horizon_months"],
            monthly_discount_rate=VARS["clv_monthly_discount_rate"],
            periods_per_month=clv.PERIODS_PER_MONTH[VARS["clv_time_unit"]],
        ),
    }
    for col, values in expected.items():
        np.testing.assert_allclose(got[col].to_numpy(float), values, rtol=1e-10, err_msg=col)
    edges = [0.0, *VARS["clv_tier_quantiles"], 1.0]
    tiers = pd.qcut(expected["clv"], edges, labels=["Low", "Medium", "High"])
    assert got["clv_tier"].tolist() == list(tiers.astype(str))


def test_clv_fits_equal_lifetimes_on_the_sql_summary(db):
    lifetimes = pytest.importorskip("lifetimes", reason="lifetimes (test oracle) is not installed")
    summary = _table(db, "fct_customer_purchase_summary")
    fits = _table(db, "clv_model_fit").set_index("model")
    bgf = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["t"])
    for name, value in bgf.params_.items():
        assert fits.loc["bgnbd", name] == pytest.approx(float(value), rel=1e-4), name
    rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = lifetimes.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    for name, value in ggf.params_.items():
        col = "gamma" if name == "v" else name
        assert fits.loc["gamma_gamma", col] == pytest.approx(float(value), rel=1e-3), name


def test_customer_value_matrix_counts_every_customer_once(db):
    matrix = _df(db, "select * from gold.mart_customer_value_matrix")
    clv_rows = _table(db, "customer_clv")
    rfm = _df(db, "select customer_id, engagement_level, monetary from gold.mart_rfm")
    joined = clv_rows.merge(rfm, on="customer_id", validate="one_to_one")
    assert len(joined) == len(clv_rows) == len(rfm)
    cells = joined.groupby(["clv_tier", "engagement_level"]).agg(
        customers=("customer_id", "size"), revenue=("monetary", "sum")
    )
    got = matrix.set_index(["clv_tier", "engagement_level"])
    assert got["customers"].sum() == len(clv_rows)
    for key, row in cells.iterrows():
        assert got.loc[key, "customers"] == row["customers"]
        assert float(got.loc[key, "revenue"]) == pytest.approx(float(row["revenue"]), abs=0.005)
    seed = pd.read_csv(REPO_ROOT / "seeds" / "reference" / "clv_action_rules.csv")
    actions = seed.set_index(["clv_tier", "engagement_level"])["recommended_action"]
    assert got["recommended_action"].to_dict() == actions.to_dict()


# --------------------------------------------------------------------------------------------
# association rules
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def silver_baskets(db, as_of) -> pd.DataFrame:
    """Order lines of completed orders by as_of_date, rebuilt from silver (not from gold)."""
    sql = f"""
        select lines.order_id, lines.product_id, products.category
        from silver.int_order_lines_deduplicated as lines
        inner join silver.int_orders_deduplicated as orders using (order_id)
        inner join silver.int_products_deduplicated as products using (product_id)
        where orders.order_status = 'completed'
            and cast(orders.ordered_at as date) <= date '{as_of.date()}'
    """
    return _df(db, sql)


def _mlxtend_rules(baskets: pd.Series, min_confidence: float) -> tuple[pd.DataFrame, int]:
    """mlxtend's dense path on baskets (one sorted item list per basket) with the thresholds
    in dbt_project.yml: (frequent itemsets, single-consequent rules indexed by text)."""
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from mlxtend.preprocessing import TransactionEncoder

    enc = TransactionEncoder()
    onehot = pd.DataFrame(enc.fit_transform(baskets.tolist()), columns=enc.columns_)
    itemsets = fpgrowth(
        onehot,
        min_support=VARS["association_min_support"],
        use_colnames=True,
        max_len=VARS["association_max_itemset_length"],
    )
    # the basket count floor; an itemset's subsets are in at least as many baskets
    counts = np.rint(itemsets["support"] * len(onehot))
    itemsets = itemsets[counts >= VARS["association_min_basket_count"]]
    # mlxtend's confidence is a float product that can land just below a threshold it equals
    # (e.g. 7 / 35 = 0.2): the warehouse compares counts, so ask mlxtend for a hair less
    ref = association_rules(
        itemsets,
        num_itemsets=len(onehot),
        metric="confidence",
        min_threshold=min_confidence - 1e-12,
    )
    ref = ref[ref["consequents"].map(len) == 1]
    ref.index = [
        (" + ".join(sorted(a)), " + ".join(sorted(c)))
        for a, c in zip(ref["antecedents"], ref["consequents"], strict=True)
    ]
    return itemsets, ref


def test_product_rules_equal_mlxtend_on_baskets_from_silver(db, silver_baskets):
    got = _table(db, "product_association_rules")
    itemset_table = _table(db, "product_frequent_itemsets")
    assert set(got["level"]) == {"product", "category"}
    assert (got["level"] == "product").sum() >= 20  # the planted complements are found
    for level, column in (("product", "product_id"), ("category", "category")):
        baskets = silver_baskets.groupby("order_id")[column].apply(lambda s: sorted(set(s)))
        itemsets, ref = _mlxtend_rules(baskets, VARS["association_min_confidence"])
        mine_sets = itemset_table[itemset_table["level"] == level]
        assert set(mine_sets["itemset"]) == {" + ".join(sorted(s)) for s in itemsets["itemsets"]}
        assert not mine_sets["is_min_basket_count_raised"].any()
        mine = got[got["level"] == level].set_index(["antecedent", "consequent"])
        assert len(ref) <= VARS["association_max_rules"]  # all published on the demo
        assert set(mine.index) == set(ref.index), level
        assert (mine["rules_found"] == len(ref)).all()
        assert (mine["total_baskets"] == len(baskets)).all()
        for metric in ("support", "confidence", "lift", "leverage"):
            np.testing.assert_allclose(
                mine.loc[ref.index, metric].to_numpy(), ref[metric].to_numpy(), rtol=1e-9
            )
        finite = ~np.isinf(ref["conviction"].to_numpy())
        np.testing.assert_array_equal(
            mine.loc[ref.index, "is_conviction_infinite"].to_numpy(), ~finite
        )
        np.testing.assert_allclose(
            mine.loc[ref.index, "conviction"].to_numpy()[finite],
            ref["conviction"].to_numpy()[finite],
            rtol=1e-9,
        )


def test_product_pairs_equal_the_python_rules_for_two_item_rules(db):
    pairs = _df(db, "select * from gold.product_pairs").set_index(
        ["antecedent_product_id", "consequent_product_id"]
    )
    got = _table(db, "product_association_rules")
    two_item = got[(got["level"] == "product") & (got["n_antecedent_items"] == 1)]
    assert len(two_item) >= 20
    keys = list(zip(two_item["antecedent"], two_item["consequent"], strict=True))
    missing = [k for k in keys if k not in pairs.index]
    assert not missing, f"2-item rules missing from product_pairs: {missing}"
    matched = pairs.loc[keys]
    for metric in ("support", "antecedent_support", "consequent_support", "confidence", "lift"):
        np.testing.assert_allclose(
            matched[metric].to_numpy(), two_item[metric].to_numpy(), rtol=1e-12, err_msg=metric
        )
    np.testing.assert_array_equal(matched["basket_count"], two_item["basket_count"])
    # both directions of every pair
    reverse = {(c, a) for a, c in pairs.index}
    assert reverse == set(pairs.index)


def test_product_pairs_count_baskets_from_silver(db, silver_baskets):
    pairs = _df(db, "select * from gold.product_pairs")
    baskets = silver_baskets.drop_duplicates(["order_id", "product_id"])
    joined = baskets.merge(baskets, on="order_id", suffixes=("_a", "_c"))
    joined = joined[joined["product_id_a"] != joined["product_id_c"]]
    counts = joined.groupby(["product_id_a", "product_id_c"]).size()
    counts = counts[counts >= VARS["product_pairs_min_basket_count"]]
    got = pairs.set_index(["antecedent_product_id", "consequent_product_id"])["basket_count"]
    assert got.sort_index().to_dict() == counts.sort_index().to_dict()
    assert (pairs["total_baskets"] == baskets["order_id"].nunique()).all()


# --------------------------------------------------------------------------------------------
# the models' contract (documented types) and behaviour that needs another build
# --------------------------------------------------------------------------------------------


def test_python_models_have_the_documented_columns_and_types(demo_warehouse):
    manifest = json.loads((demo_warehouse.db_path.parent / "target" / "manifest.json").read_text())
    for name in PYTHON_MODELS:
        node = manifest["nodes"][f"model.customer_behaviour.{name}"]
        assert node["language"] == "python"
        documented = [(c, v["data_type"].upper()) for c, v in node["columns"].items()]
        actual = _df(demo_warehouse.db_path, f"describe gold.{name}")
        assert documented == list(zip(actual["column_name"], actual["column_type"], strict=True)), (
            name
        )


def test_rebuild_is_identical_in_every_column(demo_warehouse, tmp_path):
    copy = _copy_warehouse(demo_warehouse.db_path, tmp_path / "rebuild")
    run_dbt(["run", *PREDICTIVE], copy, tmp_path / "rebuild")
    for name in PREDICTIVE_TABLES:
        before = _table(demo_warehouse.db_path, name)
        after = _table(copy, name)
        pd.testing.assert_frame_equal(before, after, check_exact=True, obj=name)


def test_rule_cap_and_itemset_bound_are_reported_not_silent(demo_warehouse, tmp_path):
    """With at most 5 rules and 100 itemsets per level: the category level (54 itemsets) keeps
    its itemsets and publishes its first 5 rules of 12; the product level (270 itemsets at 7
    baskets) is mined at the smallest basket count that gives at most 100. The build passes
    (data tests included) and dbt shows both as warnings."""
    full_rules = _table(demo_warehouse.db_path, "product_association_rules")
    full_sets = _table(demo_warehouse.db_path, "product_frequent_itemsets")
    copy = _copy_warehouse(demo_warehouse.db_path, tmp_path / "bounded")
    run_dbt(
        ["build", "--select", "product_frequent_itemsets", "product_association_rules"],
        copy,
        tmp_path / "bounded",
        vars={"association_max_rules": 5, "association_max_itemsets": 100},
    )
    got_rules = _table(copy, "product_association_rules")
    got_sets = _table(copy, "product_frequent_itemsets")

    category = got_rules[got_rules["level"] == "category"].reset_index(drop=True)
    expected = full_rules[full_rules["level"] == "category"].head(5).reset_index(drop=True)
    assert (expected["rules_found"] == 12).all()
    pd.testing.assert_frame_equal(category, expected)

    product = got_sets[got_sets["level"] == "product"]
    count = product["min_basket_count"].iloc[0]
    assert product["is_min_basket_count_raised"].all() and count > 7
    full_product = full_sets[full_sets["level"] == "product"]
    assert (full_product["basket_count"] >= count - 1).sum() > 100  # the smallest that fits
    expected_sets = full_product[full_product["basket_count"] >= count]
    assert sorted(product["itemset"]) == sorted(expected_sets["itemset"])
    assert len(product) <= 100
    product_rules = got_rules[got_rules["level"] == "product"]
    assert len(product_rules) == min(5, product_rules["rules_found"].max())

    log = (tmp_path / "bounded" / "logs" / "dbt.log").read_text()
    assert "level category: 12 rules meet the thresholds; the 5 with the highest lift" in log
    assert "Set association_max_rules to 0 to publish all of them" in log
    assert f"mined those in at least {count} baskets instead" in log


def test_too_little_data_gives_a_fit_status_row_and_unknown_tiers(demo_warehouse, tmp_path):
    """As of the first day with a completed order nobody has a repeat purchase: both fits
    have too little data. The build still succeeds (every data test included)."""
    first_day = _df(
        demo_warehouse.db_path,
        "select min(order_date) from gold.fct_orders where is_counted",
    ).iat[0, 0]
    first_day = str(pd.Timestamp(first_day).date())
    copy = _copy_warehouse(demo_warehouse.db_path, tmp_path / "early")
    run_dbt(
        ["build", *PREDICTIVE, "dim_customers", "mart_rfm"],
        copy,
        tmp_path / "early",
        vars={"as_of_date": first_day},
    )
    fits = _table(copy, "clv_model_fit")
    assert fits["fit_status"].tolist() == ["insufficient_data", "insufficient_data"]
    assert fits[["r", "alpha", "a", "b", "p", "q", "gamma"]].isna().all().all()
    assert fits["message"].str.contains("need at least").all()
    got = _table(copy, "customer_clv")
    assert 0 < len(got) == fits.loc[0, "customers_used"]
    assert (got["t"] == 0).all()  # everyone bought on the last day observed
    assert (got["clv_tier"] == "Unknown").all()
    assert got[["p_alive", "clv", "expected_purchases_90d"]].isna().all().all()
    matrix = _df(copy, "select * from gold.mart_customer_value_matrix")
    unknown = matrix[matrix["clv_tier"] == "Unknown"]
    assert unknown["customers"].sum() == len(got)
    assert unknown["recommended_action"].notna().all()


def test_fit_that_does_not_converge_leaves_a_status_row_and_the_build_green(
    demo_warehouse, tmp_path
):
    """A BG/NBD fit that does not converge fails no model: clv_model_fit says what happened
    and what to change, customer_clv has null predictions and churn by days idle, and every
    data test of the predictive models passes."""
    copy = _copy_warehouse(demo_warehouse.db_path, tmp_path / "no_convergence")
    run_dbt(
        ["build", "--select", "clv_model_fit", "customer_clv", "clv_holdout_report"],
        copy,
        tmp_path / "no_convergence",
        vars={"clv_max_iterations": 1},
    )
    fits = _table(copy, "clv_model_fit").set_index("model")
    assert fits.loc["bgnbd", "fit_status"] == "not_converged"
    assert "did not converge" in fits.loc["bgnbd", "message"]
    assert "clv_penalizer" in fits.loc["bgnbd", "message"]
    got = _table(copy, "customer_clv")
    assert got["p_alive"].isna().all() and (got["churn_basis"] == "days_idle").all()
    idle = got["days_since_last_purchase"] > VARS["clv_churn_fallback_idle_days"]
    assert got["churn_risk"].tolist() == idle.tolist()
    report = _table(copy, "clv_holdout_report")
    assert report["fit_status"].tolist() == ["not_converged"]
    assert not report["is_p_alive_usable"].any()


def test_holdout_report_on_the_demo_data(db, as_of):
    """The report's numbers recomputed from fct_customer_purchase_holdout with the package's
    core functions, and the calibration summary equal to pandas' calibration split."""
    cal = _table(db, "fct_customer_purchase_holdout")
    report = _table(db, "clv_holdout_report").iloc[0]
    cutoff = as_of - pd.Timedelta(days=VARS["clv_holdout_days"])
    assert (pd.to_datetime(cal["calibration_end_date"]) == cutoff).all()
    assert (pd.to_datetime(cal["last_purchase_date"]) <= cutoff).all()
    bg = clv.fit_bgnbd(cal["frequency"], cal["recency"], cal["t"], penalizer=VARS["clv_penalizer"])
    pred = clv.holdout_predictions(bg, cal)
    assert report["fit_status"] == "fitted"
    assert report["actual_purchases"] == cal["frequency_holdout"].sum()
    assert report["predicted_purchases"] == pytest.approx(pred["predicted_holdout"].sum())
    assert report["rank_correlation"] == pytest.approx(
        clv.rank_correlation(pred["predicted_holdout"], cal["frequency_holdout"])
    )
    assert bool(report["is_p_alive_usable"]) == (
        report["p_alive_auc_repeat_customers"]
        >= report["days_idle_auc_repeat_customers"] - clv.P_ALIVE_AUC_MARGIN
    )
