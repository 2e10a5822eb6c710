{#
    Parse a landed text timestamp into a UTC `timestamp` (no time zone; every *_at column in
    silver and gold is UTC). Returns null when the text cannot be read; the caller quarantines
    such rows with reason `invalid_timestamp`. Accepted forms:

      2024-03-04T12:34:56.123Z         ISO 8601 with Z
      2024-03-04 13:34:56+01:00        ISO 8601 with an offset (converted to UTC)
      2024-03-04 12:34:56              naive ISO: read as UTC (the profile sets TimeZone=UTC)
      2024/03/04 12:34:56              slashes: read as UTC
      1709555696123 / 1709555696       epoch milliseconds / seconds
#}
{% macro parse_timestamp_utc(column) -%}
    {%- set t = "trim(" ~ column ~ ")" -%}
    {#- The ISO cast first: it reads almost every row, and it never reads a string of digits
        (so epoch values still reach their branch); the regexes run only for what it left. -#}
    coalesce(
        {{ try_cast_timestamp_text(t) }},
        case
            when {{ regexp_full_match(t, "'[0-9]{13}'") }}
                then {{ timestamp_from_epoch_ms('cast(' ~ t ~ ' as bigint)') }}
            when {{ regexp_full_match(t, "'[0-9]{10}'") }}
                then {{ timestamp_from_epoch_ms('cast(' ~ t ~ ' as bigint) * 1000') }}
        end,
        {{ try_strptime_utc(t, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M:%S.%g', '%Y/%m/%d']) }}
    )
{%- endmacro %}


{#- Parse a landed text date (YYYY-MM-DD, or any form parse_timestamp_utc reads). -#}
{% macro parse_date(column) -%}
    coalesce(
        {{ try_cast_date_text('trim(' ~ column ~ ')') }},
        cast({{ parse_timestamp_utc(column) }} as date)
    )
{%- endmacro %}
