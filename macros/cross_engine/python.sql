{#- The number of elements of an array (DuckDB len, Spark size). -#}
{% macro array_size(array) -%}
    {{ return(adapter.dispatch('array_size', 'customer_behaviour')(array)) }}
{%- endmacro %}

{% macro default__array_size(array) -%}
    len({{ array }})
{%- endmacro %}

{% macro spark__array_size(array) -%}
    size({{ array }})
{%- endmacro %}
