{#- Ordered aggregates, interval arithmetic and CTE hints the behaviour models need. -#}

{#- Whole milliseconds from timestamp `start` to timestamp `stop` (a bigint; the difference of
    the two epochs in milliseconds, sub-millisecond digits dropped). dbt-spark's datediff
    divides by a float (1/1000) and ceils, which can land one millisecond off. -#}
{% macro milliseconds_between(start, stop) -%}
    {{ return(adapter.dispatch('milliseconds_between', 'customer_behaviour')(start, stop)) }}
{%- endmacro %}

{% macro default__milliseconds_between(start, stop) -%}
    {{ dbt.datediff(start, stop, 'millisecond') }}
{%- endmacro %}

{% macro spark__milliseconds_between(start, stop) -%}
    (unix_millis({{ stop }}) - unix_millis({{ start }}))
{%- endmacro %}


{#- Aggregate: the array of `value` in the order of `order_key` (a SQL expression, never NULL,
    unique within the group). Spark's collect_list has no order of its own. -#}
{% macro ordered_array_agg(value, order_key) -%}
    {{ return(adapter.dispatch('ordered_array_agg', 'customer_behaviour')(value, order_key)) }}
{%- endmacro %}

{% macro default__ordered_array_agg(value, order_key) -%}
    list({{ value }} order by {{ order_key }})
{%- endmacro %}

{% macro spark__ordered_array_agg(value, order_key) -%}
    transform(
        array_sort(collect_list(named_struct('k', {{ order_key }}, 'v', {{ value }}))),
        element -> element.v
    )
{%- endmacro %}


{#- Aggregate: the sum of the double `value`, added in the order of `order_keys` (a list of
    SQL expressions, never NULL, unique within the group), so a rebuild gives the same bits;
    NULL values are skipped, NULL over none. `filter` (a predicate, optional) keeps only the rows it holds for.
    Spark has no ordered aggregates: it folds the sorted collected values. -#}
{% macro ordered_sum(value, order_keys, filter=none) -%}
    {{ return(adapter.dispatch('ordered_sum', 'customer_behaviour')(value, order_keys, filter)) }}
{%- endmacro %}

{% macro default__ordered_sum(value, order_keys, filter=none) -%}
    sum({{ value }} order by {{ order_keys | join(', ') }})
    {%- if filter %} filter (where {{ filter }}){% endif %}
{%- endmacro %}

{% macro spark__ordered_sum(value, order_keys, filter=none) -%}
    aggregate(
        array_sort(collect_list(named_struct(
            {%- for key in order_keys %}
            'k{{ loop.index }}', {{ key }},
            {%- endfor %}
            'v', cast({{ value }} as double)
        )){%- if filter %} filter (where {{ filter }}){% endif %}),
        cast(null as double),
        (total, element) -> case
            when element.v is null then total
            else coalesce(total, 0D) + element.v
        end
    )
{%- endmacro %}


{#- The keyword that makes a CTE computed once (DuckDB `as materialized`); Spark has none and
    plans a CTE read several times on its own. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}materialized{%- endmacro %}

{% macro spark__materialized_cte() -%}{%- endmacro %}


{#- A statement (pre_hook) that lets a recursive CTE run `depth` iterations: Spark stops a
    recursion at 100 levels by default (spark.sql.cteRecursionLevelLimit); DuckDB has no limit. -#}
{% macro allow_recursion_depth(depth) -%}
    {{ return(adapter.dispatch('allow_recursion_depth', 'customer_behaviour')(depth)) }}
{%- endmacro %}

{% macro default__allow_recursion_depth(depth) -%}{%- endmacro %}

{% macro spark__allow_recursion_depth(depth) -%}
    set spark.sql.cteRecursionLevelLimit = {{ depth }}
{%- endmacro %}


{#- Contracts on Spark (the same override as helper "value"'s: keep one when merging). dbt-spark
    sets a contract's not_null constraints with ALTER COLUMN ... SET NOT NULL, which only Delta
    tables support; our Spark tables are Parquet, so the column names and types of an enforced
    contract are checked as on DuckDB and not_null is left to the models' not_null data tests. -#}
{% macro spark__persist_constraints(relation, model) -%}
{%- endmacro %}
