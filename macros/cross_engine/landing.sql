{#- Landed files and seeds: how each engine reads them (macros/staging/landed_rows.sql). -#}


{#- A text value as a SQL string literal (sql_string quotes and checks it first). -#}
{% macro string_literal(text) -%}
    {{ return(adapter.dispatch('string_literal', 'customer_behaviour')(text)) }}
{%- endmacro %}

{% macro default__string_literal(text) -%}
    '{{ dbt.escape_single_quotes(text) }}'
{%- endmacro %}

{#- Spark (escapedStringLiterals=true) has no escape that keeps a quote as it is ('it''s' is
    'it' 's' = its; 'it\'s' keeps the backslash), and its lexer reads a backslash before a
    quote as an escape: each quote and backslash is concatenated as chr(39) / chr(92)
    (foldable, so also valid in an INSERT ... VALUES). -#}
{% macro spark__string_literal(text) -%}
    {%- if "'" not in text and '\\' not in text -%}
        '{{ text }}'
    {%- else -%}
        {%- set pieces = [] -%}
        {%- for piece in modules.re.split("(['\\\\])", text) if piece != '' -%}
            {%- do pieces.append('chr(39)' if piece == "'" else ('chr(92)' if piece == '\\' else "'" ~ piece ~ "'")) -%}
        {%- endfor -%}
        concat({{ pieces | join(', ') }})
    {%- endif -%}
{%- endmacro %}


{#
    dbt-spark's seed load passes values as bindings that its session cursor pastes between
    quotes unescaped (a value with an apostrophe is a syntax error, a null the text 'None'):
    the values are written into the insert as literals instead (string_literal).
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast(
                    {%- if value is none -%}null
                    {%- elif value is number and value is not boolean -%}{{ value }}
                    {%- else -%}{{ string_literal(value | string) }}
                    {%- endif %} as {{ types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#
    The demo's bronze seed raw_<table> as a relation of its landed columns, every value text
    as landed (an empty field null, as dbt seed loads it).
      DuckDB: the seed (dbt seed loads it).
      Spark: seeds/bronze/raw_<table>.csv read in place by Spark's CSV reader (every column
      string, nothing inferred) into a temporary view: dbt-spark loads a seed row by row as
      INSERT ... VALUES (minutes for the 43 MB raw_events), so the bronze seeds are disabled
      on Spark (dbt_project.yml).
#}
{% macro landed_seed_relation(table_name, columns) -%}
    {{ return(adapter.dispatch('landed_seed_relation', 'customer_behaviour')(table_name, columns)) }}
{%- endmacro %}

{% macro default__landed_seed_relation(table_name, columns) -%}
    {{ ref('raw_' ~ table_name) }}
{%- endmacro %}

{% macro spark__landed_seed_relation(table_name, columns) -%}
    {%- set view = 'landed_seed_raw_' ~ table_name -%}
    {%- if execute -%}
        {%- do run_query(
            "create or replace temporary view " ~ view ~ " ("
            ~ columns | join(' string, ') ~ " string) "
            ~ "using csv options (path 'seeds/bronze/raw_" ~ table_name ~ ".csv', "
            ~ "header 'true', enforceSchema 'false', multiLine 'true', quote '\"', escape '\"', "
            ~ "mode 'FAILFAST', encoding 'UTF-8')"
        ) -%}
    {%- endif -%}
    {{ return(view) }}
{%- endmacro %}


{#- A literal path as a Hadoop glob matching exactly it (\ escapes the glob characters). -#}
{% macro spark_glob_escape(text) -%}
    {{ return(modules.re.sub('([\\\\{}\\[\\]*?,])', '\\\\\\1', text)) }}
{%- endmacro %}


{#- A path (glob) as a Spark SQL file path: `...` (after format.). -#}
{% macro spark_path(path) -%}
    `{{ path | replace('`', '``') }}`
{%- endmacro %}


{#- The files of `files` (URIs as spark__listed_entries lists them) as one Spark path per
    folder: <folder>/{name,name,...}. -#}
{% macro spark_file_globs(files) -%}
    {%- set folders = {} -%}
    {%- for f in files -%}
        {%- set parts = f.rsplit('/', 1) -%}
        {%- do folders.setdefault(parts[0], []).append(parts[1]) -%}
    {%- endfor -%}
    {%- set globs = [] -%}
    {%- for folder, names in folders.items() -%}
        {%- set escaped = [] -%}
        {%- for n in names -%}{%- do escaped.append(spark_glob_escape(n)) -%}{%- endfor -%}
        {%- do globs.append(spark_path(spark_glob_escape(folder) ~ '/{' ~ escaped | join(',') ~ '}')) -%}
    {%- endfor -%}
    {{ return(globs) }}
{%- endmacro %}


{#- SQL: the landed file of the current row (input_file_name() is a URI: %20 for a space). -#}
{% macro spark_input_file() -%}
    url_decode(replace(input_file_name(), '+', '%2B'))
{%- endmacro %}


{#
    Spark's listing of a folder pattern (`<folder>/*`, DuckDB-escaped by glob_literal): the
    binaryFile source (paths only; content not read). It lists the files of a subfolder, not
    the subfolder: an entry is the first part after the folder, a folder when more follows.
    It does not list zero-length files, nor names starting with _ or . (Spark's hidden files).
#}
{% macro spark__listed_entries(pattern, origin) -%}
    {%- set literal = pattern.replace('[[]', '[').replace('[*]', '*').replace('[?]', '?') -%}
    {%- set folder = literal[:-2] if literal.endswith('/*') else literal.rsplit('/', 1)[0] -%}
    {%- set folder = folder[2:] if folder.startswith('./') else folder -%}
    {%- set prefix = '^(file:' ~ ('' if folder.startswith('/') else '(?:.*?/)?')
        ~ modules.re.escape(folder) ~ '/([^/]+))(/.*)?$' -%}
    {%- set entry = sql_string(prefix, origin) -%}
            select distinct
                regexp_extract(path, {{ entry }}, 1) as entry_path,
                regexp_extract(path, {{ entry }}, 2) as entry_name,
                regexp_extract(path, {{ entry }}, 3) != '' as is_directory
            from binaryFile.{{ spark_path(spark_glob_escape(folder) ~ '/*') }}
{%- endmacro %}


{#- DuckDB GLOB on Spark: the pattern as an anchored regular expression. -#}
{% macro spark__glob_matches(column, pattern, origin) -%}
    {%- set regex = [] -%}
    {%- for token in modules.re.findall('\\[[^\\]]*\\]|.', pattern | string) -%}
        {%- if token == '*' -%}{%- do regex.append('.*') -%}
        {%- elif token == '?' -%}{%- do regex.append('.') -%}
        {%- elif token.startswith('[') and token | length > 1 -%}
            {%- do regex.append('[' ~ ('^' ~ token[2:-1] if token[1] == '!' else token[1:-1]) | replace('\\', '\\\\') ~ ']') -%}
        {%- else -%}{%- do regex.append(modules.re.escape(token)) -%}
        {%- endif -%}
    {%- endfor -%}
    regexp_like({{ column }}, {{ sql_string('^' ~ regex | join('') ~ '$', origin) }})
{%- endmacro %}


{#- Spark: landed_files_check's counts from the files' plain lines (text source); the message
    is built here, as DuckDB's. -#}
{% macro spark__landed_files_check(files, header, spec) -%}
    {%- set header_line = header | join(',') -%}
    {%- set check -%}
        with plain_lines as (
            {%- for glob in spark_file_globs(files) %}
            select
                {{ spark_input_file() }} as file_path,
                replace(replace(value, chr(65279), ''), '"', '') as line
            from text.{{ glob }}
            {{ "union all" if not loop.last }}
            {%- endfor %}
        )

        select
            {{ landed_source_file('file_path', spec.path_parts) }} as source_file,
            count(line) as lines_read,
            count(*) filter (where line = {{ sql_string(header_line, 'landed header') }}) as header_lines
        from plain_lines
        group by 1
        having count(*) filter (where line = {{ sql_string(header_line, 'landed header') }}) != 1
        order by 1
    {%- endset -%}
    {%- set problems = [] -%}
    {%- for row in run_query(check).rows -%}
        {%- do problems.append(spec.file_label ~ row['source_file'] ~ ': ' ~ (
            'empty file: not even a header line' if row['lines_read'] == 0
            else ('no header line "' ~ header_line ~ '" (comma-delimited): wrong delimiter, or missing, extra or renamed columns')
                if row['header_lines'] == 0
            else (row['header_lines'] ~ ' header lines: files concatenated?'))) -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems | join('\n')) }}
    {%- endif -%}
{%- endmacro %}


{#
    Spark: the rows of `files`, with the lines DuckDB's reader would reject found by rule.
    CSV: each file read as lines (text source; .gz decompressed), numbered in file order, each
    line parsed with from_csv (every column string) when it is one well-formed record of the
    header's field count, else kept as a row with its read_error:
      invalid_encoding    not valid UTF-8
      unterminated_quote  a quoted field not closed on its line, or text after a closing quote
      too_few_fields / too_many_fields   fields (commas outside quoted fields, plus one)
    A record is one line: a quoted field spanning lines (valid for DuckDB) is
    unterminated_quote here (docs/spark.md, "Landing on Spark"). Blank lines are skipped, as
    DuckDB does.
#}
{% macro spark__landed_file_lines(files, columns, header, spec, rejects_table) -%}
{%- set globs = spark_file_globs(files) -%}
{%- if spec.file_format == 'parquet' %}
    {%- for glob in globs %}
    select
        {{ landed_source_file(spark_input_file(), spec.path_parts) }} as source_file,
        cast(null as bigint) as source_line_number,
        cast(null as string) as read_error,
        cast(null as string) as read_error_record,
        {% for c in columns %}cast({{ c }} as string) as {{ c }}{{ "," if not loop.last }}
        {% endfor %}
    from parquet.{{ glob }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- else %}
    {%- set field = '(?:"(?:[^"]|"")*"|[^",][^,]*|)' -%}
    {%- set schema = columns | join(' string, ') ~ ' string' -%}
    with physical_lines as (
        {%- for glob in globs %}
        select
            {{ landed_source_file(spark_input_file(), spec.path_parts) }} as source_file,
            monotonically_increasing_id() as read_order,
            value as line
        from text.{{ glob }}
        {{ "union all" if not loop.last }}
        {%- endfor %}
    ),

    numbered as (
        select
            source_file,
            -- a file is read in order: splits of one file in partition order, lines in order
            row_number() over (partition by source_file order by read_order) as line_number,
            line
        from physical_lines
    ),

    checked as (
        select
            source_file,
            line_number,
            line,
            case
                when not is_valid_utf8(line) then 'invalid_encoding'
                when not regexp_like(line, {{ sql_string('^' ~ field ~ '(?:,' ~ field ~ ')*$', 'csv record') }})
                    then 'unterminated_quote'
                when size(split(regexp_replace(line, '"(?:[^"]|"")*"', ''), ',')) < {{ columns | length }}
                    then 'too_few_fields'
                when size(split(regexp_replace(line, '"(?:[^"]|"")*"', ''), ',')) > {{ columns | length }}
                    then 'too_many_fields'
            end as read_error
        from numbered
        where line != ''
    ),

    parsed as (
        select
            source_file,
            line_number,
            line,
            read_error,
            case when read_error is null then from_csv(
                case when line_number = 1 then replace(line, chr(65279), '') else line end,
                '{{ schema }}',
                map('quote', '"', 'escape', '"', 'mode', 'PERMISSIVE')
            ) end as landed
        from checked
    )

    select
        source_file,
        case when read_error is not null then cast(line_number as bigint) end as source_line_number,
        read_error,
        case when read_error is not null then {{ json_object([
            ('line_number', 'line_number'),
            ('csv_line', 'line'),
            ('error_message', "concat('Spark landing read: ', read_error)"),
        ]) }} end as read_error_record,
        {% for c in columns %}landed.{{ c }} as {{ c }}{{ "," if not loop.last }}
        {% endfor %}
    from parsed
    -- the file's header line (checked: exactly one per file)
    where read_error is not null or not (
        {%- for c in columns %}
        landed.{{ c }} <=> {{ sql_string(header[loop.index0], 'landed header') }}
        {{- " and" if not loop.last }}
        {%- endfor %}
    )
{%- endif %}
{%- endmacro %}
