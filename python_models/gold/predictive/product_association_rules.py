"""product_association_rules: association rules at product and category level.

Thin wrapper: the rules are derived from product_frequent_itemsets (nothing is mined again) by
customer_behaviour.rules.rule_levels. Settings come from vars through this model's YAML config
(Python models cannot call var()); rules left out by association_max_rules are counted in
rules_found and shown as a dbt warning.
"""

from customer_behaviour import rules


def model(dbt, session):
    itemsets = dbt.ref("product_frequent_itemsets").df()
    level_rules = rules.rule_levels(
        itemsets,
        min_confidence=float(dbt.config.get("association_min_confidence")),
        max_rules=int(dbt.config.get("association_max_rules")),
    )
    rules.emit_warnings(level_rules.attrs["messages"])
    return level_rules
