{#
    One row per landed line of the demo's events (landed_rows): the seed raw_events, or every
    file of <landing_path>/events/ with bronze_source: landing (incremental: new files only; lines
    DuckDB could not read kept with their reason, file and line).
#}
{{ config(
    materialized=landed_materialization('landing'),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{{ landed_rows('landing', 'events') }}
