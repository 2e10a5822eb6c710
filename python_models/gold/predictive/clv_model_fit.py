"""clv_model_fit: BG/NBD and Gamma-Gamma fitted on fct_customer_purchase_summary.

Thin wrapper: the fitting and the table layout are customer_behaviour.clv.fit_models. Settings
come from vars through this model's YAML config (Python models cannot call var()). How long each
fit took is printed to the dbt console, never stored: the table stays identical across rebuilds.
"""

from customer_behaviour import clv


def model(dbt, session):
    summary = dbt.ref("fct_customer_purchase_summary").df()
    return clv.fit_models(
        summary,
        penalizer=float(dbt.config.get("clv_penalizer")),
        maxiter=int(dbt.config.get("clv_max_iterations")),
        min_dropout_probability=float(dbt.config.get("clv_min_dropout_probability")),
        log=print,
    )
