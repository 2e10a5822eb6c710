{#
    The one way landed data enters the warehouse: every line of one landed table as a row, for
    every source (the demo's landing folder or seeds, Online Retail, REES46, any later one).
    Each landed table has one base model, models/silver/staging/<system>/base/, that is only

        {{ config(materialized=landed_materialization('landing'), ...) }}
        {{ landed_rows('landing', 'events') }}

    Columns: source_row_id, source_file, source_line_number, read_error, read_error_record, then the
    landed columns (landed_columns: the source's columns in models/bronze) as text.

      source_row_id      landed_row_id: the same in a day-by-day load and a full refresh
      source_file        the file, relative to the folder read: <table>/<file> in the landing
                         folder, the file's name for a source adapter's path; null for seeds
      source_line_number the file line of a line DuckDB could not read; null otherwise
      read_error         why it could not be read (too_few_fields, too_many_fields,
                         invalid_encoding, unterminated_quote, unreadable_line); null otherwise
      read_error_record  JSON of that line: line_number, csv_line (its text), error_message

    Files (bronze read from a folder or path; not seeds):

      1. listed (readable_files): every entry of the folder is read, ignored on purpose (var
         landing_ignore_patterns) or named in an error that stops the build;
      2. incremental: only the files whose source_file the model does not hold yet are read
         (landing files are immutable: a changed file needs --full-refresh), so files may
         arrive in any order;
      3. checked (CSV): each new file read as plain lines, the build stops naming every file
         that is empty, has no line equal to the header (landed_file_header; wrong delimiter,
         missing, extra or renamed columns) or more than one (files concatenated);
      4. read (read_landed_files: every column text, nothing sniffed), the header line dropped;
         lines DuckDB could not read kept as rows with their reason, file and line.
#}
{% macro landed_rows(source_name, table_name) -%}
    {%- set columns = landed_columns(source_name, table_name) -%}
    -- depends_on: {{ source(source_name, table_name) }}
    {%- if landed_materialization(source_name) == 'table' %}
    {{ landed_seed_rows(table_name, columns) }}
    {%- else %}
    {{ landed_file_rows(source_name, table_name, columns) }}
    {%- endif %}
{%- endmacro %}


{#- Base models of files are incremental (new files are appended); seeds are a table. -#}
{% macro landed_materialization(source_name) -%}
    {%- if source_name == 'landing' and var('bronze_source') != 'landing' -%}
        {%- if var('bronze_source') != 'seeds' -%}
            {{ exceptions.raise_compiler_error(
                "var bronze_source must be 'seeds' or 'landing', got '" ~ var('bronze_source') ~ "'") }}
        {%- endif -%}
        {{ return('table') }}
    {%- endif -%}
    {{ return('incremental') }}
{%- endmacro %}


{#- The demo's built-in seeds (seeds/bronze/raw_<table>.csv) as landed rows. -#}
{% macro landed_seed_rows(table_name, columns) -%}
with

landed as (

    select
        cast(null as string) as source_file,
        cast(null as bigint) as source_line_number,
        cast(null as string) as read_error,
        cast(null as {{ type_json() }}) as read_error_record,
        {% for c in columns %}{{ c }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ landed_seed_relation(table_name, columns) }}

),

{{ landed_rows_final(columns) }}
{%- endmacro %}


{#
    Where a source's files are and how they are named:
      pattern     glob pattern of the entries to list (file_entries)
      origin      the var it comes from (messages, quoting errors)
      entry_label prefix of entry names in listing errors; file_label of file names in check
                  errors (`landing file events/x.csv: empty file ...`)
      file_format csv or parquet
      path_parts  how many trailing parts of a path make its source_file (2: table/file)
#}
{% macro landed_files_spec(source_name, table_name) -%}
    {%- if source_name == 'landing' -%}
        {{ return({
            'pattern': landing_folder_pattern(table_name),
            'origin': 'var landing_path',
            'entry_label': 'landing entry ' ~ table_name ~ '/',
            'file_label': 'landing file ',
            'file_format': var('landing_format'),
            'path_parts': 2,
        }) }}
    {%- endif -%}
    {#- A source adapter's files: one file, a folder or a glob in its path var. -#}
    {%- set paths = {
        'online_retail': var('online_retail_path'),
        'rees46': var('rees46_path'),
    } -%}
    {%- if source_name not in paths -%}
        {{ exceptions.raise_compiler_error(
            "landed_files_spec: no path var for source '" ~ source_name
            ~ "' (macros/staging/landed_rows.sql)") }}
    {%- endif -%}
    {%- set origin = 'var ' ~ source_name ~ '_path' -%}
    {{ return({
        'pattern': landed_path_pattern(paths[source_name], origin),
        'origin': origin,
        'entry_label': source_name ~ ' entry ',
        'file_label': source_name ~ ' file ',
        'file_format': 'csv',
        'path_parts': 1,
    }) }}
{%- endmacro %}


{#- SQL: a path column's source_file (its last `parts` parts). -#}
{% macro landed_source_file(path_column, parts) -%}
    {%- if parts == 2 -%}
        {{ landing_file(path_column) }}
    {%- else -%}
        regexp_extract({{ path_column }}, '[^/]+$', 0)
    {%- endif -%}
{%- endmacro %}


{% macro landed_file_rows(source_name, table_name, columns) -%}
{%- set spec = landed_files_spec(source_name, table_name) -%}
{%- set csv = spec.file_format == 'csv' -%}
{%- set header = landed_file_header(source_name, table_name) -%}
{%- set listed = readable_files(
    {spec.entry_label: spec.pattern}, readable_extensions(spec.file_format), spec.origin
)[spec.entry_label] -%}
{%- set files = [] -%}
{%- if is_incremental() -%}
    {%- set loaded = run_query(
        "select distinct source_file from " ~ this ~ " where source_file is not null"
    ).columns[0].values() -%}
    {%- for f in listed if (f.split('/')[-spec.path_parts:] | join('/')) not in loaded -%}
        {%- do files.append(f) -%}
    {%- endfor -%}
{%- else -%}
    {%- set files = listed -%}
{%- endif -%}
{%- set rejects_table = this.identifier ~ '__rejected_lines' -%}

{%- if execute and files and csv %}
    {%- do landed_files_check(files, header, spec) -%}
    {%- do landed_rejected_lines(files, columns, rejects_table, spec.path_parts) -%}
{%- endif %}

with

landed as (

    {% if files %}
    {{ landed_file_lines(files, columns, header, spec, rejects_table) }}
    {% else %}
    -- no new file to read
    select
        cast(null as string) as source_file,
        cast(null as bigint) as source_line_number,
        cast(null as string) as read_error,
        cast(null as {{ type_json() }}) as read_error_record,
        {% for c in columns %}cast(null as string) as {{ c }}{{ "," if not loop.last }}
        {% endfor %}
    where false
    {% endif %}

),

{{ landed_rows_final(columns) }}
{%- endmacro %}


{#- The last CTE and select of a base model: the row id first. -#}
{% macro landed_rows_final(columns) -%}
final as (

    select
        {{ landed_row_id(['source_file', 'source_line_number'] + columns) }} as source_row_id,
        *
    from landed

)

select * from final
{%- endmacro %}


{#
    SQL: the rows of `files` (source_file, source_line_number, read_error, read_error_record,
    the columns): rows read, header lines dropped, and (CSV) one row per line the engine could
    not read, with its reason, record number and text.
#}
{% macro landed_file_lines(files, columns, header, spec, rejects_table) -%}
    {{ return(adapter.dispatch('landed_file_lines', 'customer_behaviour')(
        files, columns, header, spec, rejects_table)) }}
{%- endmacro %}


{#- DuckDB: read_csv / read_parquet; the lines it rejected are in `rejects_table`
    (landed_rejected_lines, run before on the model's connection). -#}
{% macro default__landed_file_lines(files, columns, header, spec, rejects_table) -%}
{%- set csv = spec.file_format == 'csv' -%}
    with read_lines as (

    select
        {{ landed_source_file('filename', spec.path_parts) }} as source_file,
        {% for c in columns %}{{ c }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ read_landed_files(files, columns, spec.file_format) }}
    {%- if csv %}
    -- the file's header line (checked: exactly one per file)
    where not (
        {%- for c in columns %}
        {{ c }} is not distinct from {{ sql_string(header[loop.index0], 'landed header') }}
        {{- " and" if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}

    )

    select
        source_file,
        cast(null as bigint) as source_line_number,
        cast(null as string) as read_error,
        cast(null as json) as read_error_record,
        {% for c in columns %}{{ c }}{{ "," if not loop.last }}
        {% endfor %}
    from read_lines

    {% if csv and execute %}
    union all

    select
        source_file,
        cast(line_number as bigint) as source_line_number,
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
        )) as read_error_record,
        {% for c in columns %}cast(null as string) as {{ c }}{{ "," if not loop.last }}
        {% endfor %}
    -- filled by landed_rejected_lines on this model's connection, at execution
    from {{ rejects_table }}
    {% endif %}
{%- endmacro %}


{#
    Stops the build, naming every offending file, when a CSV file is empty, has no line equal
    to `header` (comma-delimited) or more than one. Reads the files as plain lines (one column,
    no quoting; a BOM and quotes removed), not as parsed rows: a file in another dialect is
    named, never half-read.
#}
{% macro landed_files_check(files, header, spec) -%}
    {{ return(adapter.dispatch('landed_files_check', 'customer_behaviour')(files, header, spec)) }}
{%- endmacro %}

{% macro default__landed_files_check(files, header, spec) -%}
    {%- set header_line = header | join(',') -%}
    {%- set check -%}
        with

        files as (

            select unnest([
                {%- for f in files %}{{ sql_string(f, spec.origin) }}{{ ", " if not loop.last }}{% endfor -%}
            ]) as file_path

        ),

        plain_lines as (

            select
                filename as file_path,
                replace(replace(line, chr(65279), ''), '"', '') as line
            from read_csv(
                {{ landed_file_list(files) }}, header=false, names=['line'], all_varchar=true,
                delim=chr(31), quote='', escape='', ignore_errors=true, filename=true
            )

        ),

        checked as (

            select
                {{ landed_source_file('files.file_path', spec.path_parts) }} as source_file,
                count(plain_lines.line) as lines_read,
                count(*) filter (
                    where plain_lines.line = {{ sql_string(header_line, 'landed header') }}
                ) as header_lines
            from files
            left join plain_lines on files.file_path = plain_lines.file_path
            group by all

        )

        select
            string_agg(
                {{ sql_string(spec.file_label, 'file label') }} || source_file || ': ' || case
                    when lines_read = 0 then 'empty file: not even a header line'
                    when header_lines = 0
                        then {{ sql_string('no header line "' ~ header_line ~ '" ', 'landed header') }}
                            || '(comma-delimited): wrong delimiter, or missing, extra or renamed columns'
                    else cast(header_lines as string) || ' header lines: files concatenated?'
                end,
                chr(10) order by source_file
            ) as message
        from checked
        where header_lines != 1
    {%- endset -%}
    {%- set problems = run_query(check).columns[0].values()[0] -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems) }}
    {%- endif -%}
{%- endmacro %}


{#
    The lines of `files` DuckDB cannot read as rows, one row per file and line, into the
    temporary table `rejects_table` of the model's connection (where the model reads them):
    DuckDB records them only in its per-connection reject_errors / reject_scans tables.
    One scan per file, each counting every column, because of two DuckDB 2.0 behaviours:
    count(*) does not decode values, so it records no encoding reject; a read of many files
    records no reject for a line cut off inside a quoted field at the end of a file. DuckDB
    reports one error per missing column of a short line: collapsed to one row per line.
#}
{% macro landed_rejected_lines(files, columns, rejects_table, path_parts) -%}
    {{ return(adapter.dispatch('landed_rejected_lines', 'customer_behaviour')(
        files, columns, rejects_table, path_parts)) }}
{%- endmacro %}

{#- Spark: nothing to collect before (spark__landed_file_lines finds the lines itself). -#}
{% macro spark__landed_rejected_lines(files, columns, rejects_table, path_parts) -%}
{%- endmacro %}

{% macro default__landed_rejected_lines(files, columns, rejects_table, path_parts) -%}
    {%- do run_query("drop table if exists reject_errors; drop table if exists reject_scans;") -%}
    {%- for chunk in files | batch(200) -%}
        {%- set scans = [] -%}
        {%- for file in chunk -%}
            {%- do scans.append("select count(columns(*)) from " ~ read_landed_files([file], columns)) -%}
        {%- endfor -%}
        {%- do run_query(scans | join(" union all ")) -%}
    {%- endfor -%}
    {%- do run_query(
        "create or replace temp table " ~ rejects_table ~ " as "
        ~ "select " ~ landed_source_file('reject_scans.file_path', path_parts) ~ " as source_file, "
        ~ "reject_errors.line as line_number, "
        ~ "list(cast(reject_errors.error_type as string)) as error_types, "
        ~ "min(trim(reject_errors.csv_line, chr(13) || chr(10) || ' ')) as csv_line, "
        ~ "min(reject_errors.error_message) as error_message "
        ~ "from reject_errors inner join reject_scans "
        ~ "on reject_errors.scan_id = reject_scans.scan_id "
        ~ "and reject_errors.file_id = reject_scans.file_id "
        ~ "group by all"
    ) -%}
{%- endmacro %}


{#
    The landing folder of one table: <landing_path>/<table>/ (see landing_files.sql for what
    is read, ignored or refused). The landing path may hold any character but a backslash and
    NUL (quotes, spaces, *, ?, [ are read as themselves).

      landing_folder_pattern(table)  the glob pattern of its entries
      landing_entries(table)         SQL: one row per entry with its verdict
                                     (audit_landing_files, source freshness)
      landing_file(path_column)      SQL: a path relative to the landing folder
                                     (events/events_2024-03-04.csv): row ids and lineage do
                                     not change when the folder moves
#}
{% macro landing_folder_pattern(table_name) -%}
    {%- set folder = var('landing_path') | string -%}
    {{ return(glob_literal(folder.rstrip('/'), 'var landing_path') ~ '/' ~ table_name ~ '/*') }}
{%- endmacro %}


{% macro landing_entries(table_name) -%}
    {{ file_entries(
        landing_folder_pattern(table_name),
        readable_extensions(var('landing_format')),
        'var landing_path'
    ) }}
{%- endmacro %}


{% macro landing_file(path_column) -%}
    regexp_extract({{ path_column }}, '([^/]+/[^/]+)$', 1)
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
