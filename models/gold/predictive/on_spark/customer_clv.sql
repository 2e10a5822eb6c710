{#
    On Spark: gold.customer_clv is written by `cbw spark-models`, which runs the dbt Python model
    python_models/gold/predictive/customer_clv.py on the driver (dbt-spark runs dbt Python models only
    on Databricks). This node stands in for it so that ref('customer_clv') resolves, its YAML tests
    run and its dependants build after it (materialization python_model_table; docs/spark.md).
#}
{{ config(materialized='python_model_table') }}
-- the model's dbt.ref() calls (cbw spark-models checks that they match):
-- depends_on: {{ ref('fct_customer_purchase_summary') }}
-- depends_on: {{ ref('clv_model_fit') }}
