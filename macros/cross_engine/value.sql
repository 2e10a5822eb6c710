{#- A double `value` as decimal(`precision`, `scale`), rounded as DuckDB casts it: half away
    from zero on the binary value times 10^scale (Spark's cast rounds the shortest decimal text
    of the double half up, so 8.90455 stored as 8.904549999... gives 8.9046 there, 8.9045 on
    DuckDB). -#}
{% macro double_to_decimal(value, precision, scale) -%}
    {{ return(adapter.dispatch('double_to_decimal', 'customer_behaviour')(value, precision, scale)) }}
{%- endmacro %}

{% macro default__double_to_decimal(value, precision, scale) -%}
    cast({{ value }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__double_to_decimal(value, precision, scale) -%}
    {%- set factor = 10 ** (scale | int) -%}
    cast(round(({{ value }}) * {{ factor }}) / {{ factor }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}


{#- The mean of a decimal column as a double (rows where `where`, a SQL predicate, holds; all
    rows without it): DuckDB's avg divides the exact sum in extended precision; Spark's avg of
    a decimal rounds to 6 places, so there the exact sum is divided in double (same to ~1e-16). -#}
{% macro decimal_avg(value, where=none) -%}
    {{ return(adapter.dispatch('decimal_avg', 'customer_behaviour')(value, where)) }}
{%- endmacro %}

{% macro default__decimal_avg(value, where=none) -%}
    avg({{ value }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{% macro spark__decimal_avg(value, where=none) -%}
    {%- set filter_clause = ' filter (where ' ~ where ~ ')' if where else '' -%}
    cast(sum({{ value }}){{ filter_clause }} as double)
    / nullif(count({{ value }}){{ filter_clause }}, 0)
{%- endmacro %}
