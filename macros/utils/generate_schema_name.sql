{#
    Use the folder's custom schema as-is (bronze, silver, gold) instead of dbt's default
    `<target_schema>_<custom>`: analysts query `gold.fct_sessions`, not `main_gold.fct_sessions`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
