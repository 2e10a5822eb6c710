"""customer_churn_scores: churn and big-spender probabilities and deciles at as_of_date.

Thin wrapper: customer_behaviour.classifiers.score (models refitted on the test cutoff's
labels, applied to the features at as_of_date). Settings come from vars through this model's
YAML config (Python models cannot call var()).
"""

from customer_behaviour import classifiers


def model(dbt, session):
    features = dbt.ref("fct_customer_classifier_features").df()
    return classifiers.score(
        features,
        big_spender_share=float(dbt.config.get("classifier_big_spender_share")),
        seed=int(dbt.config.get("classifier_seed")),
    )
