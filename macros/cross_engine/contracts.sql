{#- Enforced contracts on Spark. dbt-spark sets a contract's not_null constraints with
    ALTER COLUMN ... SET NOT NULL, which only Delta tables support; the Spark target writes
    Parquet (no Delta jars here), so there an enforced contract checks column names and types
    as on DuckDB, and a not_null constraint is not applied by the table (docs/spark.md). -#}
{% macro spark__persist_constraints(relation, model) -%}
{%- endmacro %}
