{#
    Fails when the model's row count differs from `compare_model`'s (one row describing both
    counts). Used to prove a model keeps exactly one row per row of its input.
#}
{% test row_count_equals(model, compare_model) %}

with

counts as (

    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_rows

)

select *
from counts
where model_rows != compare_rows

{% endtest %}


{#
    The same against a bronze table of the canonical format, whichever bronze is in use,
    counted independently of the staging code: seeds -> rows of the seed; landing -> rows read
    that are not a header line. The header condition references every column, so DuckDB decodes
    every value (a bare count(*) does not, and would count a line with invalid UTF-8 that any
    real read drops; such lines are counted apart, in audit_landing_rejects). Proves a staging
    model holds exactly one row per readable landed row.
#}
{% test row_count_equals_bronze(model, bronze_table) %}
    {%- if var('bronze_source') == 'seeds' -%}
        {%- set landed -%}(select count(*) from {{ ref('raw_' ~ bronze_table) }}){%- endset -%}
    {%- else -%}
        {%- set landed -%}
        (
            select count(*) filter (where not ({{ landing_header_condition(landed_columns(bronze_table)) }}))
            -- bronze table: {{ source('landing', bronze_table) }}
            from {{ landing_read(bronze_table) }}
        )
        {%- endset -%}
    {%- endif %}

with

counts as (

    select
        (select count(*) from {{ model }}) as model_rows,
        {{ landed }} as landed_rows

)

select *
from counts
where model_rows != landed_rows

{% endtest %}
