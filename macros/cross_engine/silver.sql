{#- Silver intermediate and audit models: array literals, row JSON, hashes' type, minute
    arithmetic, table replacement and the landing models' materialization per engine. -#}

{#- An array of text from `values`, a list of SQL text expressions (may be empty). -#}
{% macro text_array(values) -%}
    {{ return(adapter.dispatch('text_array', 'customer_behaviour')(values)) }}
{%- endmacro %}

{% macro default__text_array(values) -%}
    cast([{{ values | join(', ') }}] as varchar[])
{%- endmacro %}

{% macro spark__text_array(values) -%}
    cast(array({{ values | join(', ') }}) as array<string>)
{%- endmacro %}


{#- The JSON object text of the whole row `alias` (a table alias) whose columns are those of
    `like_relation`, keys in column order, nulls written, timestamps as 'YYYY-MM-DD hh:mm:ss[.f]'. -#}
{% macro row_json(alias, like_relation) -%}
    {{ return(adapter.dispatch('row_json', 'customer_behaviour')(alias, like_relation)) }}
{%- endmacro %}

{% macro default__row_json(alias, like_relation) -%}
    to_json({{ alias }})
{%- endmacro %}

{#- Spark has no row-to-JSON of an alias: the columns are read from like_relation (at execution;
    at parse time there is no relation yet), timestamps cast to text as DuckDB writes them. -#}
{% macro spark__row_json(alias, like_relation) -%}
    {%- set fields = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(like_relation) -%}
            {%- set value = alias ~ '.' ~ column.name -%}
            {%- if 'timestamp' in column.dtype | lower -%}
                {%- set value = 'cast(' ~ value ~ ' as string)' -%}
            {%- endif -%}
            {%- do fields.append((column.name, value)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if fields -%}
        {{ json_object(fields) }}
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{%- endmacro %}


{#- The SQL type of row_hash values (DuckDB hash: ubigint; Spark xxhash64: bigint). -#}
{% macro type_row_hash() -%}
    {{ return(adapter.dispatch('type_row_hash', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__type_row_hash() -%}ubigint{%- endmacro %}

{% macro spark__type_row_hash() -%}bigint{%- endmacro %}


{#- The timestamp `n` minutes (a SQL integer expression) after `timestamp`, sub-seconds kept
    (dbt-spark's dateadd goes through unix seconds and drops them). -#}
{% macro add_minutes(timestamp, n) -%}
    {{ return(adapter.dispatch('add_minutes', 'customer_behaviour')(timestamp, n)) }}
{%- endmacro %}

{% macro default__add_minutes(timestamp, n) -%}
    {{ dbt.dateadd('minute', n, timestamp) }}
{%- endmacro %}

{% macro spark__add_minutes(timestamp, n) -%}
    timestampadd(minute, {{ n }}, {{ timestamp }})
{%- endmacro %}


{#- Runs the statements that make `relation` (schema.table text) a table of the rows of `sql`,
    replacing it if it exists (Spark Parquet tables have no create or replace). -#}
{% macro replace_table_as(relation, sql) -%}
    {{ return(adapter.dispatch('replace_table_as', 'customer_behaviour')(relation, sql)) }}
{%- endmacro %}

{% macro default__replace_table_as(relation, sql) -%}
    {%- do run_query('create or replace table ' ~ relation ~ ' as ' ~ sql) -%}
{%- endmacro %}

{% macro spark__replace_table_as(relation, sql) -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- do run_query('create table ' ~ relation ~ ' using parquet as ' ~ sql) -%}
{%- endmacro %}


{#- Materialization of the large silver event models and the gold models incremental by the
    run scope: incremental when the data comes in files (a landing folder, or the files of a
    public source system: new files arrive every day), a plain table for the built-in seeds
    (small, and a seed has no files to track). On Spark always a table, rebuilt whole every
    run: its Parquet tables have no delete or merge, which these models' delete+insert and the
    run scope's pre-hook delete need ("Incremental runs on Spark" in docs/spark.md). -#}
{% macro landing_materialization() -%}
    {{ return(adapter.dispatch('landing_materialization', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__landing_materialization() -%}
    {%- set from_files = var('bronze_source') == 'landing' or var('source_system') != 'demo' -%}
    {{ return('incremental' if from_files else 'table') }}
{%- endmacro %}

{% macro spark__landing_materialization() -%}
    {{ return('table') }}
{%- endmacro %}


{#- The text values `value` of a group joined by `separator` in the order `order_by` (SQL
    expressions; order_by as an order by list). -#}
{% macro string_agg_ordered(value, separator, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'customer_behaviour')(value, separator, order_by)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__string_agg_ordered(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}


{#- A window function call `function`(`expression`) that skips NULLs (first_value, last_value,
    ...); the caller writes `over (...)` after it. DuckDB takes `ignore nulls` inside the call,
    Spark after it. -#}
{% macro ignore_nulls(function, expression) -%}
    {{ return(adapter.dispatch('ignore_nulls', 'customer_behaviour')(function, expression)) }}
{%- endmacro %}

{% macro default__ignore_nulls(function, expression) -%}
    {{ function }}({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__ignore_nulls(function, expression) -%}
    {{ function }}({{ expression }}) ignore nulls
{%- endmacro %}
