{#
    One row per landing-file line that DuckDB could not read as a row (bronze_source: landing,
    CSV): a line cut off mid-row (too_few_fields, or unterminated_quote when cut inside a quoted
    field), invalid UTF-8, too many fields. Such lines are not
    fatal; they are quarantined (audit_quarantined_rows) with file, line number and reason, and
    count as landed in audit_reconciliation.

    How: landing files are read with ignore_errors + store_rejects (read_landed_files), which
    makes DuckDB record unreadable lines in the temporary tables reject_errors / reject_scans of
    the connection that scanned. Those tables are per connection, so this model scans the files
    itself (run_query at execution time, on the model's own connection) and then reads them. DuckDB reports one
    error per missing column for a short line: collapse to one row per file and line.
#}
{{ config(enabled=var('bronze_source', 'seeds') == 'landing') }}

{%- set csv = var('landing_format') != 'parquet' -%}

{% if execute %}
    {% do run_query("drop table if exists reject_errors; drop table if exists reject_scans;") %}
    {#- The first model to touch the landing folder: listing it stops the build, naming
        every entry of every table folder the build would not read. -#}
    {%- set files_by_table = landing_files(landed_columns().keys() | list) -%}
    {% for table_name, files in files_by_table.items() %}
        {#- One scan per file, not one over all of them: reading many files, DuckDB 2.0
            records no reject for a line cut off inside a quoted field at the end of a file
            (single-file reads do; tests/test_landing_files.py covers it). The rows read are
            the same. count(columns(*)), not count(*): count(*) skips decoding the values, so
            DuckDB neither checks their encoding nor records the line as rejected - yet a real
            read that decodes them drops it. -#}
        {%- for chunk in (files if csv else []) | batch(200) %}
            {% set scans = [] %}
            {% for file in chunk %}
                {% set reader = landing_read(table_name, [file]) %}
                {% do scans.append("select count(columns(*)) from " ~ reader) %}
            {% endfor %}
            {% do run_query(scans | join(" union all ")) %}
        {%- endfor %}
    {% endfor %}
{% endif %}

with

{% if csv %}
    rejects as (

        select
            {{ landing_file('reject_scans.file_path') }} as source_file,
            reject_errors.line as line_number,
            reject_errors.error_type,
            reject_errors.csv_line,
            reject_errors.error_message
        from reject_errors
        inner join reject_scans
            on reject_errors.scan_id = reject_scans.scan_id
                and reject_errors.file_id = reject_scans.file_id

    ),

{% endif %}

final as (

    {% if csv %}
        select
            split_part(source_file, '/', 1) as source_table,
            source_file,
            line_number,
            case
                when bool_or(error_type = 'INVALID ENCODING') then 'invalid_encoding'
                when bool_or(error_type = 'MISSING COLUMNS') then 'too_few_fields'
                when bool_or(error_type = 'TOO MANY COLUMNS') then 'too_many_fields'
                when bool_or(error_type = 'UNQUOTED VALUE') then 'unterminated_quote'
                else 'unreadable_line'
            end as reason_code,
            min(csv_line) as csv_line,
            min(error_message) as error_message
        from rejects
        group by source_file, line_number
    {% else %}
    select
        cast(null as varchar) as source_table,
        cast(null as varchar) as source_file,
        cast(null as bigint) as line_number,
        cast(null as varchar) as reason_code,
        cast(null as varchar) as csv_line,
        cast(null as varchar) as error_message
    where false
    {% endif %}

)

select * from final
