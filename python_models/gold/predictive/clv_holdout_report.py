"""clv_holdout_report: how well BG/NBD predicts, fitted on the history before the holdout.

Thin wrapper: the calibration fit, the holdout predictions and the metrics are
customer_behaviour.clv.holdout_report. Settings come from vars through this model's YAML
config (Python models cannot call var()).
"""

from customer_behaviour import clv


def model(dbt, session):
    calibration = dbt.ref("fct_customer_purchase_holdout").df()
    report = clv.holdout_report(
        calibration,
        holdout_days=int(dbt.config.get("clv_holdout_days")),
        penalizer=float(dbt.config.get("clv_penalizer")),
        maxiter=int(dbt.config.get("clv_max_iterations")),
        min_dropout_probability=float(dbt.config.get("clv_min_dropout_probability")),
        log=print,
    )
    print(f"clv_holdout_report: {report['verdict'].iloc[0]}")
    return report
