"""customer_clv: P(alive), expected purchases, expected order value and CLV per customer.

Thin wrapper: predictions at the parameters stored in clv_model_fit (fitted once there), by
customer_behaviour.clv.score_customers. Settings come from vars through this model's YAML
config (Python models cannot call var()).
"""

import json

from customer_behaviour import clv


def model(dbt, session):
    summary = dbt.ref("fct_customer_purchase_summary").df()
    fits = dbt.ref("clv_model_fit").df()
    tier_quantiles = dbt.config.get("clv_tier_quantiles")
    if isinstance(tier_quantiles, str):  # a var given on the command line may arrive as text
        tier_quantiles = json.loads(tier_quantiles)
    return clv.score_customers(
        summary,
        fits,
        horizon_months=int(dbt.config.get("clv_horizon_months")),
        monthly_discount_rate=float(dbt.config.get("clv_monthly_discount_rate")),
        churn_threshold=float(dbt.config.get("clv_churn_risk_threshold")),
        tier_quantiles=tier_quantiles,
        fallback_idle_days=float(dbt.config.get("clv_churn_fallback_idle_days")),
    )
