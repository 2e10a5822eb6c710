"""Association rules (customer_behaviour.rules) against the published Groceries numbers and
mlxtend's dense path.

Tests marked with ``requires_groceries`` need /work/shared/data (``<repo>/../shared/data``);
the hand-computed examples at the bottom run on a fresh clone.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
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
        zip(
            -got["lift"],
            -got["confidence"],
            -got["support"],
            got["antecedent"],
            got["consequent"],
            strict=True,
        )
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


@requires_groceries
def test_rules_derived_from_the_stored_itemsets_equal_mining_again(groceries):
    """What the warehouse does: the itemsets go through DuckDB (a VARCHAR[] column, rows in
    any order) and the rules are derived from that table alone, identical to one run."""
    itemsets, expected = rules.mine_rules(groceries, min_support=0.001, min_confidence=0.8)
    con = duckdb.connect()
    stored = itemsets.assign(basket_count=itemsets["basket_count"].astype("int32"))
    read_back = con.from_df(stored).order("itemset desc").df()  # reversed row order
    assert isinstance(read_back["items"].iloc[0], np.ndarray)
    got = rules.rules_from_itemsets(read_back, n_baskets=9835, min_confidence=0.8)
    assert got.attrs["rules_found"] == len(got) == 410
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


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
# thresholds and bounds: a basket count floor, the itemset bound, the rule cap
# --------------------------------------------------------------------------------------------


def test_basket_count_threshold_is_the_share_as_mlxtend_compares_it():
    assert rules.basket_count_threshold(0.0015, 4657) == 7  # 6.99 baskets
    assert rules.basket_count_threshold(0.0015, 314) == 1
    assert rules.basket_count_threshold(0.5, 4) == 2  # exactly half: 2 baskets, not 3
    assert rules.basket_count_threshold(0.005, 9835) == 50  # 49.175
    assert rules.basket_count_threshold(1.0, 7) == 7
    for n in range(1, 400):
        for share in (0.001, 0.0015, 0.01, 0.02, 0.1, 0.3, 1 / 3, 0.7):
            count = rules.basket_count_threshold(share, n)
            assert count / n >= share and (count == 1 or (count - 1) / n < share)


def test_min_basket_count_and_share_the_larger_applies():
    # share 0.25 of 4 baskets = 1 basket; the floor of 2 decides: butter (1 basket) is out
    itemsets, got = rules.mine_rules(
        FOUR_BASKETS, min_support=0.25, min_basket_count=2, min_confidence=0.5
    )
    assert itemsets.attrs["min_count"] == itemsets.attrs["requested_min_count"] == 2
    assert itemsets["basket_count"].min() == 2
    assert "butter" not in set(itemsets["itemset"])
    same, _ = rules.mine_rules(FOUR_BASKETS, min_support=0.5, min_confidence=0.5)
    pd.testing.assert_frame_equal(itemsets, same)
    # the share decides when it is the larger
    itemsets, _ = rules.mine_rules(
        FOUR_BASKETS, min_support=0.75, min_basket_count=2, min_confidence=0.5
    )
    assert itemsets.attrs["min_count"] == 3 and itemsets["itemset"].tolist() == ["bread", "milk"]
    with pytest.raises(ValueError):
        rules.frequent_itemsets(FOUR_BASKETS, min_support=0.5, min_basket_count=0)


# Nested baskets: basket j holds items i0 .. i(j-1), j = 1..10. Item m is in 10 - m baskets, an
# itemset in 10 - (its largest index) baskets, so at a count of k the frequent itemsets are all
# the non-empty subsets of i0 .. i(10-k): 2^(11-k) - 1 of them.
NESTED = pd.DataFrame(
    [(j, f"i{m}") for j in range(1, 11) for m in range(j)], columns=["basket_id", "item"]
)


def test_itemset_bound_raises_the_count_to_the_smallest_that_fits():
    unbounded = rules.frequent_itemsets(NESTED, min_support=0.1)
    assert len(unbounded) == 2**10 - 1 and unbounded.attrs["min_count"] == 1
    # at most 100: 2^7 - 1 = 127 at a count of 4 is too many, 2^6 - 1 = 63 at 5 fits
    got = rules.frequent_itemsets(NESTED, min_support=0.1, max_itemsets=100)
    assert got.attrs["requested_min_count"] == 1 and got.attrs["min_count"] == 5
    assert len(got) == 63
    expected = unbounded[unbounded["basket_count"] >= 5].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    # a bound that is exactly met raises nothing
    fits = rules.frequent_itemsets(NESTED, min_support=0.1, min_basket_count=5, max_itemsets=63)
    assert fits.attrs["min_count"] == 5 and len(fits) == 63
    # with max_len the bound counts only the itemsets mined: items and pairs of i0 .. i(10-k)
    pairs = rules.frequent_itemsets(NESTED, min_support=0.1, max_len=2, max_itemsets=30)
    assert pairs.attrs["min_count"] == 4  # 7 + 21 = 28; at 3: 8 + 28 = 36
    assert len(pairs) == 28


def test_itemset_bound_on_a_blow_up_like_a_short_extract():
    """Twelve copies of one 40-item order and 300 small ones: at a count of 1 every subset
    of the big order is frequent (10,700 itemsets of up to 3 items); the bound lifts the
    count above 12, where only the small orders' items remain."""
    big = [(b, f"big{m:02d}") for b in range(12) for m in range(40)]
    small = [(100 + b, f"s{b % 7}") for b in range(300)] + [
        (100 + b, f"s{(b + 1) % 7}") for b in range(0, 300, 2)
    ]
    baskets = pd.DataFrame(big + small, columns=["basket_id", "item"])
    got = rules.frequent_itemsets(baskets, min_support=0.001, max_len=3, max_itemsets=1000)
    assert got.attrs["min_count"] == 13
    assert not got["itemset"].str.startswith("big").any()
    assert len(got) <= 1000
    unbounded = rules.frequent_itemsets(baskets, min_support=0.001, max_len=3)
    assert len(unbounded) > 10_700
    at_12 = unbounded[unbounded["basket_count"] >= 12]
    assert len(at_12) > 1000  # so 13 is the smallest count that fits


@pytest.mark.parametrize("pair_work", [0, 50])
def test_itemset_bound_does_not_depend_on_counting_pairs_first(monkeypatch, pair_work):
    """Counting pairs first only saves attempts: without it (too much work) the count found
    is the same."""
    monkeypatch.setattr(rules, "_PAIR_WORK_PER_ITEMSET", pair_work)
    got = rules.frequent_itemsets(NESTED, min_support=0.1, max_len=3, max_itemsets=40)
    # at a count of k: m = 11 - k items, m + C(m, 2) + C(m, 3) itemsets; 6 items: 41, 5: 25
    assert got.attrs["min_count"] == 6 and len(got) == 25


def test_max_rules_keeps_the_first_rules_and_counts_them_all():
    _, everything = rules.mine_rules(FOUR_BASKETS, min_support=0.25, min_confidence=0.0)
    _, capped = rules.mine_rules(FOUR_BASKETS, min_support=0.25, min_confidence=0.0, max_rules=3)
    # 4 pairs (bread+milk, bread+eggs, milk+eggs, milk+butter) give 2 rules each, the triple
    # bread+milk+eggs 3
    assert everything.attrs["rules_found"] == len(everything) == 11
    assert capped.attrs["rules_found"] == 11 and len(capped) == 3
    pd.testing.assert_frame_equal(capped, everything.head(3))


def test_confidence_exactly_at_the_threshold_is_kept():
    """7 of the 35 baskets with A also hold C: confidence 1/5, exactly the threshold 0.2. The
    rule is kept (counts are compared, 7 / 35 is 0.2 in floating point). mlxtend computes
    (support * n) / (support(A) * n) and gets just below 0.2, so its association_rules would
    drop it."""
    baskets = pd.DataFrame(
        [(b, "A") for b in range(35)]
        + [(b, "C") for b in range(7)]
        + [(b, "C") for b in range(100, 120)]
        + [(b, "x") for b in [*range(35, 100), *range(120, 314)]],
        columns=["basket_id", "item"],
    )
    _, got = rules.mine_rules(baskets, min_support=0.001, min_confidence=0.2)
    assert got.attrs["n_baskets"] == 314
    a_c = got[(got["antecedent"] == "A") & (got["consequent"] == "C")]
    assert a_c["confidence"].item() == 0.2 and a_c["basket_count"].item() == 7
    assert (7 / 314 * 314) / (35 / 314 * 314) < 0.2


def test_rules_need_every_subset_of_an_itemset():
    itemsets = rules.frequent_itemsets(FOUR_BASKETS, min_support=0.5)
    without_eggs = itemsets[itemsets["itemset"] != "eggs"]
    with pytest.raises(ValueError, match="every subset"):
        rules.rules_from_itemsets(without_eggs, n_baskets=4, min_confidence=0.5)


# --------------------------------------------------------------------------------------------
# the warehouse tables: product_frequent_itemsets (itemset_levels) and
# product_association_rules (rule_levels, derived from the first)
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
LEVELS = {"product": "product_id", "category": "category"}


def _levels(**kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = {"min_support": 0.5, "min_basket_count": 1, "max_len": 2, **kwargs}
    confidence = settings.pop("min_confidence", 0.6)
    max_rules = settings.pop("max_rules", 0)
    itemsets = rules.itemset_levels(ORDER_LINES, LEVELS, basket_col="order_id", **settings)
    got = rules.rule_levels(itemsets, min_confidence=confidence, max_rules=max_rules)
    return itemsets, got


def test_levels_mine_each_level_once_on_the_same_baskets():
    itemsets, got = _levels()
    assert list(got.columns) == list(rules.LEVEL_RULE_DTYPES)
    assert got.dtypes.astype(str).to_dict() == rules.LEVEL_RULE_DTYPES
    assert itemsets.dtypes.astype(str).to_dict() == rules.LEVEL_ITEMSET_DTYPES
    assert (got["total_baskets"] == 4).all() and (itemsets["total_baskets"] == 4).all()
    assert (itemsets["min_basket_count"] == 2).all()
    assert not itemsets["is_min_basket_count_raised"].any()
    assert itemsets.attrs["messages"] == [] and got.attrs["messages"] == []
    # product level equals mine_rules on the product column, in the same order
    _, direct = rules.mine_rules(
        ORDER_LINES, min_support=0.5, min_confidence=0.6, max_len=2, basket_col="order_id",
        item_col="product_id",
    )  # fmt: skip
    product = got[got["level"] == "product"].reset_index(drop=True)
    assert product["rule_rank"].tolist() == list(range(1, len(direct) + 1))
    assert (product["rules_found"] == len(direct)).all()
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
    assert cats["items"].tolist() == [["camp"], ["toys"], ["camp", "toys"]]
    cat_rules = got[got["level"] == "category"]
    assert cat_rules[["antecedent", "consequent"]].values.tolist() == [
        ["camp", "toys"],
        ["toys", "camp"],
    ]
    assert cat_rules["confidence"].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert cat_rules["lift"].tolist() == pytest.approx([8 / 9, 8 / 9])


def test_levels_report_a_raised_count_and_rules_left_out():
    itemsets, got = _levels(min_support=0.25, max_itemsets=4, max_rules=1, min_confidence=0.5)
    # product: tent 3, ball 3, bag 2, tent+bag 2, tent+ball 2, bag+ball 1 (6 at a count of 1,
    # 5 at 2, 2 at 3): raised to 3. category: camp, toys, camp+toys (3 <= 4): not raised.
    product = itemsets[itemsets["level"] == "product"]
    assert product["itemset"].tolist() == ["ball", "tent"]
    assert (product["min_basket_count"] == 3).all() and product["is_min_basket_count_raised"].all()
    category = itemsets[itemsets["level"] == "category"]
    assert (category["min_basket_count"] == 1).all()
    assert not category["is_min_basket_count_raised"].any()
    [raised] = itemsets.attrs["messages"]
    assert "level product" in raised and "association_max_itemsets" in raised
    assert "at least 1 of 4 baskets" in raised and "at least 3 baskets instead" in raised
    # rules: none at product level (no pair is left), 2 at category level, 1 published
    assert got["level"].tolist() == ["category"]
    assert got["rules_found"].tolist() == [2] and got["rule_rank"].tolist() == [1]
    [left_out] = got.attrs["messages"]
    assert "level category: 2 rules" in left_out and "the 1 with the highest lift" in left_out
    assert "association_max_rules to 0" in left_out


def test_levels_empty_result_keeps_columns_and_dtypes():
    itemsets = rules.itemset_levels(
        ORDER_LINES.head(0), LEVELS, basket_col="order_id", min_support=0.5
    )
    got = rules.rule_levels(itemsets, min_confidence=0.5)
    assert got.empty and itemsets.empty
    assert got.dtypes.astype(str).to_dict() == rules.LEVEL_RULE_DTYPES
    assert itemsets.dtypes.astype(str).to_dict() == rules.LEVEL_ITEMSET_DTYPES
    con = duckdb.connect()
    relation = rules.itemsets_relation(con, itemsets)
    assert (
        dict(zip(relation.columns, map(str, relation.types), strict=True))["items"] == "VARCHAR[]"
    )
