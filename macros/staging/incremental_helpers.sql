{#
    Materialization of the large silver event models and the gold models incremental by the
    run scope: incremental when the data comes in files (a landing folder, or the files of a
    public source system: new files arrive every day), a plain table for the built-in seeds
    (small, and a seed has no files to track).
#}
{% macro landing_materialization() -%}
    {%- set from_files = var('bronze_source') == 'landing' or var('source_system') != 'demo' -%}
    {{ return('incremental' if from_files else 'table') }}
{%- endmacro %}


{#
    The delivery date of a landing file, taken from the first YYYY-MM-DD in its file name
    (events_2024-03-04.csv -> 2024-03-04); null for seeds or a name without a date.
#}
{% macro arrival_date(source_file_column) -%}
    try_cast(regexp_extract({{ source_file_column }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})[^/]*$', 1) as date)
{%- endmacro %}
