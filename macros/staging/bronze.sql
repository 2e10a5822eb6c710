{#
    The bronze rows of one landed table, as a subquery with the landed columns plus
    `source_file` (the landing file; null for seeds). Staging models read bronze only through
    this macro, so the same silver and gold run on the built-in seeds or on a landing folder:

        select * from {{ bronze('events', raw_columns) }}

    var bronze_source = 'seeds'   -> ref('raw_<table>')            (seeds/bronze/raw_<table>.csv)
    var bronze_source = 'landing' -> source('landing', '<table>')  (files in the landing folder)

    Landing CSVs are read with header=false (see models/bronze/_landing__sources.yml): the header
    line arrives as a row and is dropped here; audit_landing_files has already stopped the build
    if any file's header is not exactly `columns`.
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
        select
            {% for c in columns %}{{ c }}, {% endfor %}
            {{ landing_file('filename') }} as source_file
        from {{ source('landing', table_name) }}
        where not ({{ landing_header_condition(columns) }})
    )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var bronze_source must be 'seeds' or 'landing', got '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{#- True for a landing row that is the file's header line (every value equals its column name). -#}
{% macro landing_header_condition(columns) -%}
    {%- for c in columns %}{{ c }} is not distinct from '{{ c }}'{{ " and " if not loop.last }}{% endfor -%}
{%- endmacro %}


{#
    A landing file's path relative to the landing folder (events/events_2024-03-04.csv): row ids
    and lineage do not change when the folder moves, and a day-by-day load and a full refresh
    from another copy of the folder give identical tables.
#}
{% macro landing_file(path_column) -%}
    regexp_extract({{ path_column }}, '([^/]+/[^/]+)$', 1)
{%- endmacro %}
