{#
    Landing files: which entries of a folder the build reads, and how it reads them. One home
    for the landing folder (bronze(), audit_landing_files, audit_landing_rejects) and the source
    adapters (landed_file_rows). Every path and name reaches SQL through glob_literal +
    sql_string (macros/utils/sql_string.sql), so a file name is data, never SQL.

    The rule: every entry a folder holds (a file of any name, extension and case, a subfolder)
    is either read, or ignored on purpose (var landing_ignore_patterns, listed as ignored), or
    stops the build with an error that names it. Nothing is skipped in silence.

      file_entries(pattern, ...)    SQL: one row per entry `pattern` matches, with its verdict
      readable_files(folders, ...)  the files to read (run at execution; raises on a rejected
                                    entry and on a folder with no file to read)
      read_landed_files(files, ...) SQL: the table function reading exactly those files
#}


{#- The extensions read for a file format, lower case; names are matched case-insensitively
    (events.CSV, events.csv.GZ). DuckDB reads gzip CSV natively. -#}
{% macro readable_extensions(file_format) -%}
    {%- set extensions = {'csv': ['.csv', '.csv.gz'], 'parquet': ['.parquet']} -%}
    {%- if file_format not in extensions -%}
        {{ exceptions.raise_compiler_error(
            "var landing_format must be 'csv' or 'parquet', got '" ~ file_format ~ "'") }}
    {%- endif -%}
    {{ return(extensions[file_format]) }}
{%- endmacro %}


{#
    One row per entry `pattern` matches: entry_path (as DuckDB lists it), entry_name (its last
    part), is_directory, entry_status ('read', 'ignored' or 'rejected') and problem (what is
    wrong with a rejected entry and what to do). `pattern` is a glob pattern (make a literal
    path one with glob_literal): `<folder>/*` lists a folder, a literal file path lists that
    file. glob() lists files only; the same pattern with a trailing / lists the folders it
    matches (DuckDB 2.0), so a subfolder or a folder named like a file is an entry too.

    Verdict, first match wins: the name matches a pattern of var landing_ignore_patterns
    (DuckDB GLOB on the name, case-sensitive) -> ignored; a file whose name ends with one of
    `extensions` (any case) -> read; anything else -> rejected.
#}
{% macro file_entries(pattern, extensions, origin) -%}
    {%- set ignore_patterns = var('landing_ignore_patterns') -%}
    {%- if ignore_patterns is string or ignore_patterns is mapping or ignore_patterns is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var landing_ignore_patterns must be a list of name patterns, got "
            ~ ignore_patterns) }}
    {%- endif -%}
    select
        entry_path,
        entry_name,
        is_directory,
        case
            when is_ignored then 'ignored'
            when is_readable then 'read'
            else 'rejected'
        end as entry_status,
        case
            when is_ignored or is_readable then null
            when is_directory
                then 'a folder: only the files directly in the folder are read; move its files '
                    || 'up into the folder or remove it (or name it in var landing_ignore_patterns)'
            else 'not a file the build reads ({{ extensions | join(", ") }}, any case): convert '
                || 'or remove it (or name it in var landing_ignore_patterns)'
        end as problem
    from (
        select
            entry_path,
            entry_name,
            is_directory,
            {% for p in ignore_patterns -%}
            {{ glob_matches('entry_name', p, 'var landing_ignore_patterns') }} or
            {% endfor -%}
            false as is_ignored,
            not is_directory and (
                {%- for e in extensions %}
                {{ ends_with('lower(entry_name)', sql_string(e, 'readable extension')) }}
                {{- " or" if not loop.last }}
                {%- endfor %}
            ) as is_readable
        from ({{ listed_entries(pattern, origin) }})
    )
{%- endmacro %}


{#
    The files to read in each of `folders` (a mapping: label -> glob pattern, as file_entries
    takes), as a mapping label -> paths in path order, listed at execution time: a table
    function takes no subquery, so the list must be written into the SQL. Lists every folder
    in one query and stops the build with one compiler error naming every rejected entry
    (label ~ entry name: problem) and every folder left with no file to read (with `origin`).
    Ignored entries are logged. Before execution (parsing) every list is empty.
#}
{% macro readable_files(folders, extensions, origin) -%}
    {%- set found = {} -%}
    {%- for label in folders -%}
        {%- do found.update({label: []}) -%}
    {%- endfor -%}
    {%- if not execute -%}
        {{ return(found) }}
    {%- endif -%}
    {%- set listing -%}
        {%- for label, pattern in folders.items() %}
        select {{ sql_string(label, origin) }} as label, *
        from ({{ file_entries(pattern, extensions, origin) }})
        {{ "union all" if not loop.last }}
        {%- endfor %}
        order by label, entry_path
    {%- endset -%}
    {%- set problems = [] -%}
    {%- for entry in run_query(listing).rows -%}
        {%- set name = entry['label'] ~ entry['entry_name'] -%}
        {%- if entry['entry_status'] == 'read' -%}
            {%- do found[entry['label']].append(entry['entry_path']) -%}
        {%- elif entry['entry_status'] == 'ignored' -%}
            {%- do log(name ~ ": ignored (var landing_ignore_patterns)") -%}
        {%- else -%}
            {%- do problems.append(name ~ ": " ~ entry['problem']) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for label, pattern in folders.items() if not found[label] -%}
        {%- do problems.append(
            label | trim ~ ": no file to read (" ~ extensions | join(", ") ~ ", any case) matches "
            ~ pattern ~ " (" ~ origin ~ ")") -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems | join('\n')) }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#
    The table function reading exactly `files` (paths as DuckDB listed them), every row with
    its `filename`. CSV (every column text, nothing sniffed, the same for every file):

      header=false                 the header line comes through as a row: the caller checks it
                                   against the expected columns and drops it
      columns=struct_pack(...)     every column VARCHAR (bronze is text exactly as landed) and
      auto_detect=false            the column count fixed: nothing is sniffed, so one odd file
                                   cannot change how the others are read
      delim/quote/escape fixed,    a file is read the same way every time; .gz files are
      strict_mode=true             decompressed (DuckDB detects it from the extension, any case)
      ignore_errors=true +         a line DuckDB cannot read (cut off, invalid UTF-8, wrong field
      store_rejects=true           count) is set aside, not fatal; the caller collects it from
                                   reject_errors / reject_scans and quarantines it
      filename=true                every row keeps the file it came from

    The files are passed as landed_file_list.
#}
{% macro read_landed_files(files, columns, file_format='csv') -%}
    {%- set paths = landed_file_list(files) -%}
    {%- if file_format == 'parquet' -%}
        read_parquet({{ paths }}, filename = true)
    {%- else -%}
        read_csv(
            {{ paths }},
            header = false,
            columns = struct_pack(
                {%- for c in columns %}
                {{ c }} := 'VARCHAR'{{ "," if not loop.last }}
                {%- endfor %}
            ),
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            strict_mode = true,
            ignore_errors = true,
            store_rejects = true,
            filename = true
        )
    {%- endif -%}
{%- endmacro %}


{#- SQL list of file paths as DuckDB listed them, each a one-file glob pattern (glob_literal)
    in a string literal (sql_string): quotes, spaces, semicolons, *, ? and [ in a name are
    read as the name. -#}
{% macro landed_file_list(files) -%}
    [{% for f in files %}{{ sql_string(glob_literal(f, 'landing file'), 'landing file') }}{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}


{#- SQL: one row per entry `pattern` matches: entry_path, entry_name, is_directory (DuckDB:
    glob() lists files; the same pattern with a trailing / the folders it matches). -#}
{% macro listed_entries(pattern, origin) -%}
    {{ return(adapter.dispatch('listed_entries', 'customer_behaviour')(pattern, origin)) }}
{%- endmacro %}

{% macro default__listed_entries(pattern, origin) -%}
            select
                file as entry_path,
                regexp_extract(file, '[^/]+$', 0) as entry_name,
                false as is_directory
            from glob({{ sql_string(pattern, origin) }})
            union all
            select
                file as entry_path,
                regexp_extract(file, '[^/]+$', 0) as entry_name,
                true as is_directory
            from glob({{ sql_string(pattern ~ '/', origin) }})
{%- endmacro %}


{#- SQL: whether the text `column` matches the name pattern `pattern` (DuckDB GLOB: * ? [abc]). -#}
{% macro glob_matches(column, pattern, origin) -%}
    {{ return(adapter.dispatch('glob_matches', 'customer_behaviour')(column, pattern, origin)) }}
{%- endmacro %}

{% macro default__glob_matches(column, pattern, origin) -%}
    {{ column }} glob {{ sql_string(pattern, origin) }}
{%- endmacro %}
