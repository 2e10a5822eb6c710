{#
    Every landed line of a public-format source's files as a row (source adapters' base
    models): the files' header lines checked (a missing, empty, headerless or doubled-header file
    stops the build, naming the file) and dropped; lines DuckDB could not read kept as rows with
    null columns, `line_number` and `read_error` set, so they are quarantined and reconciled,
    never lost. Columns: the landed `columns`, source_file (the file's name, without its folder),
    line_number, read_error, raw_record, source_row_id.

      system      the dbt source name (online_retail, rees46)
      table_name  the source table whose external_location reads the files
      columns     landed column names (as the source names them)
      header      the header line's names, in order
      files_glob  the same path/glob the source's external_location reads
#}
{% macro landed_file_rows(system, table_name, columns, header, files_glob) -%}
{%- set rejects_table = system ~ '_rejected_lines' -%}
{%- set is_header_line -%}
    {%- for c in columns -%}
        {{ " and " if not loop.first }}{{ c }} is not distinct from '{{ header[loop.index0] }}'
    {%- endfor -%}
{%- endset -%}
{%- set no_rejects -%}
    (
        select
            cast(null as varchar) as source_file,
            cast(null as bigint) as line_number,
            cast(null as varchar []) as error_types,
            cast(null as varchar) as csv_line,
            cast(null as varchar) as error_message
        where false
    )
{%- endset -%}

{% if execute %}
    {% set file_check_sql %}
        with

        files as (

            select file as source_file from glob('{{ files_glob }}')

        ),

        plain_lines as (

            select
                filename as source_file,
                replace(replace(line, chr(65279), ''), '"', '') as line
            from read_csv(
                '{{ files_glob }}', header=false, names=['line'], all_varchar=true,
                delim=chr(31), quote='', escape='', ignore_errors=true, filename=true
            )

        ),

        checked as (

            select
                files.source_file,
                count(plain_lines.line) as lines_read,
                count(*) filter (where plain_lines.line = '{{ header | join(",") }}') as header_lines
            from files
            left join plain_lines on files.source_file = plain_lines.source_file
            group by all

        )

        select
            string_agg(
                '{{ system }} file ' || source_file || ': ' || case
                    when lines_read = 0 then 'empty file: not even a header line'
                    when header_lines = 0 then 'no header line "{{ header | join(",") }}" '
                        || '(comma-delimited): wrong delimiter, or missing, extra or renamed columns'
                    else cast(header_lines as varchar) || ' header lines: files concatenated?'
                end,
                chr(10) order by source_file
            ) as message
        from checked
        where header_lines != 1
    {% endset %}
    {% set count_files_sql = "select count(*) from glob('" ~ files_glob ~ "')" %}
    {% set files_found = run_query(count_files_sql).columns[0].values()[0] %}
    {% if files_found == 0 %}
        {{ exceptions.raise_compiler_error(
            system ~ ": no file matches " ~ files_glob ~ " (check var " ~ system ~ "_path)") }}
    {% endif %}
    {% set problems = run_query(file_check_sql).columns[0].values()[0] %}
    {% if problems %}
        {{ exceptions.raise_compiler_error(problems) }}
    {% endif %}

    {% do run_query("drop table if exists reject_errors; drop table if exists reject_scans;") %}
    {#- One scan per file, each counting every column: see audit_landing_rejects for the two
        DuckDB 2.0 behaviours this avoids (count(*) does not decode values, so it records no
        encoding reject; a glob read records no reject for a line cut inside a quoted field at
        the end of a file). -#}
    {%- set reader = source(system, table_name) | string -%}
    {%- set files = run_query("select file from glob('" ~ files_glob ~ "') order by file").columns[0].values() -%}
    {%- for chunk in files | batch(200) %}
        {% set scans = [] %}
        {% for file in chunk %}
            {% do scans.append("select count(columns(*)) from " ~ reader.replace(files_glob, file)) %}
        {% endfor %}
        {% do run_query(scans | join(" union all ")) %}
    {%- endfor %}
    {% do run_query(
        "create or replace temp table " ~ rejects_table ~ " as "
        ~ "select regexp_extract(reject_scans.file_path, '[^/]+$') as source_file, "
        ~ "reject_errors.line as line_number, "
        ~ "list(cast(reject_errors.error_type as varchar)) as error_types, "
        ~ "min(trim(reject_errors.csv_line, chr(13) || chr(10) || ' ')) as csv_line, "
        ~ "min(reject_errors.error_message) as error_message "
        ~ "from reject_errors inner join reject_scans "
        ~ "on reject_errors.scan_id = reject_scans.scan_id "
        ~ "and reject_errors.file_id = reject_scans.file_id "
        ~ "group by all"
    ) %}
{% endif %}

with

read_lines as (

    select
        {% for c in columns %}{{ c }},
        {% endfor -%}
        -- The file's name without its folder: lineage and row ids do not change when the files
        -- are read from another folder (a copy, a relative or absolute path).
        regexp_extract(filename, '[^/]+$') as source_file
    from {{ source(system, table_name) }}
    -- The file's header line (checked above: exactly one per file).
    where not ({{ is_header_line }})

),

rejected_lines as (

    -- The temp table exists only at execution (filled above); compiling alone reads nothing.
    select
        source_file,
        line_number,
        error_types,
        csv_line,
        error_message
    from {{ rejects_table if execute else no_rejects }}

),

landed as (

    select
        {% for c in columns %}{{ c }},
        {% endfor -%}
        source_file,
        cast(null as bigint) as line_number,
        cast(null as varchar) as read_error,
        {{ raw_record(columns) }} as raw_record
    from read_lines

    union all

    select
        {% for c in columns %}cast(null as varchar) as {{ c }},
        {% endfor -%}
        source_file,
        line_number,
        case
            when list_contains(error_types, 'INVALID ENCODING') then 'invalid_encoding'
            when list_contains(error_types, 'MISSING COLUMNS') then 'too_few_fields'
            when list_contains(error_types, 'TOO MANY COLUMNS') then 'too_many_fields'
            when list_contains(error_types, 'UNQUOTED VALUE') then 'unterminated_quote'
            else 'unreadable_line'
        end as read_error,
        to_json(struct_pack(
            line_number := line_number,
            csv_line := csv_line,
            error_message := error_message
        )) as raw_record
    from rejected_lines

),

final as (

    select
        {{ source_row_id() }} as source_row_id,
        *
    from landed

)

select * from final

{%- endmacro %}
