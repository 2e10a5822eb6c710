"""Association rules (customer_behaviour.rules) against the published Groceries numbers and
mlxtend's dense path.

Tests marked with ``requires_groceries`` need /work/shared/data (``<repo>/../shared/data``);
the hand-computed examples at the bottom run on a fresh clone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder

from customer_behaviour import rules

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
GROCERIES = SHARED_DATA / "groceries" / "groceries.csv"

requires_groceries = pytest.mark.skipif(
    not GROCERIES.exists(),
    reason=f"Groceries reference data not found at {GROCERIES} (shared data is not in the repo)",
)

METRICS = [
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
]


@pytest.fixture(scope="module")
def groceries() -> pd.DataFrame:
    return rules.load_groceries(GROCERIES)


def _oracle(baskets: pd.DataFrame, min_support: float, min_confidence: float, algo) -> dict:
    """mlxtend's dense path: TransactionEncoder -> apriori/fpgrowth -> association_rules."""
    transactions = baskets.groupby("basket_id")["item"].apply(list).tolist()
    enc = TransactionEncoder()
    onehot = pd.DataFrame(enc.fit(transactions).transform(transactions), columns=enc.columns_)
    itemsets = algo(onehot, min_support=min_support, use_colnames=True)
    ar = association_rules(
        itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=min_confidence
    )
    ar = ar[ar["consequents"].map(len) == 1]
    out = {}
    for row in ar.itertuples(index=False):
        key = (" + ".join(sorted(row.antecedents)), " + ".join(sorted(row.consequents)))
        out[key] = {
            "antecedent_support": row[2],
            "consequent_support": row[3],
            "support": row.support,
            "confidence": row.confidence,
            "lift": row.lift,
            "leverage": row.leverage,
            "conviction": row.conviction,
        }
    supports = {
        " + ".join(sorted(s)): v
        for s, v in zip(itemsets["itemsets"], itemsets["support"], strict=True)
    }
    return {"rules": out, "itemsets": supports}


def _assert_equals_oracle(itemsets: pd.DataFrame, got: pd.DataFrame, oracle: dict) -> None:
    assert dict(zip(itemsets["itemset"], itemsets["support"], strict=True)) == pytest.approx(
        oracle["itemsets"], rel=0, abs=1e-12
    )
    assert set(zip(got["antecedent"], got["consequent"], strict=True)) == set(oracle["rules"])
    for row in got.itertuples(index=False):
        ref = oracle["rules"][(row.antecedent, row.consequent)]
        for m in METRICS:
            assert getattr(row, m) == pytest.approx(ref[m], rel=1e-9, abs=1e-12), m
        if np.isinf(ref["conviction"]):
            assert row.is_conviction_infinite and np.isnan(row.conviction)
        else:
            assert not row.is_conviction_infinite
            assert row.conviction == pytest.approx(ref["conviction"], rel=1e-9)


def _assert_sorted(got: pd.DataFrame) -> None:
    keys = list(
        zip(-got["lift"], -got["confidence"], got["antecedent"], got["consequent"], strict=True)
    )
    assert keys == sorted(keys)


def _assert_bi_safe(got: pd.DataFrame) -> None:
    numeric = got.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numeric).any()


# --------------------------------------------------------------------------------------------
# Groceries
# --------------------------------------------------------------------------------------------


@requires_groceries
def test_load_groceries_published_counts(groceries):
    assert groceries["basket_id"].nunique() == 9835
    assert groceries["basket_id"].min() == 1 and groceries["basket_id"].max() == 9835
    assert groceries["item"].nunique() == 169
    counts = groceries["item"].value_counts()
    assert counts["whole milk"] == 2513
    assert counts["other vegetables"] == 1903
    assert "cream cheese" in counts.index  # raw file: "cream cheese " (trailing space)
    assert not groceries["item"].str.strip().ne(groceries["item"]).any()
    assert not groceries.duplicated().any()


@requires_groceries
def test_groceries_rules_at_0005_0_5(groceries):
    itemsets, got = rules.mine_rules(groceries, min_support=0.005, min_confidence=0.5)
    assert len(got) == 120
    assert (got["n_consequent_items"] == 1).all()
    assert got.attrs["n_baskets"] == 9835
    _assert_sorted(got)
    _assert_bi_safe(got)
    _assert_equals_oracle(itemsets, got, _oracle(groceries, 0.005, 0.5, apriori))


@requires_groceries
def test_groceries_rules_at_0001_0_8(groceries):
    itemsets, got = rules.mine_rules(groceries, min_support=0.001, min_confidence=0.8)
    assert len(got) == 410
    top = got.iloc[0]
    assert top["antecedent"] == "liquor + red/blush wine"
    assert top["antecedent_items"] == ["liquor", "red/blush wine"]
    assert top["consequent"] == "bottled beer"
    assert round(top["lift"], 3) == 11.235
    assert got["is_conviction_infinite"].sum() > 0  # confidence-1 rules exist here
    assert got.loc[got["is_conviction_infinite"], "confidence"].eq(1.0).all()
    _assert_sorted(got)
    _assert_bi_safe(got)
    _assert_equals_oracle(itemsets, got, _oracle(groceries, 0.001, 0.8, fpgrowth))


@requires_groceries
def test_output_does_not_depend_on_input_order(groceries):
    a_sets, a_rules = rules.mine_rules(groceries, min_support=0.005, min_confidence=0.5)
    shuffled = groceries.sample(frac=1.0, random_state=7)
    b_sets, b_rules = rules.mine_rules(shuffled, min_support=0.005, min_confidence=0.5)
    pd.testing.assert_frame_equal(a_rules, b_rules)
    pd.testing.assert_frame_equal(a_sets, b_sets)


# --------------------------------------------------------------------------------------------
# hand-computed (no shared data needed)
# --------------------------------------------------------------------------------------------


FOUR_BASKETS = pd.DataFrame(
    {
        "basket_id": [1, 1, 2, 2, 2, 3, 3, 4, 4, 2, 4],
        "item": [
            "bread",
            "milk",
            "bread",
            "milk",
            "eggs",
            "bread",
            "eggs",
            "milk",
            "butter",
            "milk",  # duplicate line: counts once
            None,  # missing item: ignored
        ],
    }
)


def test_four_basket_example_by_hand():
    # supports: bread 3/4, milk 3/4, eggs 2/4, butter 1/4; bread+milk 2/4, bread+eggs 2/4
    itemsets, got = rules.mine_rules(FOUR_BASKETS, min_support=0.5, min_confidence=0.6)
    assert dict(zip(itemsets["itemset"], itemsets["support"], strict=True)) == {
        "bread": 0.75,
        "milk": 0.75,
        "eggs": 0.5,
        "bread + eggs": 0.5,
        "bread + milk": 0.5,
    }
    assert itemsets["itemset"].tolist() == ["bread", "milk", "eggs", "bread + eggs", "bread + milk"]
    assert itemsets["basket_count"].tolist() == [3, 3, 2, 2, 2]
    expected = pd.DataFrame(
        {
            "antecedent": ["eggs", "bread", "bread", "milk"],
            "consequent": ["bread", "eggs", "milk", "bread"],
            "support": [0.5, 0.5, 0.5, 0.5],
            "confidence": [1.0, 2 / 3, 2 / 3, 2 / 3],
            "lift": [4 / 3, 4 / 3, 8 / 9, 8 / 9],
            "leverage": [0.125, 0.125, -0.0625, -0.0625],
            "conviction": [np.nan, 1.5, 0.75, 0.75],
            "is_conviction_infinite": [True, False, False, False],
        }
    )
    pd.testing.assert_frame_equal(
        got[expected.columns].reset_index(drop=True), expected, check_exact=False, rtol=1e-12
    )
    assert got["basket_count"].tolist() == [2, 2, 2, 2]
    _assert_bi_safe(got)


def test_single_consequent_switch():
    _, single = rules.mine_rules(FOUR_BASKETS, min_support=0.25, min_confidence=0.5)
    _, multi = rules.mine_rules(
        FOUR_BASKETS, min_support=0.25, min_confidence=0.5, single_consequent=False
    )
    assert (single["n_consequent_items"] == 1).all()
    assert len(multi) > len(single)
    eggs = multi[(multi["antecedent"] == "eggs") & (multi["consequent"] == "bread + milk")]
    assert len(eggs) == 1
    assert eggs["consequent_items"].iloc[0] == ["bread", "milk"]
    assert eggs["confidence"].iloc[0] == pytest.approx(0.5)  # 1/4 / 2/4
    # butter => milk has confidence 1: infinite conviction, stored as NaN + flag
    bm = single[(single["antecedent"] == "butter") & (single["consequent"] == "milk")]
    assert bm["is_conviction_infinite"].item() and np.isnan(bm["conviction"].item())


def test_max_len_and_empty_results():
    itemsets, got = rules.mine_rules(FOUR_BASKETS, min_support=0.25, min_confidence=0.0, max_len=1)
    assert (itemsets["n_items"] == 1).all() and got.empty
    assert list(got.columns) == rules.RULE_COLUMNS
    itemsets, got = rules.mine_rules(FOUR_BASKETS, min_support=1.0, min_confidence=0.5)
    assert itemsets.empty and got.empty
    assert list(itemsets.columns) == rules.ITEMSET_COLUMNS
    _, got = rules.mine_rules(FOUR_BASKETS, min_support=0.5, min_confidence=1.0)
    assert got[["antecedent", "consequent"]].values.tolist() == [["eggs", "bread"]]
    with pytest.raises(ValueError):
        rules.mine_rules(FOUR_BASKETS, min_support=0.0, min_confidence=0.5)


def test_load_groceries_quirks(tmp_path):
    path = tmp_path / "baskets.csv"
    path.write_bytes(b"whole milk,cream cheese \r\n\r\nbeef,beef,,rolls/buns\r\n  \nsoda\n")
    got = rules.load_groceries(path)
    assert got.to_dict("list") == {
        "basket_id": [1, 1, 2, 2, 3],
        "item": ["whole milk", "cream cheese", "beef", "rolls/buns", "soda"],
    }


# --------------------------------------------------------------------------------------------
# mine_levels: the warehouse tables (product_association_rules / product_frequent_itemsets)
# --------------------------------------------------------------------------------------------

# Order lines: order o1 has two products of one category (toys), so at category level the
# basket holds 'toys' once.
ORDER_LINES = pd.DataFrame(
    {
        "order_id": ["o1", "o1", "o1", "o2", "o2", "o3", "o4", "o4"],
        "product_id": ["tent", "bag", "ball", "tent", "bag", "ball", "tent", "ball"],
        "category": ["camp", "camp", "toys", "camp", "camp", "toys", "camp", "toys"],
    }
)


def test_mine_levels_mines_each_level_on_the_same_baskets():
    itemsets, got = rules.mine_levels(
        ORDER_LINES,
        {"product": "product_id", "category": "category"},
        basket_col="order_id",
        min_support=0.5,
        min_confidence=0.6,
        max_len=2,
    )
    assert list(got.columns) == list(rules.LEVEL_RULE_DTYPES)
    assert got.dtypes.astype(str).to_dict() == rules.LEVEL_RULE_DTYPES
    assert itemsets.dtypes.astype(str).to_dict() == rules.LEVEL_ITEMSET_DTYPES
    assert (got["total_baskets"] == 4).all() and (itemsets["total_baskets"] == 4).all()
    # product level equals mine_rules on the product column, in the same order
    _, direct = rules.mine_rules(
        ORDER_LINES, min_support=0.5, min_confidence=0.6, max_len=2, basket_col="order_id",
        item_col="product_id",
    )  # fmt: skip
    product = got[got["level"] == "product"].reset_index(drop=True)
    assert product["rule_rank"].tolist() == list(range(1, len(direct) + 1))
    for col in ("antecedent", "consequent", "support", "confidence", "lift", "conviction"):
        pd.testing.assert_series_equal(product[col], direct[col].astype(product[col].dtype))
    # bag => tent: both in o1, o2; bag in 2, tent in 3 of 4 baskets
    bag_tent = product[(product["antecedent"] == "bag") & (product["consequent"] == "tent")]
    assert bag_tent["confidence"].item() == 1.0 and bag_tent["is_conviction_infinite"].item()
    assert np.isnan(bag_tent["conviction"].item())
    # category level: camp in o1, o2, o4 (3/4), toys in o1, o3, o4 (3/4), both in o1, o4
    cats = itemsets[itemsets["level"] == "category"]
    assert dict(zip(cats["itemset"], cats["basket_count"], strict=True)) == {
        "camp": 3,
        "toys": 3,
        "camp + toys": 2,
    }
    cat_rules = got[got["level"] == "category"]
    assert cat_rules[["antecedent", "consequent"]].values.tolist() == [
        ["camp", "toys"],
        ["toys", "camp"],
    ]
    assert cat_rules["confidence"].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert cat_rules["lift"].tolist() == pytest.approx([8 / 9, 8 / 9])


def test_mine_levels_empty_result_keeps_columns_and_dtypes():
    itemsets, got = rules.mine_levels(
        ORDER_LINES.head(0),
        {"product": "product_id", "category": "category"},
        basket_col="order_id",
        min_support=0.5,
        min_confidence=0.5,
    )
    assert got.empty and itemsets.empty
    assert got.dtypes.astype(str).to_dict() == rules.LEVEL_RULE_DTYPES
    assert itemsets.dtypes.astype(str).to_dict() == rules.LEVEL_ITEMSET_DTYPES
