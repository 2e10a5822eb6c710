{#
    The start of the UTC quarter hour a timestamp falls in (10:37:12 -> 10:30:00). Every time
    zone in use today is offset from UTC by a whole number of quarter hours and changes its
    offset at a quarter-hour boundary, so a UTC quarter hour lies inside one local hour of any
    zone: counts per UTC quarter hour can be regrouped by local hour and weekday exactly, for
    whatever var reporting_timezone is.
#}
{% macro quarter_hour_start(timestamp) -%}
    {{ return(adapter.dispatch('quarter_hour_start', 'customer_behaviour')(timestamp)) }}
{%- endmacro %}


{% macro default__quarter_hour_start(timestamp) -%}
    {{ dbt.dateadd(
        'minute',
        '15 * floor(' ~ dbt.date_part('minute', timestamp) ~ ' / 15)',
        dbt.date_trunc('hour', timestamp),
    ) }}
{%- endmacro %}


{% macro spark__quarter_hour_start(timestamp) -%}
    timestamp_seconds(900 * floor(unix_seconds({{ timestamp }}) / 900))
{%- endmacro %}


{% macro duckdb__quarter_hour_start(timestamp) -%}
    time_bucket(interval 15 minute, {{ timestamp }})
{%- endmacro %}
