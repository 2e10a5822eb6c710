{#
    One row per landed line of the demo's customers (landed_rows): the seed raw_customers, or every
    file of <landing_path>/customers/ with bronze_source: landing (incremental: new files only; lines
    DuckDB could not read kept with their reason, file and line).
#}
{{ config(
    materialized=landed_materialization('landing'),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{{ landed_rows('landing', 'customers') }}
