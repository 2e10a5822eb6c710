{#
    Materialization of the dbt Python models on a target whose adapter cannot run them (Spark
    outside Databricks; dbt_project.yml chooses it): the table is written outside dbt, by
    `cbw spark-models`, which runs the model's model() on the Spark driver. dbt runs nothing;
    it checks that the table is there with the columns the model's YAML documents, so that the
    model's tests and dependants read a complete table (docs/spark.md).
#}
{% materialization python_model_table, default, supported_languages=['sql', 'python'] %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
    {%- if existing is none -%}
        {{ exceptions.raise_compiler_error(
            this ~ " does not exist: it is written by `cbw spark-models` (the dbt Python model "
            ~ model.name ~ " run on the Spark driver). Build with `cbw spark-build`, or run "
            ~ "`cbw spark-models` before building " ~ model.name ~ " and its dependants.") }}
    {%- endif -%}
    {%- set actual = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
    {%- set documented = model.columns.values() | map(attribute='name') | map('lower') | list -%}
    {%- if documented and actual != documented -%}
        {{ exceptions.raise_compiler_error(
            this ~ " has columns " ~ actual ~ ", its YAML documents " ~ documented
            ~ ": rerun `cbw spark-models`.") }}
    {%- endif -%}
    {%- call noop_statement('main', 'EXISTS') -%}{%- endcall -%}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
