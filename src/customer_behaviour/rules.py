"""Association rules (market-basket analysis) on long-format baskets, mined once.

Two steps, each usable alone:

* ``frequent_itemsets`` takes one row per (basket, item) and returns every itemset found in at
  least ``min_count`` baskets, where ``min_count`` is the larger of the share
  (``basket_count_threshold(min_support, n_baskets)``: the smallest count c with
  c / n_baskets >= min_support, mlxtend's comparison) and ``min_basket_count``. It builds a
  scipy sparse one-hot matrix, drops the items below ``min_count`` (they cannot be in a
  frequent itemset; baskets are never dropped, so supports are shares of all baskets), fills
  mlxtend's FP-tree (``fpcommon.FPTree``) from the sparse rows and runs mlxtend's FP-growth
  recursion (``fpgrowth.fpg_step``) on it: the itemsets of mlxtend's ``fpgrowth``, without its
  dense copy of the one-hot matrix.
* ``rules_from_itemsets`` derives the rules from such an itemsets table alone. Every subset of
  a frequent itemset is frequent, so the antecedent's and the consequent's basket counts are
  rows of the same table; nothing is mined again. The warehouse mines once
  (``product_frequent_itemsets``) and derives its rules from that table
  (``product_association_rules``).

Bounds, never silent:

* ``max_itemsets``: when more itemsets than that would be frequent at ``min_count`` (a few
  hundred baskets of one wholesale shop, where an itemset of 3 baskets is "frequent", gave
  millions), mining stops at ``max_itemsets + 1`` and ``min_count`` is raised to the smallest
  count at which at most ``max_itemsets`` itemsets are frequent (``attrs`` say so). The frequent
  items and pairs are counted exactly first (sparse ``X.T @ X``), which rules out every count
  at which they alone exceed the bound; the rest is a doubling and then a binary search, each
  attempt stopped at ``max_itemsets + 1`` itemsets, so memory stays bounded.
* ``max_rules``: only the first ``max_rules`` rules in the order below are returned;
  ``attrs["rules_found"]`` holds how many met the thresholds.

Output conventions (stable, BI-safe):

* an itemset / rule side is written as its items sorted by Python string order and joined with
  ``ITEM_SEPARATOR`` (" + "), e.g. ``"liquor + red/blush wine"``; the ``items`` /
  ``*_items`` list columns hold the same items as lists and are the unambiguous form (an item
  name may itself contain " + ").
* ``single_consequent=True`` keeps only rules with exactly one item on the right-hand side
  (arules' convention, used by the published rule counts).
* metrics are mlxtend's, computed from basket counts: support(A => C) = count(A u C) / baskets;
  confidence = count(A u C) / count(A); lift = count(A u C) baskets / (count(A) count(C)) (one
  rounding, so A => C and C => A have the same lift to the last bit); leverage = support -
  support(A) support(C); conviction = (1 - support(C)) / (1 - confidence). Conviction is
  infinite when confidence is 1: such rules get ``conviction = NaN`` (NULL in the warehouse)
  and ``is_conviction_infinite = True``; no column ever holds inf.
* rules are sorted by lift desc, confidence desc, support desc, antecedent, consequent
  (strings, asc); itemsets by support desc, size asc, itemset string asc. The output does not
  depend on the order of the input rows.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns.fpcommon import FPTree
from mlxtend.frequent_patterns.fpgrowth import fpg_step
from scipy import sparse

__all__ = [
    "ITEM_SEPARATOR",
    "ITEMSET_COLUMNS",
    "RULE_COLUMNS",
    "LEVEL_ITEMSET_DTYPES",
    "LEVEL_RULE_DTYPES",
    "basket_count_threshold",
    "emit_warnings",
    "frequent_itemsets",
    "itemset_levels",
    "itemsets_relation",
    "load_groceries",
    "mine_rules",
    "rule_levels",
    "rules_from_itemsets",
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


def basket_count_threshold(min_support: float, n_baskets: int) -> int:
    """The smallest basket count c with c / n_baskets >= min_support, in floating point as
    mlxtend compares (so a share of exactly k / n_baskets means k baskets)."""
    if not 0 < min_support <= 1:
        raise ValueError("min_support must be in (0, 1]")
    if n_baskets <= 0:
        return 1
    count = max(int(np.ceil(min_support * n_baskets)), 1)
    while count > 1 and (count - 1) / float(n_baskets) >= min_support:
        count -= 1
    while count / float(n_baskets) < min_support:
        count += 1
    return count


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _onehot(
    baskets: pd.DataFrame, basket_col: str, item_col: str
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Baskets x items boolean matrix (rows and columns in sorted order) and the item names."""
    basket_codes, _ = pd.factorize(baskets[basket_col], sort=True, use_na_sentinel=True)
    if np.any(basket_codes < 0):
        raise ValueError(f"{basket_col} has missing values")
    n_baskets = int(basket_codes.max()) + 1 if basket_codes.size else 0
    items = baskets[item_col]
    present = items.notna().to_numpy()
    item_codes, item_names = pd.factorize(items[present].astype(str), sort=True)
    onehot = sparse.csr_matrix(
        (np.ones(item_codes.shape[0], dtype=bool), (basket_codes[present], item_codes)),
        shape=(n_baskets, len(item_names)),
    )
    onehot.sum_duplicates()  # duplicate (basket, item) rows: True + True is still True
    return onehot, np.asarray(item_names, dtype=object)


def _fp_growth(
    onehot: sparse.csr_matrix,
    item_counts: np.ndarray,
    min_count: int,
    max_len: int | None,
    limit: int | None,
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Every itemset in at least ``min_count`` baskets: (item codes of each, basket counts),
    or None as soon as there are more than ``limit``.

    mlxtend's ``fpgrowth`` minus its set-up: the FP-tree is filled from the sparse rows, items
    ranked by count (ties by item code, so the tree is the same on every run), and mlxtend's
    recursion ``fpg_step`` is consumed lazily so it can be stopped.
    """
    frequent = np.flatnonzero(item_counts >= min_count)
    if frequent.size == 0:
        return [], np.zeros(0, dtype=np.int64)
    order = frequent[np.lexsort((frequent, item_counts[frequent]))]  # rarest first
    ranked = onehot[:, order].tocsr()  # column j = the item of rank j
    ranked.sort_indices()
    tree = FPTree({rank: rank for rank in range(order.size)})
    indptr, indices = ranked.indptr, ranked.indices
    for row in range(ranked.shape[0]):
        # most frequent first, as mlxtend inserts
        tree.insert_itemset(indices[indptr[row] : indptr[row + 1]][::-1].tolist())
    found = fpg_step(tree, min_count, None, max_len, 0)
    if limit is not None:
        found = itertools.islice(found, limit + 1)
    pairs = list(found)
    if limit is not None and len(pairs) > limit:
        return None
    counts = np.fromiter((count for count, _ in pairs), dtype=np.int64, count=len(pairs))
    return [np.sort(order[ranks]) for _, ranks in pairs], counts


def _counts_allowing(
    onehot: sparse.csr_matrix,
    item_counts: np.ndarray,
    min_count: int,
    max_len: int | None,
    limit: int,
) -> int:
    """The smallest count >= min_count at which the frequent items and pairs alone number at
    most ``limit`` (a lower bound for the count that allows at most ``limit`` itemsets).

    Pairs are counted (sparse ``X.T @ X``) only over the items that can be frequent at all (at
    most ``limit`` of them) and only when that product is small (its work is the pairs of items
    within each basket); otherwise the bound is the items' alone."""
    singles = np.sort(item_counts[item_counts >= min_count])
    floor = max(min_count, int(singles[-limit - 1]) + 1 if singles.size > limit else min_count)
    pairs = np.zeros(0, dtype=np.int64)
    if max_len is None or max_len >= 2:
        sub = onehot[:, np.flatnonzero(item_counts >= floor)].tocsr()
        per_basket = np.diff(sub.indptr).astype(np.int64)
        if (per_basket * (per_basket - 1) // 2).sum() <= _PAIR_WORK_PER_ITEMSET * limit:
            together = sparse.triu(sub.T.astype(np.int64) @ sub.astype(np.int64), k=1).tocoo()
            pairs = np.sort(together.data[together.data >= floor])
    # the total only drops just above an observed count
    candidates = np.unique(np.concatenate([[floor], singles + 1, pairs + 1]))
    candidates = candidates[candidates >= floor]
    totals = (singles.size - np.searchsorted(singles, candidates)) + (
        pairs.size - np.searchsorted(pairs, candidates)
    )
    return int(candidates[np.argmax(totals <= limit)])


#: _counts_allowing counts pairs when the baskets' pairs of items number at most this many
#: times the itemset bound (50 x 100,000 pairs: about 100 MB for the sparse product).
_PAIR_WORK_PER_ITEMSET = 50


def _mine_within(
    onehot: sparse.csr_matrix,
    item_counts: np.ndarray,
    min_count: int,
    max_len: int | None,
    limit: int | None,
) -> tuple[int, list[np.ndarray], np.ndarray]:
    """(count used, itemsets, counts): at ``min_count`` when that gives at most ``limit``
    itemsets, else at the smallest count that does."""
    found = _fp_growth(onehot, item_counts, min_count, max_len, limit)
    if found is not None:
        return min_count, *found
    assert limit is not None
    low = min_count  # a count known to give too many itemsets
    high = max(min_count + 1, _counts_allowing(onehot, item_counts, min_count, max_len, limit))
    low = max(low, high - 1)
    while (found := _fp_growth(onehot, item_counts, high, max_len, limit)) is None:
        low, high = high, 2 * high  # ends: above the largest item count nothing is frequent
    while high - low > 1:
        middle = (low + high) // 2
        attempt = _fp_growth(onehot, item_counts, middle, max_len, limit)
        if attempt is None:
            low = middle
        else:
            high, found = middle, attempt
    return high, *found


def frequent_itemsets(
    baskets: pd.DataFrame,
    *,
    min_support: float,
    min_basket_count: int = 1,
    max_len: int | None = None,
    max_itemsets: int | None = None,
    basket_col: str = "basket_id",
    item_col: str = "item",
) -> pd.DataFrame:
    """Frequent itemsets of long-format baskets (columns ``ITEMSET_COLUMNS``).

    ``baskets`` has one row per (basket, item); duplicate rows count once, rows with a missing
    item are ignored, a basket whose items are all missing still counts as a basket. An itemset
    is frequent when it is in at least ``max(basket_count_threshold(min_support, n),
    min_basket_count)`` baskets, with at most ``max_len`` items. ``max_itemsets`` (None = no
    bound) raises that count when needed (module docstring). ``attrs``: ``n_baskets``,
    ``n_items``, the arguments, ``requested_min_count`` and ``min_count`` (the count used;
    larger only when the bound raised it).
    """
    if min_basket_count < 1:
        raise ValueError("min_basket_count must be >= 1")
    if max_len is not None and max_len < 1:
        raise ValueError("max_len must be >= 1")
    if max_itemsets is not None and max_itemsets < 1:
        raise ValueError("max_itemsets must be >= 1 (None = no bound)")
    onehot, item_names = _onehot(baskets, basket_col, item_col)
    n_baskets = onehot.shape[0]
    requested = max(basket_count_threshold(min_support, n_baskets), min_basket_count)
    item_counts = np.asarray(onehot.sum(axis=0, dtype=np.int64)).ravel()
    min_count, itemsets, counts = _mine_within(
        onehot, item_counts, requested, max_len, max_itemsets
    )
    if itemsets:
        item_lists = [item_names[codes].tolist() for codes in itemsets]
        out = pd.DataFrame(
            {
                "itemset": [ITEM_SEPARATOR.join(items) for items in item_lists],
                "items": item_lists,
                "n_items": np.fromiter(map(len, item_lists), np.int64, count=len(item_lists)),
                "support": counts / float(n_baskets),
                "basket_count": counts,
            }
        )
        out = out.sort_values(
            ["support", "n_items", "itemset"], ascending=[False, True, True], kind="mergesort"
        ).reset_index(drop=True)
    else:
        out = _empty(ITEMSET_COLUMNS)
    out.attrs.update(
        n_baskets=n_baskets,
        n_items=len(item_names),
        min_support=min_support,
        min_basket_count=min_basket_count,
        max_len=max_len,
        max_itemsets=max_itemsets,
        requested_min_count=requested,
        min_count=min_count,
    )
    return out


def _by_size(itemsets: pd.DataFrame) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Item names and, per itemset size, (item codes sorted within each row, basket counts),
    rows in a canonical order (so nothing depends on the order of the input rows)."""
    item_lists = [list(items) for items in itemsets["items"]]
    sizes = np.fromiter(map(len, item_lists), np.int64, count=len(item_lists))
    flat = pd.Series(list(itertools.chain.from_iterable(item_lists)), dtype=object)
    codes, names = pd.factorize(flat, sort=True)
    starts = np.cumsum(sizes) - sizes
    counts = itemsets["basket_count"].to_numpy(dtype=np.int64)
    out = {}
    for size in np.unique(sizes):
        rows = np.flatnonzero(sizes == size)
        matrix = np.sort(codes[starts[rows, None] + np.arange(size)], axis=1)
        order = np.lexsort(matrix.T[::-1])
        out[int(size)] = (matrix[order], counts[rows][order])
    return np.asarray(names, dtype=object), out


def _index(matrix: np.ndarray) -> pd.Index:
    return (
        pd.MultiIndex.from_arrays(list(matrix.T)) if matrix.shape[1] > 1 else pd.Index(matrix[:, 0])
    )


def _texts(names: np.ndarray, codes: np.ndarray) -> np.ndarray:
    parts = names[codes]
    out = parts[:, 0].copy()
    for j in range(1, parts.shape[1]):
        out = out + ITEM_SEPARATOR + parts[:, j]
    return out


def rules_from_itemsets(
    itemsets: pd.DataFrame,
    *,
    n_baskets: int,
    min_confidence: float,
    single_consequent: bool = True,
    max_rules: int | None = None,
) -> pd.DataFrame:
    """Association rules (columns ``RULE_COLUMNS``) from a frequent-itemsets table alone.

    ``itemsets`` needs ``items`` (a list of item names per row) and ``basket_count``, and must
    hold every subset of each of its itemsets (what ``frequent_itemsets`` returns, in any row
    order); ``n_baskets`` is the number of baskets they were counted in. Rules A => C come from
    each itemset A u C of two or more items, with confidence at least ``min_confidence``.
    ``max_rules`` (None = all) keeps the first rules in the module's order;
    ``attrs["rules_found"]`` is the number before that cut.
    """
    if not 0 <= min_confidence <= 1:
        raise ValueError("min_confidence must be in [0, 1]")
    if max_rules is not None and max_rules < 0:
        raise ValueError("max_rules must be >= 0 (None = all)")
    attrs = {"n_baskets": n_baskets, "min_confidence": min_confidence, "max_rules": max_rules}
    names, by_size = _by_size(itemsets) if len(itemsets) else (np.zeros(0, object), {})
    indexes = {size: _index(matrix) for size, (matrix, _) in by_size.items()}

    def counts_of(codes: np.ndarray) -> np.ndarray:
        size = codes.shape[1]
        position = indexes[size].get_indexer(_index(codes)) if size in indexes else None
        if position is None or np.any(position < 0):
            raise ValueError("itemsets must include every subset of each itemset")
        return by_size[size][1][position]

    parts = []
    for size, (matrix, together) in by_size.items():
        if size < 2:
            continue
        widths = [1] if single_consequent else range(1, size)
        for width in widths:
            for right in itertools.combinations(range(size), width):
                left = [j for j in range(size) if j not in right]
                antecedent, consequent = matrix[:, left], matrix[:, list(right)]
                left_count, right_count = counts_of(antecedent), counts_of(consequent)
                keep = together / left_count >= min_confidence
                parts.append(
                    (
                        antecedent[keep],
                        consequent[keep],
                        together[keep],
                        left_count[keep],
                        right_count[keep],
                    )
                )
    parts = [part for part in parts if len(part[2])]
    if not parts:
        out = _empty(RULE_COLUMNS)
        out.attrs.update(attrs, rules_found=0)
        return out

    def column(i: int) -> np.ndarray:
        return np.concatenate([part[i] for part in parts])

    together, left_count, right_count = column(2), column(3), column(4)
    n = float(n_baskets)
    support = together / n
    antecedent_support, consequent_support = left_count / n, right_count / n
    confidence = together / left_count
    infinite = together == left_count
    with np.errstate(divide="ignore", invalid="ignore"):
        conviction = np.where(infinite, np.nan, (1.0 - consequent_support) / (1.0 - confidence))
    antecedent_lists = [item for part in parts for item in names[part[0]].tolist()]
    consequent_lists = [item for part in parts for item in names[part[1]].tolist()]
    out = pd.DataFrame(
        {
            "antecedent": np.concatenate([_texts(names, part[0]) for part in parts]),
            "consequent": np.concatenate([_texts(names, part[1]) for part in parts]),
            "antecedent_items": antecedent_lists,
            "consequent_items": consequent_lists,
            "n_antecedent_items": np.concatenate(
                [np.full(len(p[2]), p[0].shape[1]) for p in parts]
            ),
            "n_consequent_items": np.concatenate(
                [np.full(len(p[2]), p[1].shape[1]) for p in parts]
            ),
            "antecedent_support": antecedent_support,
            "consequent_support": consequent_support,
            "support": support,
            "basket_count": together,
            "confidence": confidence,
            "lift": (together * n_baskets) / (left_count * right_count).astype(float),
            "leverage": support - antecedent_support * consequent_support,
            "conviction": conviction,
            "is_conviction_infinite": infinite,
        }
    )
    out = out.sort_values(
        ["lift", "confidence", "support", "antecedent", "consequent"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    found = len(out)
    if max_rules is not None:
        out = out.head(max_rules)
    out.attrs.update(attrs, rules_found=found)
    return out


def mine_rules(
    baskets: pd.DataFrame,
    *,
    min_support: float,
    min_confidence: float,
    min_basket_count: int = 1,
    max_len: int | None = None,
    max_itemsets: int | None = None,
    single_consequent: bool = True,
    max_rules: int | None = None,
    basket_col: str = "basket_id",
    item_col: str = "item",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frequent_itemsets`` then ``rules_from_itemsets`` on them: ``(itemsets, rules)``.
    ``attrs`` of both hold the itemsets' attrs; the rules' add ``rules_found``."""
    if not 0 <= min_confidence <= 1:
        raise ValueError("min_confidence must be in [0, 1]")
    itemsets = frequent_itemsets(
        baskets,
        min_support=min_support,
        min_basket_count=min_basket_count,
        max_len=max_len,
        max_itemsets=max_itemsets,
        basket_col=basket_col,
        item_col=item_col,
    )
    rules = rules_from_itemsets(
        itemsets,
        n_baskets=itemsets.attrs["n_baskets"],
        min_confidence=min_confidence,
        single_consequent=single_consequent,
        max_rules=max_rules,
    )
    rules.attrs.update({**itemsets.attrs, **rules.attrs})
    return itemsets, rules


# --------------------------------------------------------------------------------------------
# warehouse tables: what the dbt Python models product_frequent_itemsets (mines) and
# product_association_rules (derives its rules from that table) return
# --------------------------------------------------------------------------------------------

#: product_frequent_itemsets: one row per (level, itemset); itemset_rank 1 is the most
#: frequent within the level (ties: fewer items, then itemset text).
LEVEL_ITEMSET_DTYPES: dict[str, str] = {
    "level": "str",
    "itemset_rank": "int32",
    "itemset": "str",
    "items": "object",  # list of item names; VARCHAR[] in DuckDB (itemsets_relation)
    "n_items": "int32",
    "support": "float64",
    "basket_count": "int32",
    "total_baskets": "int32",
    "min_basket_count": "int32",
    "is_min_basket_count_raised": "bool",
}

#: product_association_rules: one row per (level, antecedent, consequent); rule_rank 1 is the
#: highest lift within the level (ties: confidence, support, then antecedent and consequent
#: text); at most ``max_rules`` rows per level, of ``rules_found``.
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
    "rules_found": "int32",
}


def itemset_levels(
    lines: pd.DataFrame,
    levels: dict[str, str],
    *,
    basket_col: str,
    min_support: float,
    min_basket_count: int = 1,
    max_len: int | None = None,
    max_itemsets: int | None = None,
) -> pd.DataFrame:
    """``frequent_itemsets`` once per level on the same baskets, with a ``level`` column,
    typed as ``LEVEL_ITEMSET_DTYPES`` (the product_frequent_itemsets table).

    ``lines`` has one row per (basket, item of the finest level); ``levels`` maps a level name
    to the column holding that level's item (e.g. ``{"product": "product_id", "category":
    "category"}``), so a basket with two products of one category holds that category once.
    Rows come level by level in the order of ``levels``, each in ``frequent_itemsets``' order,
    with a 1-based rank. The thresholds are the same at every level; supports are shares of
    all baskets (``total_baskets``). ``max_itemsets`` (None or 0 = no bound) bounds each
    level. ``attrs["messages"]``: one line per level whose basket count was raised, naming
    the vars to change (the dbt model shows them as warnings).
    """
    frames, messages = [], []
    bound = max_itemsets or None
    for level, item_col in levels.items():
        itemsets = frequent_itemsets(
            lines[[basket_col, item_col]],
            min_support=min_support,
            min_basket_count=min_basket_count,
            max_len=max_len,
            max_itemsets=bound,
            basket_col=basket_col,
            item_col=item_col,
        )
        found = itemsets.attrs
        raised = found["min_count"] > found["requested_min_count"]
        itemsets.insert(0, "level", level)
        itemsets.insert(1, "itemset_rank", np.arange(1, len(itemsets) + 1))
        itemsets["total_baskets"] = found["n_baskets"]
        itemsets["min_basket_count"] = found["min_count"]
        itemsets["is_min_basket_count_raised"] = raised
        frames.append(itemsets)
        if raised:
            messages.append(
                f"product_frequent_itemsets, level {level}: more than {max_itemsets:,} "
                f"itemsets are in at least {found['requested_min_count']:,} of "
                f"{found['n_baskets']:,} baskets (association_min_support {min_support}, "
                f"association_min_basket_count {min_basket_count}); mined those in at least "
                f"{found['min_count']:,} baskets instead: {len(itemsets):,} itemsets "
                "(min_basket_count in the table). Raise association_max_itemsets to mine "
                "more (memory and time grow with it)."
            )
    out = _typed_frame(frames, LEVEL_ITEMSET_DTYPES)
    out.attrs["messages"] = messages
    return out


def rule_levels(
    itemset_table: pd.DataFrame, *, min_confidence: float, max_rules: int | None = None
) -> pd.DataFrame:
    """``rules_from_itemsets`` per level of an ``itemset_levels`` table (read back from the
    warehouse, rows in any order), typed as ``LEVEL_RULE_DTYPES`` (the
    product_association_rules table). Levels come in name order, each in the module's rule
    order with a 1-based rank, at most ``max_rules`` (None or 0 = all) per level;
    ``rules_found`` is how many met the thresholds. ``attrs["messages"]``: one line per level
    with rules left out, naming the var that shows them all."""
    frames, messages = [], []
    cap = max_rules or None
    for level in sorted(itemset_table["level"].unique()):
        itemsets = itemset_table[itemset_table["level"] == level]
        n_baskets = int(itemsets["total_baskets"].iloc[0])
        level_rules = rules_from_itemsets(
            itemsets, n_baskets=n_baskets, min_confidence=min_confidence, max_rules=cap
        )
        found = level_rules.attrs["rules_found"]
        level_rules = level_rules.drop(columns=["antecedent_items", "consequent_items"])
        level_rules.insert(0, "level", level)
        level_rules.insert(1, "rule_rank", np.arange(1, len(level_rules) + 1))
        level_rules["total_baskets"] = n_baskets
        level_rules["rules_found"] = found
        frames.append(level_rules)
        if found > len(level_rules):
            messages.append(
                f"product_association_rules, level {level}: {found:,} rules meet the "
                f"thresholds; the {len(level_rules):,} with the highest lift are published "
                f"(association_max_rules {max_rules}). Set association_max_rules to 0 to "
                "publish all of them, or raise association_min_confidence / "
                "association_min_basket_count for fewer, stronger rules."
            )
    out = _typed_frame(frames, LEVEL_RULE_DTYPES)
    out.attrs["messages"] = messages
    return out


def _typed_frame(frames: list[pd.DataFrame], dtypes: dict[str, str]) -> pd.DataFrame:
    frames = [f[list(dtypes)] for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    out = pd.concat(frames, ignore_index=True)
    return out.astype(dtypes)


def itemsets_relation(con, itemset_table: pd.DataFrame):
    """The itemsets table as a DuckDB relation on ``con`` with ``items`` typed VARCHAR[]
    (DuckDB types an empty pandas column of lists as NULL)."""
    return con.from_df(itemset_table).project("* replace (cast(items as varchar[]) as items)")


def emit_warnings(messages: list[str]) -> None:
    """Show each message as a dbt warning, as Jinja's ``exceptions.warn`` does (an error under
    ``--warn-error``). For the dbt Python models, which run inside dbt's process."""
    from dbt.context.exceptions_jinja import warn

    for message in messages:
        warn(message)
