"""product_association_rules: association rules at product and category level.

Thin wrapper: baskets are fct_basket_items (completed orders by as_of_date); mining is
customer_behaviour.rules.mine_levels (mlxtend fpgrowth + association_rules). Settings come
from vars through this model's YAML config (Python models cannot call var()).
"""

from customer_behaviour import rules

LEVELS = {"product": "product_id", "category": "category"}


def model(dbt, session):
    dbt.config(materialized="table")
    lines = dbt.ref("fct_basket_items").df()
    _, level_rules = rules.mine_levels(
        lines,
        LEVELS,
        basket_col="order_id",
        min_support=float(dbt.config.get("association_min_support")),
        min_confidence=float(dbt.config.get("association_min_confidence")),
        max_len=int(dbt.config.get("association_max_itemset_length")),
    )
    return level_rules
