{#
    One row per landed line of the Online Retail day files (var online_retail_path; source
    online_retail.invoice_lines), through landed_rows like every landed table: every column
    text, incremental (a build reads only the day files it has not loaded), the header of each
    file checked against the columns' file names (InvoiceNo, ...), lines DuckDB could not read
    kept with their reason, file and line.
#}
{{ config(
    materialized=landed_materialization('online_retail'),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{{ landed_rows('online_retail', 'invoice_lines') }}
