{#
    One row per landed line of the REES46 event files (var rees46_path: a file, folder or glob;
    source rees46.events), through landed_rows like every landed table: every column text,
    incremental (a build reads only the files it has not loaded), the header of each file
    checked, lines DuckDB could not read (the public sample's cut-off last line) kept with their
    reason, file and line. Windows line endings are read natively.
#}
{{ config(
    materialized=landed_materialization('rees46'),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{{ landed_rows('rees46', 'events') }}
