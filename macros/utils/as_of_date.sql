{#
    The date every analysis is relative to, as a SQL date expression.

    var as_of_date set (e.g. --vars '{as_of_date: 2024-12-31}') -> that date;
    var as_of_date null (default)                               -> the last date of the
        source's activity log in silver: the last kept event, or for a source system without
        an event log (Online Retail: invoices only) the last kept order.

    Never the wall clock: the same data gives the same marts on every rebuild.
    (Decided at compile time by var source_system, so a model's dependencies, and the inputs
    its unit tests mock, do not change with the data.)
#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date') -%}
    {%- if configured is not none and configured | string | trim != '' -%}
        cast('{{ configured }}' as date)
    {%- elif not source_provides('events') -%}
        (select max(cast(ordered_at as date)) from {{ ref('int_orders_deduplicated') }})
    {%- else -%}
        (select max(event_date) from {{ ref('int_events_sessionized') }})
    {%- endif -%}
{%- endmacro %}
