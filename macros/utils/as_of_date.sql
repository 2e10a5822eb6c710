{#
    The date every analysis is relative to, as a SQL date expression.

    var as_of_date set (e.g. --vars '{as_of_date: 2024-12-31}') -> that date;
    var as_of_date null (default)                               -> the last event date in silver.

    Never the wall clock: the same data gives the same marts on every rebuild.
#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date') -%}
    {%- if configured is not none and configured | string | trim != '' -%}
        cast('{{ configured }}' as date)
    {%- else -%}
        (select max(event_date) from {{ ref('int_events_sessionized') }})
    {%- endif -%}
{%- endmacro %}
