"""product_frequent_itemsets: frequent itemsets at product and category level.

Thin wrapper over customer_behaviour.rules.mine_levels on fct_basket_items, with the same
settings as product_association_rules (vars through this model's YAML config).
"""

from customer_behaviour import rules

LEVELS = {"product": "product_id", "category": "category"}


def model(dbt, session):
    dbt.config(materialized="table")
    lines = dbt.ref("fct_basket_items").df()
    itemsets, _ = rules.mine_levels(
        lines,
        LEVELS,
        basket_col="order_id",
        min_support=float(dbt.config.get("association_min_support")),
        min_confidence=float(dbt.config.get("association_min_confidence")),
        max_len=int(dbt.config.get("association_max_itemset_length")),
    )
    return itemsets
