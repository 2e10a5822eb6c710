"""Association rules (market-basket analysis) on long-format baskets.

``mine_rules`` takes one row per (basket, item), builds a scipy sparse one-hot matrix (never a
dense baskets x items matrix of our own), runs mlxtend's ``fpgrowth`` on a sparse DataFrame
(``pd.DataFrame.sparse.from_spmatrix``) and mlxtend's ``association_rules`` on the frequent
itemsets. Items below ``min_support`` are dropped before the DataFrame is built: they cannot be
in a frequent itemset, and mlxtend's ``fpgrowth`` densifies its input once to count item
supports (``df.values``), so its transient memory is n_baskets x n_frequent_items bytes rather
than n_baskets x n_items. Baskets are never dropped, so supports are fractions of all baskets.

Output conventions (stable, BI-safe):

* an itemset / rule side is written as its items sorted by Python string order and joined with
  ``ITEM_SEPARATOR`` (" + "), e.g. ``"liquor + red/blush wine"``; the ``*_items`` list columns
  hold the same items as lists and are the unambiguous form (an item name may itself contain
  " + ").
* ``single_consequent=True`` keeps only rules with exactly one item on the right-hand side
  (arules' convention, used by the published rule counts).
* metrics are mlxtend's: support(A => C) = support(A u C); confidence = support / support(A);
  lift = confidence / support(C); leverage = support - support(A) support(C);
  conviction = (1 - support(C)) / (1 - confidence). Conviction is infinite when confidence is
  1: such rules get ``conviction = NaN`` (NULL in the warehouse) and
  ``is_conviction_infinite = True``; no column ever holds inf.
* rules are sorted by lift desc, confidence desc, antecedent, consequent (strings, asc);
  itemsets by support desc, size asc, itemset string asc.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth
from scipy import sparse

__all__ = [
    "ITEM_SEPARATOR",
    "ITEMSET_COLUMNS",
    "RULE_COLUMNS",
    "LEVEL_ITEMSET_DTYPES",
    "LEVEL_RULE_DTYPES",
    "load_groceries",
    "mine_levels",
    "mine_rules",
]

ITEM_SEPARATOR = " + "

ITEMSET_COLUMNS = ["itemset", "items", "n_items", "support", "basket_count"]
RULE_COLUMNS = [
    "antecedent",
    "consequent",
    "antecedent_items",
    "consequent_items",
    "n_antecedent_items",
    "n_consequent_items",
    "antecedent_support",
    "consequent_support",
    "support",
    "basket_count",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "is_conviction_infinite",
]


def load_groceries(path: str | Path) -> pd.DataFrame:
    """Read the Groceries CSV (one basket per line, items separated by commas).

    Returns long format: ``basket_id`` (1-based, in file order, counting non-blank lines only)
    and ``item``. Quirks handled: the file ends with a newline (a blank last line), two item
    names carry a trailing space in the raw file ("cream cheese ", "roll products ") and are
    stripped, empty fields are dropped, an item repeated within a basket is kept once, and CRLF
    line endings are accepted. There is no header and no quoting in the file.
    """
    text = Path(path).read_text(encoding="utf-8")
    basket_ids: list[int] = []
    items: list[str] = []
    basket_id = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        basket_id += 1
        seen: set[str] = set()
        for raw in line.split(","):
            item = raw.strip()
            if item and item not in seen:
                seen.add(item)
                basket_ids.append(basket_id)
                items.append(item)
    return pd.DataFrame(
        {"basket_id": np.asarray(basket_ids, dtype="int64"), "item": pd.Series(items, dtype=object)}
    )


def _join(items: list[str]) -> str:
    return ITEM_SEPARATOR.join(items)


def _empty_rules() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RULE_COLUMNS})


def _empty_itemsets() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ITEMSET_COLUMNS})


def mine_rules(
    baskets: pd.DataFrame,
    *,
    min_support: float,
    min_confidence: float,
    max_len: int | None = None,
    single_consequent: bool = True,
    basket_col: str = "basket_id",
    item_col: str = "item",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frequent itemsets and association rules from long-format baskets.

    ``baskets`` has one row per (basket, item); duplicate rows count once, rows with a missing
    item are ignored, a basket whose items are all missing still counts as a basket. Returns
    ``(itemsets, rules)`` with columns ``ITEMSET_COLUMNS`` / ``RULE_COLUMNS`` (see module
    docstring); ``attrs`` of both hold ``n_baskets``, ``n_items`` and the thresholds.
    """
    if not 0 < min_support <= 1:
        raise ValueError("min_support must be in (0, 1]")
    if not 0 <= min_confidence <= 1:
        raise ValueError("min_confidence must be in [0, 1]")
    if max_len is not None and max_len < 1:
        raise ValueError("max_len must be >= 1")

    basket_codes, _ = pd.factorize(baskets[basket_col], sort=True, use_na_sentinel=True)
    if np.any(basket_codes < 0):
        raise ValueError(f"{basket_col} has missing values")
    n_baskets = int(basket_codes.max()) + 1 if basket_codes.size else 0
    items = baskets[item_col]
    present = items.notna().to_numpy()
    item_codes, item_names = pd.factorize(items[present].astype(str), sort=True)
    basket_codes = basket_codes[present]
    n_items = len(item_names)
    attrs = {
        "n_baskets": n_baskets,
        "n_items": n_items,
        "min_support": min_support,
        "min_confidence": min_confidence,
        "max_len": max_len,
        "single_consequent": single_consequent,
    }

    if n_baskets == 0 or n_items == 0:
        itemsets, rules = _empty_itemsets(), _empty_rules()
        itemsets.attrs.update(attrs)
        rules.attrs.update(attrs)
        return itemsets, rules

    onehot = sparse.csr_matrix(
        (np.ones(item_codes.shape[0], dtype=bool), (basket_codes, item_codes)),
        shape=(n_baskets, n_items),
    )
    onehot.sum_duplicates()  # duplicate (basket, item) rows: True + True is still True
    item_counts = np.asarray(onehot.sum(axis=0)).ravel()
    # same comparison as mlxtend (count / n >= min_support), so the boundary agrees exactly
    frequent = np.flatnonzero(item_counts / float(n_baskets) >= min_support)
    if frequent.size == 0:
        itemsets, rules = _empty_itemsets(), _empty_rules()
        itemsets.attrs.update(attrs)
        rules.attrs.update(attrs)
        return itemsets, rules

    onehot = onehot[:, frequent].tocsc()
    sdf = pd.DataFrame.sparse.from_spmatrix(onehot, columns=list(item_names[frequent]))
    freq_itemsets = fpgrowth(sdf, min_support=min_support, use_colnames=True, max_len=max_len)
    del sdf, onehot

    itemsets = _itemsets_frame(freq_itemsets, n_baskets)
    itemsets.attrs.update(attrs)
    rules = _rules_frame(freq_itemsets, n_baskets, min_confidence, single_consequent)
    rules.attrs.update(attrs)
    return itemsets, rules


def _itemsets_frame(freq_itemsets: pd.DataFrame, n_baskets: int) -> pd.DataFrame:
    item_lists = [sorted(s) for s in freq_itemsets["itemsets"]]
    support = freq_itemsets["support"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "itemset": [_join(s) for s in item_lists],
            "items": item_lists,
            "n_items": np.array([len(s) for s in item_lists], dtype="int64"),
            "support": support,
            "basket_count": np.rint(support * n_baskets).astype("int64"),
        }
    )
    out = out.sort_values(
        ["support", "n_items", "itemset"], ascending=[False, True, True], kind="mergesort"
    )
    return out.reset_index(drop=True)


def _rules_frame(
    freq_itemsets: pd.DataFrame, n_baskets: int, min_confidence: float, single_consequent: bool
) -> pd.DataFrame:
    if not (freq_itemsets["itemsets"].map(len) > 1).any():
        return _empty_rules()
    raw = association_rules(
        freq_itemsets,
        num_itemsets=n_baskets,
        metric="confidence",
        min_threshold=min_confidence,
    )
    if single_consequent and len(raw):
        raw = raw[raw["consequents"].map(len) == 1]
    if raw.empty:
        return _empty_rules()

    ante = [sorted(s) for s in raw["antecedents"]]
    cons = [sorted(s) for s in raw["consequents"]]
    conviction = raw["conviction"].to_numpy(dtype=float)
    infinite = np.isinf(conviction)
    support = raw["support"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "antecedent": [_join(s) for s in ante],
            "consequent": [_join(s) for s in cons],
            "antecedent_items": ante,
            "consequent_items": cons,
            "n_antecedent_items": np.array([len(s) for s in ante], dtype="int64"),
            "n_consequent_items": np.array([len(s) for s in cons], dtype="int64"),
            "antecedent_support": raw["antecedent support"].to_numpy(dtype=float),
            "consequent_support": raw["consequent support"].to_numpy(dtype=float),
            "support": support,
            "basket_count": np.rint(support * n_baskets).astype("int64"),
            "confidence": raw["confidence"].to_numpy(dtype=float),
            "lift": raw["lift"].to_numpy(dtype=float),
            "leverage": raw["leverage"].to_numpy(dtype=float),
            "conviction": np.where(infinite, np.nan, conviction),
            "is_conviction_infinite": infinite,
        }
    )
    out = out.sort_values(
        ["lift", "confidence", "antecedent", "consequent"],
        ascending=[False, False, True, True],
        kind="mergesort",
    )
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# warehouse tables: what the dbt Python models product_association_rules and
# product_frequent_itemsets return
# --------------------------------------------------------------------------------------------

#: product_association_rules: one row per (level, antecedent, consequent); rule_rank 1 is the
#: highest lift within the level (ties: confidence, then antecedent and consequent text).
LEVEL_RULE_DTYPES: dict[str, str] = {
    "level": "str",
    "rule_rank": "int32",
    "antecedent": "str",
    "consequent": "str",
    "n_antecedent_items": "int32",
    "n_consequent_items": "int32",
    "antecedent_support": "float64",
    "consequent_support": "float64",
    "support": "float64",
    "basket_count": "int32",
    "total_baskets": "int32",
    "confidence": "float64",
    "lift": "float64",
    "leverage": "float64",
    "conviction": "float64",  # NaN (NULL in DuckDB) where infinite
    "is_conviction_infinite": "bool",
}

#: product_frequent_itemsets: one row per (level, itemset); itemset_rank 1 is the most
#: frequent within the level (ties: fewer items, then itemset text).
LEVEL_ITEMSET_DTYPES: dict[str, str] = {
    "level": "str",
    "itemset_rank": "int32",
    "itemset": "str",
    "n_items": "int32",
    "support": "float64",
    "basket_count": "int32",
    "total_baskets": "int32",
}


def mine_levels(
    lines: pd.DataFrame,
    levels: dict[str, str],
    *,
    basket_col: str,
    min_support: float,
    min_confidence: float,
    max_len: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``mine_rules`` once per level on the same baskets: ``(itemsets, rules)`` with a
    ``level`` column, typed as ``LEVEL_ITEMSET_DTYPES`` / ``LEVEL_RULE_DTYPES``.

    ``lines`` has one row per (basket, item of the finest level); ``levels`` maps a level name
    to the column holding that level's item (e.g. ``{"product": "product_id", "category":
    "category"}``), so a basket with two products of one category holds that category once.
    Rows come level by level in the order of ``levels``, each in ``mine_rules``' order, with
    a 1-based rank. The thresholds are the same at every level; supports are shares of all
    baskets (``total_baskets``) at every level.
    """
    itemset_frames, rule_frames = [], []
    for level, item_col in levels.items():
        itemsets, level_rules = mine_rules(
            lines[[basket_col, item_col]],
            min_support=min_support,
            min_confidence=min_confidence,
            max_len=max_len,
            basket_col=basket_col,
            item_col=item_col,
        )
        n_baskets = itemsets.attrs["n_baskets"]
        itemsets = itemsets.drop(columns="items")
        itemsets.insert(0, "level", level)
        itemsets.insert(1, "itemset_rank", np.arange(1, len(itemsets) + 1))
        itemsets["total_baskets"] = n_baskets
        itemset_frames.append(itemsets)
        level_rules = level_rules.drop(columns=["antecedent_items", "consequent_items"])
        level_rules.insert(0, "level", level)
        level_rules.insert(1, "rule_rank", np.arange(1, len(level_rules) + 1))
        level_rules["total_baskets"] = n_baskets
        rule_frames.append(level_rules)
    itemsets = _typed_frame(itemset_frames, LEVEL_ITEMSET_DTYPES)
    level_rules = _typed_frame(rule_frames, LEVEL_RULE_DTYPES)
    return itemsets, level_rules


def _typed_frame(frames: list[pd.DataFrame], dtypes: dict[str, str]) -> pd.DataFrame:
    frames = [f[list(dtypes)] for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    out = pd.concat(frames, ignore_index=True)
    return out.astype(dtypes)
