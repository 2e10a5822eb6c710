{#
    One row per file in the landing folder (bronze_source: landing): which table it feeds, rows
    read, header lines found and lines DuckDB could not read. Built before any staging model
    reads the files, and it STOPS THE BUILD, naming every offending file, when a file is not
    something we can load row by row:

      - an empty file (not even a header line)
      - no line equal to the expected header (wrong delimiter, missing, extra or renamed
        columns): the expected header is in the message
      - more than one header line (two files concatenated)

    A header-only file is fine (a day with nothing to deliver): it shows here with 0 rows.
    Lines that cannot be read (cut off, invalid UTF-8, wrong field count) do not stop the build:
    they are quarantined through audit_landing_rejects, and counted here.
#}
{{ config(enabled=var('bronze_source', 'seeds') == 'landing') }}

{%- set csv = var('landing_format') != 'parquet' -%}
{%- set extension = 'csv' if csv else 'parquet' -%}

with

{% for table_name, columns in landed_columns().items() %}
    files_{{ table_name }} as (

        select
            '{{ table_name }}' as source_table,
            {{ landing_file('file') }} as source_file
        from glob('{{ var("landing_path") }}/{{ table_name }}/*.{{ extension }}')

    ),

    read_{{ table_name }} as (

        select
            {{ landing_file('filename') }} as source_file,
            count(*) as lines_read,
            {% if csv -%}
                count(*) filter (where {{ landing_header_condition(columns) }}) as header_lines
            {%- else -%}
                cast(0 as bigint) as header_lines
            {%- endif %}
        from {{ source('landing', table_name) }}
        group by all

    ),

{% endfor %}

rejects as (

    select
        source_file,
        count(*) as lines_rejected
    from {{ ref('audit_landing_rejects') }}
    group by all

),

files as (

    {% for table_name in landed_columns() %}
        select
            files_{{ table_name }}.source_table,
            files_{{ table_name }}.source_file,
            coalesce(read_{{ table_name }}.lines_read, 0) as lines_read,
            coalesce(read_{{ table_name }}.header_lines, 0) as header_lines,
            '{{ landed_columns(table_name) | join(",") }}' as expected_header
        from files_{{ table_name }}
        left join read_{{ table_name }}
            on files_{{ table_name }}.source_file = read_{{ table_name }}.source_file
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

checked as (

    select
        files.source_table,
        files.source_file,
        files.lines_read - files.header_lines as rows_landed,
        coalesce(rejects.lines_rejected, 0) as lines_rejected,
        files.header_lines,
        case
            when not {{ csv }} then null
            when files.lines_read = 0 and coalesce(rejects.lines_rejected, 0) = 0
                then 'empty file: not even a header line'
            when files.header_lines = 0
                then 'no header line "' || files.expected_header
                    || '" (comma-delimited): wrong delimiter, or missing, extra or renamed columns'
            when files.header_lines > 1
                then cast(files.header_lines as varchar) || ' header lines: files concatenated?'
        end as problem
    from files
    left join rejects on files.source_file = rejects.source_file

),

failures as (

    select
        string_agg(
            'landing file ' || source_file || ': ' || problem, chr(10) order by source_file
        ) as message
    from checked
    where problem is not null

),

final as (

    select
        checked.source_table,
        checked.source_file,
        checked.rows_landed,
        checked.lines_rejected,
        checked.header_lines
    from checked
    cross join failures
    -- error() raises, stopping the build, when any file failed a check. It sits in the filter,
    -- not in a column: an unused column is never evaluated.
    where (case when failures.message is not null then error(failures.message) end) is null

)

select * from final
