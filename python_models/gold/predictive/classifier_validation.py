"""classifier_validation: the time-split validation (one row per target x scorer).

Thin wrapper: customer_behaviour.classifiers.validate (trained on the train cutoff, measured
on the test cutoff) returns this table as "validation". Settings come from vars through this
model's YAML config (Python models cannot call var()).
"""

from customer_behaviour import classifiers


def model(dbt, session):
    features = dbt.ref("fct_customer_classifier_features").df()
    # rendered from var source_capabilities: true / false (a bool or its text)
    has_orders = dbt.config.get("source_has_orders")
    return classifiers.validate(
        features,
        big_spender_share=float(dbt.config.get("classifier_big_spender_share")),
        seed=int(dbt.config.get("classifier_seed")),
        has_orders=str(has_orders).lower() == "true",
    )["validation"]
