{#
    On Spark: gold.product_association_rules is written by `cbw spark-models`, which runs the dbt Python model
    python_models/gold/predictive/product_association_rules.py on the driver (dbt-spark runs dbt Python models only
    on Databricks). This node stands in for it so that ref('product_association_rules') resolves, its YAML tests
    run and its dependants build after it (materialization python_model_table; docs/spark.md).
#}
{{ config(materialized='python_model_table') }}
-- the model's dbt.ref() calls (cbw spark-models checks that they match):
-- depends_on: {{ ref('product_frequent_itemsets') }}
