"""Gold customer-value marts recomputed independently in pandas from silver.

Every check starts from the silver tables of the demo warehouse (``demo_warehouse`` builds the
whole project once), applies the documented rules in pandas/numpy/scipy, and compares with the
marts: spend tiers (``pd.qcut``), RFM scores and segments (seed rules applied in pandas), the
top 1/10/20% revenue shares, the Gini of customer revenue, offers' CTR and the Wilson bounds.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

REPO_ROOT = Path(__file__).resolve().parents[1]
RFM_RULES = REPO_ROOT / "seeds" / "reference" / "rfm_segment_rules.csv"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def as_of(demo_warehouse) -> pd.Timestamp:
    """The default as_of_date: the last event date in silver."""
    return pd.Timestamp(
        demo_warehouse.scalar("select max(event_date) from silver.int_events_sessionized")
    )


@pytest.fixture(scope="module")
def silver_orders(demo_warehouse, as_of) -> pd.DataFrame:
    """Silver orders placed by as_of_date, with net spend by the documented rule."""
    orders = demo_warehouse.df(
        "select order_id, customer_id, order_status, subtotal_amount, discount_amount,"
        " ordered_at from silver.int_orders_deduplicated"
    )
    orders = orders[orders["ordered_at"].dt.normalize() <= as_of].copy()
    completed = orders["order_status"] == "completed"
    orders["net"] = np.where(
        completed, orders["subtotal_amount"] - orders["discount_amount"], 0.0
    ).round(2)
    orders["is_completed"] = completed
    return orders


@pytest.fixture(scope="module")
def purchasers(silver_orders, as_of) -> pd.DataFrame:
    """One row per customer with a completed order: recency, frequency, monetary."""
    completed = silver_orders[silver_orders["is_completed"]]
    frame = completed.groupby("customer_id").agg(
        frequency=("order_id", "count"),
        monetary=("net", "sum"),
        last_order_at=("ordered_at", "max"),
    )
    frame["monetary"] = frame["monetary"].round(2)
    frame["recency_days"] = (as_of - frame["last_order_at"].dt.normalize()).dt.days
    return frame


def rank_score(values: pd.Series, ascending: bool = True) -> pd.Series:
    """1 + floor(5 * (rank - 1) / n) with ties on their lowest rank (the marts' rule)."""
    ranks = values.rank(method="min", ascending=ascending)
    return (1 + np.floor(5 * (ranks - 1) / len(values))).astype(int)


def first_matching_rule(scores: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Segment and engagement level of the lowest-priority rule whose ranges hold the scores."""
    pairs = scores.reset_index().merge(rules, how="cross")
    hit = pairs[
        pairs["r_score"].between(pairs["r_score_min"], pairs["r_score_max"])
        & pairs["f_score"].between(pairs["f_score_min"], pairs["f_score_max"])
        & pairs["m_score"].between(pairs["m_score_min"], pairs["m_score_max"])
    ]
    first = hit.sort_values("rule_priority").drop_duplicates("customer_id")
    return first.set_index("customer_id")[["segment_name", "engagement_level"]]


def test_spend_tiers_equal_pandas_qcut_over_purchasers(demo_warehouse, purchasers):
    customers = demo_warehouse.df(
        "select customer_id, spend_tier_3, spend_tier_4, lifetime_net_spend from gold.dim_customers"
    ).set_index("customer_id")
    spend = purchasers["monetary"]
    expected_3 = pd.qcut(spend, 3, labels=["Low", "Medium", "High"]).astype(str)
    expected_4 = pd.qcut(spend, 4, labels=["Low", "Medium", "High", "VIP"]).astype(str)

    buyers = customers.loc[spend.index]
    assert (buyers["lifetime_net_spend"] - spend).abs().max() < 0.005
    pd.testing.assert_series_equal(
        buyers["spend_tier_3"], expected_3, check_names=False, check_index_type=False
    )
    pd.testing.assert_series_equal(
        buyers["spend_tier_4"], expected_4, check_names=False, check_index_type=False
    )
    others = customers.drop(spend.index)
    assert len(others) > 0
    assert set(others["spend_tier_3"]) == {"No Spend"}
    assert set(others["spend_tier_4"]) == {"No Spend"}


def test_rfm_scores_and_segments_match_pandas(demo_warehouse, purchasers):
    rfm = demo_warehouse.df(
        "select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,"
        " rfm_code, segment_name, engagement_level from gold.mart_rfm"
    ).set_index("customer_id")
    expected = pd.DataFrame(
        {
            "recency_days": purchasers["recency_days"],
            "frequency": purchasers["frequency"],
            "r_score": rank_score(purchasers["recency_days"], ascending=False),
            "f_score": rank_score(purchasers["frequency"]),
            "m_score": rank_score(purchasers["monetary"]),
        }
    )
    expected = expected.join(first_matching_rule(expected, pd.read_csv(RFM_RULES)))

    assert sorted(rfm.index) == sorted(expected.index)
    rfm = rfm.loc[expected.index]
    for column in ["recency_days", "frequency", "r_score", "f_score", "m_score"]:
        assert (rfm[column].to_numpy() == expected[column].to_numpy()).all(), column
    assert (rfm["monetary"] - purchasers["monetary"]).abs().max() < 0.005
    codes = expected[["r_score", "f_score", "m_score"]].astype(str).agg("".join, axis=1)
    assert (rfm["rfm_code"] == codes).all()
    assert (rfm["segment_name"] == expected["segment_name"]).all()
    assert (rfm["engagement_level"] == expected["engagement_level"]).all()


def test_rfm_segment_rules_map_all_125_codes_with_one_level_per_segment():
    rules = pd.read_csv(RFM_RULES)
    grid = pd.DataFrame(
        list(itertools.product(range(1, 6), repeat=3)), columns=["r_score", "f_score", "m_score"]
    )
    grid["customer_id"] = grid.astype(str).agg("".join, axis=1)
    mapped = first_matching_rule(grid.set_index("customer_id"), rules)
    assert len(mapped) == 125, (
        f"unmapped codes: {sorted(set(grid['customer_id']) - set(mapped.index))}"
    )
    assert rules.groupby("segment_name")["engagement_level"].nunique().max() == 1
    assert set(rules["segment_name"]) == {
        "Champions", "Loyal", "Potential Loyalist", "New Customers", "Promising",
        "Need Attention", "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
    }  # fmt: skip


@pytest.fixture(scope="module")
def customer_revenue(silver_orders) -> np.ndarray:
    """Net revenue of every customer with an order placed by as_of_date (any status)."""
    return silver_orders.groupby("customer_id")["net"].sum().round(2).to_numpy()


def test_top_1_10_20_percent_revenue_shares_match_pandas(demo_warehouse, customer_revenue):
    revenue = np.sort(customer_revenue)[::-1]
    summary = demo_warehouse.df(
        "select * from gold.mart_concentration_summary where dimension = 'customer'"
    ).iloc[0]
    assert summary["entity_count"] == len(revenue)
    for pct in (1, 10, 20):
        top_k = -(-len(revenue) * pct // 100)  # ceil(pct% of n), in integers
        expected = revenue[:top_k].sum() / revenue.sum()
        assert summary[f"top_{pct}_pct_revenue_share"] == pytest.approx(expected, rel=1e-9), pct


def test_gini_of_customer_revenue_matches_the_mean_absolute_difference(
    demo_warehouse, customer_revenue
):
    x = customer_revenue
    expected = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    gini = demo_warehouse.scalar(
        "select gini_coefficient from gold.mart_concentration_summary where dimension = 'customer'"
    )
    assert 0 < expected < 1
    assert gini == pytest.approx(expected, rel=1e-9)


def test_ctr_of_the_three_most_shown_offers_matches_silver_events(demo_warehouse, as_of):
    events = demo_warehouse.df(
        "select offer_id, event_type, event_date from silver.int_events_sessionized"
        " where event_type in ('offer_impression', 'offer_click') and not is_bot"
        " and offer_id is not null"
    )
    events = events[pd.to_datetime(events["event_date"]) <= as_of]
    counts = pd.crosstab(events["offer_id"], events["event_type"])
    top3 = counts.sort_values(["offer_impression"], ascending=False).head(3)
    expected = top3["offer_click"] / top3["offer_impression"]
    mart = demo_warehouse.df(
        "select offer_id, impressions, clicks, ctr from gold.mart_offer_performance"
    ).set_index("offer_id")
    for offer_id, ctr in expected.items():
        assert mart.loc[offer_id, "impressions"] == top3.loc[offer_id, "offer_impression"]
        assert mart.loc[offer_id, "clicks"] == top3.loc[offer_id, "offer_click"]
        assert mart.loc[offer_id, "ctr"] == pytest.approx(ctr, rel=1e-12)


def test_offer_wilson_bounds_and_ranks_match_scipy(demo_warehouse):
    offers = demo_warehouse.df(
        "select offer_id, customers_reached, converted_customers, conversion_wilson_lower_bound,"
        " conversion_rank from gold.mart_offer_performance where customers_reached > 0"
    )
    expected = [
        binomtest(int(k), int(n)).proportion_ci(0.95, method="wilson").low
        for k, n in zip(offers["converted_customers"], offers["customers_reached"], strict=True)
    ]
    # 1.96 against scipy's exact 1.959964: agree to about 1e-4.
    assert np.allclose(offers["conversion_wilson_lower_bound"], expected, atol=1e-4)
    ranked = offers.dropna(subset=["conversion_rank"]).sort_values("conversion_rank")
    assert ranked["conversion_wilson_lower_bound"].is_monotonic_decreasing
    assert len(ranked) >= 10, "the top-10 answer needs at least ten rankable offers"
