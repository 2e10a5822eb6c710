{#- Dates and times that DuckDB and Spark spell differently (both sessions run in UTC). -#}

{#- One row per value from `start` to `stop` inclusive, stepping by `step` (a SQL expression:
    a number, or an interval for dates), as a select-list expression named by the caller. -#}
{% macro explode_series(start, stop, step='1') -%}
    {{ return(adapter.dispatch('explode_series', 'customer_behaviour')(start, stop, step)) }}
{%- endmacro %}

{% macro default__explode_series(start, stop, step='1') -%}
    unnest(generate_series({{ start }}, {{ stop }}, {{ step }}))
{%- endmacro %}

{% macro spark__explode_series(start, stop, step='1') -%}
    explode(sequence({{ start }}, {{ stop }}, {{ step }}))
{%- endmacro %}


{#- The wall-clock time in IANA zone `tz` (a SQL expression) of a UTC `timestamp`. -#}
{% macro utc_to_local(timestamp, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'customer_behaviour')(timestamp, tz)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp, tz) -%}
    timezone({{ tz }}, timezone('UTC', {{ timestamp }}))
{%- endmacro %}

{% macro spark__utc_to_local(timestamp, tz) -%}
    from_utc_timestamp({{ timestamp }}, {{ tz }})
{%- endmacro %}


{#- The UTC time of a wall-clock `timestamp` in IANA zone `tz` (a SQL expression). -#}
{% macro local_to_utc(timestamp, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'customer_behaviour')(timestamp, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc(timestamp, tz) -%}
    timezone('UTC', timezone({{ tz }}, {{ timestamp }}))
{%- endmacro %}

{% macro spark__local_to_utc(timestamp, tz) -%}
    to_utc_timestamp({{ timestamp }}, {{ tz }})
{%- endmacro %}


{#- ISO day of week of a date or timestamp: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(value) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'customer_behaviour')(value)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(value) -%}
    isodow({{ value }})
{%- endmacro %}

{% macro spark__iso_day_of_week(value) -%}
    (weekday({{ value }}) + 1)
{%- endmacro %}


{#- A date or timestamp as 'YYYY-MM' text. -#}
{% macro year_month_text(value) -%}
    {{ return(adapter.dispatch('year_month_text', 'customer_behaviour')(value)) }}
{%- endmacro %}

{% macro default__year_month_text(value) -%}
    strftime({{ value }}, '%Y-%m')
{%- endmacro %}

{% macro spark__year_month_text(value) -%}
    date_format({{ value }}, 'yyyy-MM')
{%- endmacro %}


{#- The timestamp `n` whole hours (a SQL integer expression) after `timestamp`. -#}
{% macro add_hours(timestamp, n) -%}
    {{ return(adapter.dispatch('add_hours', 'customer_behaviour')(timestamp, n)) }}
{%- endmacro %}

{% macro default__add_hours(timestamp, n) -%}
    ({{ timestamp }} + to_hours(cast({{ n }} as bigint)))
{%- endmacro %}

{% macro spark__add_hours(timestamp, n) -%}
    timestampadd(hour, {{ n }}, {{ timestamp }})
{%- endmacro %}


{#- The UTC timestamp `ms` milliseconds after 1970-01-01 00:00:00 (a SQL bigint expression). -#}
{% macro timestamp_from_epoch_ms(ms) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_ms', 'customer_behaviour')(ms)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_ms(ms) -%}
    epoch_ms({{ ms }})
{%- endmacro %}

{% macro spark__timestamp_from_epoch_ms(ms) -%}
    timestamp_millis({{ ms }})
{%- endmacro %}
