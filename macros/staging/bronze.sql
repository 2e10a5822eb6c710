{#
    The bronze relation for one landed table. Staging models read bronze only through this
    macro, so the same silver and gold run on the built-in seeds or on a landing folder:

        select * from {{ bronze('events') }}

    var bronze_source = 'seeds'   -> ref('raw_<table>')            (seeds/bronze/raw_<table>.csv)
    var bronze_source = 'landing' -> source('landing', '<table>')  (files in the landing folder)
#}
{% macro bronze(table_name) -%}
    {%- set kind = var('bronze_source') -%}
    {%- if kind == 'seeds' -%}
        {{ ref('raw_' ~ table_name) }}
    {%- elif kind == 'landing' -%}
        {{ source('landing', table_name) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var bronze_source must be 'seeds' or 'landing', got '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}
