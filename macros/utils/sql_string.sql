{#
    A value from outside the project (a var, a path, a file name) as a DuckDB string literal:
    'it''s' for it's. The only safe way such a value reaches SQL; never paste one between quotes.

        {{ sql_string(var('reporting_timezone'), 'var reporting_timezone') }}

    `origin` says where the value came from; it names the value in the compiler error raised
    for what cannot be quoted: a NUL character (DuckDB strings end there), or a value that is
    not one piece of text (none, a list, a mapping).
    Quotes are doubled by dbt's own escape_single_quotes; DuckDB reads a backslash in a
    standard string literally, so nothing else needs escaping (Spark: string_literal).
#}
{% macro sql_string(value, origin) -%}
    {%- if value is none or value is mapping or (value is iterable and value is not string) -%}
        {{ exceptions.raise_compiler_error(
            origin ~ ": expected one text value, got " ~ (value | string)[:200]) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- if modules.re.search('\x00', text) -%}
        {{ exceptions.raise_compiler_error(
            origin ~ ": contains a NUL character, which a SQL string cannot hold: "
            ~ (text | replace('\x00', '\\0'))[:200]) }}
    {%- endif -%}
    {{ string_literal(text) }}
{%- endmacro %}


{#
    A literal path (a folder, a file name DuckDB listed) as a glob pattern that matches exactly
    that path: DuckDB reads *, ? and [ in any path given to glob() or read_csv() as wildcards,
    so each is escaped as a one-character class ([*], [?], [[]). Returns text, not SQL: quote
    the result (and anything appended to it) with sql_string.
#}
{% macro glob_literal(path, origin) -%}
    {%- set text = glob_pattern(path, origin) -%}
    {{ return(text.replace('[', '[[]').replace('*', '[*]').replace('?', '[?]')) }}
{%- endmacro %}


{#
    A glob pattern from outside (a path var), returned as text after the one check quoting
    cannot fix: a backslash. DuckDB's file listing reads it as a folder separator (a folder
    named a\b is never listed, nor a file in it), so a path with one is a compiler error naming
    `origin`.
#}
{% macro glob_pattern(path, origin) -%}
    {%- set text = path | string -%}
    {%- if '\\' in text -%}
        {{ exceptions.raise_compiler_error(
            origin ~ ": " ~ text ~ " contains a backslash, which DuckDB's file listing reads as "
            ~ "a folder separator (it would never find the files): use a path without '\\'") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}
