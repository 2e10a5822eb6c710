{#
    The bronze rows of one landed table, as a subquery with the landed columns plus
    `source_file` (the landing file; null for seeds). Staging models read bronze only through
    this macro, so the same silver and gold run on the built-in seeds or on a landing folder:

        select * from {{ bronze('events', raw_columns) }}

    var bronze_source = 'seeds'   -> ref('raw_<table>')            (seeds/bronze/raw_<table>.csv)
    var bronze_source = 'landing' -> the files of <landing_path>/<table>/ (landing_read)

    Landing CSVs are read with header=false (see read_landed_files): the header line arrives as
    a row and is dropped here; audit_landing_files has already stopped the build if any file's
    header is not exactly `columns`, and the folder listing if the folder holds anything the
    build does not read.
#}
{% macro bronze(table_name, columns) -%}
    {%- set kind = var('bronze_source') -%}
    {%- if kind == 'seeds' -%}
    (
        select
            {% for c in columns %}{{ c }}, {% endfor %}
            cast(null as varchar) as source_file
        from {{ ref('raw_' ~ table_name) }}
    )
    {%- elif kind == 'landing' -%}
    (
        -- reads landing files only after their checks passed: {{ ref('audit_landing_files') }}
        -- bronze table: {{ source('landing', table_name) }}
        select
            {% for c in columns %}{{ c }}, {% endfor %}
            {{ landing_file('filename') }} as source_file
        from {{ landing_read(table_name) }}
        where not ({{ landing_header_condition(columns) }})
    )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var bronze_source must be 'seeds' or 'landing', got '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{#- True for a landing row that is the file's header line (every value equals its column name). -#}
{% macro landing_header_condition(columns) -%}
    {%- for c in columns -%}
        {{ c }} is not distinct from {{ sql_string(c, 'landed column') }}
        {{- " and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{#
    A landing file's path relative to the landing folder (events/events_2024-03-04.csv): row ids
    and lineage do not change when the folder moves, and a day-by-day load and a full refresh
    from another copy of the folder give identical tables.
#}
{% macro landing_file(path_column) -%}
    regexp_extract({{ path_column }}, '([^/]+/[^/]+)$', 1)
{%- endmacro %}


{#
    The landing folder of one table: <landing_path>/<table>/. Every entry in it (any name,
    extension or case; files and folders) is read (.csv and .csv.gz, or .parquet with
    landing_format: parquet, any case), ignored on purpose (var landing_ignore_patterns) or
    named in an error that stops the build (see file_entries). The landing path may hold any
    character but a backslash and NUL (quotes, spaces, *, ?, [ are read as themselves).

      landing_entries(table)  SQL: one row per entry with its verdict (audit_landing_files)
      landing_files(tables)   table -> the files to read, at execution (one error naming
                              every rejected entry of those tables)
      landing_read(table)     SQL: the table function reading them
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


{% macro landing_files(table_names) -%}
    {%- set folders = {} -%}
    {%- for t in table_names -%}
        {%- do folders.update({'landing entry ' ~ t ~ '/': landing_folder_pattern(t)}) -%}
    {%- endfor -%}
    {%- set found = readable_files(
        folders, readable_extensions(var('landing_format')), 'var landing_path') -%}
    {%- set files = {} -%}
    {%- for t in table_names -%}
        {%- do files.update({t: found['landing entry ' ~ t ~ '/']}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}


{% macro landing_read(table_name, files=none) -%}
    {{ read_landed_files(
        landing_files([table_name])[table_name] if files is none else files,
        landed_columns(table_name),
        var('landing_format')
    ) }}
{%- endmacro %}
