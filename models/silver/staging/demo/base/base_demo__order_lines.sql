{#
    One row per landed line of the demo's order_lines (landed_rows): the seed raw_order_lines, or every
    file of <landing_path>/order_lines/ with bronze_source: landing (incremental: new files only; lines
    DuckDB could not read kept with their reason, file and line).
#}
{{ config(
    materialized=landed_materialization('landing'),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{{ landed_rows('landing', 'order_lines') }}
