{#
    Every landed line of a public-format source's files as a row (source adapters' base
    models): the files' header lines checked (a missing, empty, headerless or doubled-header file
    stops the build, naming the file) and dropped; lines DuckDB could not read kept as rows with
    null columns, `line_number` and `read_error` set, so they are quarantined and reconciled,
    never lost. Columns: the landed `columns`, source_file (the file's name, without its folder),
    line_number, read_error, raw_record, source_row_id.

      system      the dbt source name (online_retail, rees46)
      table_name  the source table the files are (lineage and docs; read by read_landed_files)
      columns     landed column names (as the source names them)
      header      the header line's names, in order
      path        var <system>_path: one file, a folder (every entry in it is read or named in
                  an error, as a landing folder: file_entries) or a glob (a path with * ? [)
#}
{% macro landed_file_rows(system, table_name, columns, header, path) -%}
{%- set origin = 'var ' ~ system ~ '_path' -%}
{%- set pattern = landed_path_pattern(path, origin) -%}
{%- set files = readable_files(
    {system ~ ' entry ': pattern}, readable_extensions('csv'), origin)[system ~ ' entry '] -%}
{%- set file_list = landed_file_list(files) -%}
{%- set rejects_table = system ~ '_rejected_lines' -%}
{%- set is_header_line -%}
    {%- for c in columns -%}
        {{ " and " if not loop.first }}{{ c }} is not distinct from {{ sql_string(header[loop.index0], system ~ ' header') }}
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

            -- the paths as listed (file_list holds them escaped as one-file glob patterns)
            select unnest([
                {%- for f in files %}{{ sql_string(f, origin) }}{{ ", " if not loop.last }}{% endfor -%}
            ]) as source_file

        ),

        plain_lines as (

            select
                filename as source_file,
                replace(replace(line, chr(65279), ''), '"', '') as line
            from read_csv(
                {{ file_list }}, header=false, names=['line'], all_varchar=true,
                delim=chr(31), quote='', escape='', ignore_errors=true, filename=true
            )

        ),

        checked as (

            select
                files.source_file,
                count(plain_lines.line) as lines_read,
                count(*) filter (
                    where plain_lines.line = {{ sql_string(header | join(","), system ~ ' header') }}
                ) as header_lines
            from files
            left join plain_lines on files.source_file = plain_lines.source_file
            group by all

        )

        select
            string_agg(
                {{ sql_string(system ~ ' file ', 'system') }} || source_file || ': ' || case
                    when lines_read = 0 then 'empty file: not even a header line'
                    when header_lines = 0 then {{ sql_string('no header line "' ~ header | join(",") ~ '" ', system ~ ' header') }}
                        || '(comma-delimited): wrong delimiter, or missing, extra or renamed columns'
                    else cast(header_lines as varchar) || ' header lines: files concatenated?'
                end,
                chr(10) order by source_file
            ) as message
        from checked
        where header_lines != 1
    {% endset %}
    {% set problems = run_query(file_check_sql).columns[0].values()[0] %}
    {% if problems %}
        {{ exceptions.raise_compiler_error(problems) }}
    {% endif %}

    {% do run_query("drop table if exists reject_errors; drop table if exists reject_scans;") %}
    {#- One scan per file, each counting every column: see audit_landing_rejects for the two
        DuckDB 2.0 behaviours this avoids (count(*) does not decode values, so it records no
        encoding reject; a glob read records no reject for a line cut inside a quoted field at
        the end of a file). -#}
    {%- for chunk in files | batch(200) %}
        {% set scans = [] %}
        {% for file in chunk %}
            {% do scans.append("select count(columns(*)) from " ~ read_landed_files([file], columns)) %}
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
    -- bronze table: {{ source(system, table_name) }}
    from {{ read_landed_files(files, columns) }}
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



{#
    A source adapter's path var as a glob pattern for file_entries: a path with *, ? or [ is a
    glob, used as given (exactly the entries it matches); otherwise a literal path (glob_literal):
    the file itself when it is one, else the entries of the folder it names.
#}
{% macro landed_path_pattern(path, origin) -%}
    {%- set text = path | string -%}
    {%- if '*' in text or '?' in text or '[' in text -%}
        {{ return(glob_pattern(text, origin)) }}
    {%- endif -%}
    {%- set literal = glob_literal(text.rstrip('/') or text, origin) -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob(" ~ sql_string(literal, origin) ~ ")") -%}
        {%- if found.columns[0].values()[0] == 1 -%}
            {{ return(literal) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(literal ~ '/*') }}
{%- endmacro %}
