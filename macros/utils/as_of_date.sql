{#
    The date every analysis is relative to, as a SQL date expression.

    var as_of_date set (e.g. --vars '{as_of_date: 2024-12-31}') -> that date;
    var as_of_date null (default)                               -> the last date of the
        source's activity log in silver: the last kept event, or for a source system without
        an event log (Online Retail: invoices only) the last kept order.

    Never the wall clock: the same data gives the same marts on every rebuild.
    A set value must be a real calendar date written YYYY-MM-DD (as_of_date_literal); anything
    else is a compiler error naming the var and the value, never pasted into SQL.
    (Decided at compile time by var source_system, so a model's dependencies, and the inputs
    its unit tests mock, do not change with the data.)
#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date') -%}
    {%- if configured is not none and configured | string | trim != '' -%}
        {{ as_of_date_literal(configured) }}
    {%- elif not source_provides('events') -%}
        (select max(cast(ordered_at as date)) from {{ ref('int_orders_deduplicated') }})
    {%- else -%}
        (select max(event_date) from {{ ref('int_events_sessionized') }})
    {%- endif -%}
{%- endmacro %}



{#- var as_of_date as a SQL date literal, after checking it is a real date YYYY-MM-DD
    (2024-02-30, 2024-2-3, '2024-12-31; drop ...' are compiler errors). -#}
{% macro as_of_date_literal(value) -%}
    {%- set text = value | string | trim -%}
    {%- set parts = modules.re.fullmatch('([0-9]{4})-([0-9]{2})-([0-9]{2})', text) -%}
    {%- set is_date = false -%}
    {%- if parts -%}
        {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
        {%- if year >= 1 and 1 <= month <= 12 and day >= 1 -%}
            {#- The month's last day: 31 for December, else the day before the next first. -#}
            {%- set last_day = 31 if month == 12 else (
                modules.datetime.date(year, month + 1, 1) - modules.datetime.timedelta(days=1)
            ).day -%}
            {%- set is_date = day <= last_day -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not is_date -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date must be a date written YYYY-MM-DD (or null for the last activity "
            ~ "date), got: " ~ (value | string)[:200]) }}
    {%- endif -%}
    cast({{ sql_string(text, 'var as_of_date') }} as date)
{%- endmacro %}
