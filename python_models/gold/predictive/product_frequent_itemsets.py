"""product_frequent_itemsets: frequent itemsets at product and category level, mined once.

Thin wrapper: baskets are fct_basket_items (completed orders by as_of_date); mining is
customer_behaviour.rules.itemset_levels (mlxtend's FP-growth on a sparse one-hot matrix).
product_association_rules derives its rules from this table. Settings come from vars through
this model's YAML config (Python models cannot call var()); a raised basket count is shown as
a dbt warning.
"""

from customer_behaviour import rules

LEVELS = {"product": "product_id", "category": "category"}


def model(dbt, session):
    lines = dbt.ref("fct_basket_items").df()
    itemsets = rules.itemset_levels(
        lines,
        LEVELS,
        basket_col="order_id",
        min_support=float(dbt.config.get("association_min_support")),
        min_basket_count=int(dbt.config.get("association_min_basket_count")),
        max_len=int(dbt.config.get("association_max_itemset_length")),
        max_itemsets=int(dbt.config.get("association_max_itemsets")),
    )
    rules.emit_warnings(itemsets.attrs["messages"])
    return rules.itemsets_relation(session, itemsets)
