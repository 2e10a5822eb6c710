{#- Staging (typing landed text): rows as structs and JSON, exact numerals, text timestamps. -#}

{#- A struct of every column of the from clause but `columns` (a list of names). -#}
{% macro struct_except(columns) -%}
    {{ return(adapter.dispatch('struct_except', 'customer_behaviour')(columns)) }}
{%- endmacro %}

{% macro default__struct_except(columns) -%}
    struct_pack(*columns(* exclude ({{ columns | join(', ') }})))
{%- endmacro %}

{% macro spark__struct_except(columns) -%}
    struct(* except ({{ columns | join(', ') }}))
{%- endmacro %}


{#- The JSON text of a struct `value`, fields in order, a NULL field written as null. -#}
{% macro struct_to_json(value) -%}
    {{ return(adapter.dispatch('struct_to_json', 'customer_behaviour')(value)) }}
{%- endmacro %}

{% macro default__struct_to_json(value) -%}
    to_json({{ value }})
{%- endmacro %}

{% macro spark__struct_to_json(value) -%}
    to_json({{ value }}, map('ignoreNullFields', 'false'))
{%- endmacro %}


{#- All matches of `pattern` in `text` replaced by `replacement` (DuckDB replaces only the
    first without 'g'; Spark's fourth argument is a position, not options). -#}
{% macro regexp_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'customer_behaviour')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}


{#- try_cast of a plain decimal numeral `text` to the integer or decimal `type`, for a numeral
    whose digits after the point the type holds (exact_cast checks that): Spark's try_cast
    refuses '2.0' and '2.' as an integer, DuckDB reads them; via decimal both read them. -#}
{% macro try_cast_numeral(text, type) -%}
    {{ return(adapter.dispatch('try_cast_numeral', 'customer_behaviour')(text, type)) }}
{%- endmacro %}

{% macro default__try_cast_numeral(text, type) -%}
    try_cast({{ text }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast_numeral(text, type) -%}
    {%- if type | trim | lower in ['tinyint', 'smallint', 'int', 'integer', 'bigint'] -%}
        try_cast(try_cast({{ text }} as decimal(38, 0)) as {{ type }})
    {%- else -%}
        try_cast({{ text }} as {{ type }})
    {%- endif -%}
{%- endmacro %}


{#- The discrete quantile `q` of timestamps (an aggregate; Spark's percentile_disc takes only
    numbers: it runs on the microseconds, exact below 2^53). Both take the first value whose
    cumulative share reaches q. -#}
{% macro timestamp_quantile_disc(timestamp, q) -%}
    {{ return(adapter.dispatch('timestamp_quantile_disc', 'customer_behaviour')(timestamp, q)) }}
{%- endmacro %}

{% macro default__timestamp_quantile_disc(timestamp, q) -%}
    quantile_disc({{ timestamp }}, {{ q }})
{%- endmacro %}

{% macro spark__timestamp_quantile_disc(timestamp, q) -%}
    timestamp_micros(cast(
        percentile_disc({{ q }}) within group (order by unix_micros({{ timestamp }})) as bigint
    ))
{%- endmacro %}


{#- The ISO-like texts DuckDB's timestamptz cast reads that Spark's cast reads the same way
    (docs/spark.md, Staging on Spark): a 4-digit year, - or / between date parts, T or spaces
    before the time, seconds and fraction optional, then Z, +hh, +hhmm, +hh:mm or a space and
    a zone name. Spark's cast alone also reads '2024', '2024-03', '+2024-03-04', a tab, ... -#}
{% macro spark_timestamp_text() -%}
    [0-9]{4}([-/])[0-9]{1,2}\1[0-9]{1,2}((T| +)[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]*)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?| [A-Za-z][A-Za-z_]*(/[A-Za-z_]+)*)?)?
{%- endmacro %}


{#- A text timestamp (ISO 8601 and its variants, see above), converted to a UTC timestamp
    (an offset or zone name converts; none: read as UTC). Null when it cannot be read. -#}
{% macro try_cast_timestamp_text(text) -%}
    {{ return(adapter.dispatch('try_cast_timestamp_text', 'customer_behaviour')(text)) }}
{%- endmacro %}

{% macro default__try_cast_timestamp_text(text) -%}
    cast(timezone('UTC', try_cast({{ text }} as timestamptz)) as timestamp)
{%- endmacro %}

{% macro spark__try_cast_timestamp_text(text) -%}
    {#- The date's / to -, runs of spaces before the time to one: the forms Spark's cast reads. -#}
    case
        when regexp_like({{ text }}, '^(?:{{ spark_timestamp_text() }})$')
            then try_cast(
                regexp_replace(
                    regexp_replace({{ text }}, '^([0-9]{4})/([0-9]{1,2})/', '$1-$2-'),
                    '^([^ T]+) +', '$1 '
                ) as timestamp
            )
    end
{%- endmacro %}


{#- The date of a text date or timestamp (its date part as written, as DuckDB's date cast
    reads it: '2024-03-04T23:00:00-05:00' is 2024-03-04). Null when it cannot be read. -#}
{% macro try_cast_date_text(text) -%}
    {{ return(adapter.dispatch('try_cast_date_text', 'customer_behaviour')(text)) }}
{%- endmacro %}

{% macro default__try_cast_date_text(text) -%}
    try_cast({{ text }} as date)
{%- endmacro %}

{% macro spark__try_cast_date_text(text) -%}
    case
        when regexp_like({{ text }}, '^(?:{{ spark_timestamp_text() }})$')
            and {{ try_cast_timestamp_text(text) }} is not null
            then try_cast(
                replace(regexp_extract({{ text }}, '^([0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})', 1), '/', '-')
                as date
            )
    end
{%- endmacro %}


{#- A text timestamp in the first of `formats` (DuckDB strptime codes: %Y %m %d %H %M %S %g)
    that reads it, as a UTC timestamp; null when none does. -#}
{% macro try_strptime_utc(text, formats) -%}
    {{ return(adapter.dispatch('try_strptime_utc', 'customer_behaviour')(text, formats)) }}
{%- endmacro %}

{% macro default__try_strptime_utc(text, formats) -%}
    try_strptime({{ text }}, [{% for f in formats %}'{{ f }}'{{ ", " if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro spark__try_strptime_utc(text, formats) -%}
    {%- set codes = {'%Y': 'yyyy', '%m': 'M', '%d': 'd', '%H': 'H', '%M': 'm', '%S': 's', '%g': 'SSS'} -%}
    coalesce(
        {%- for f in formats %}
        {%- set ns = namespace(spark=f) %}
        {%- for code, pattern in codes.items() %}{% set ns.spark = ns.spark | replace(code, pattern) %}{% endfor %}
        try_to_timestamp({{ text }}, '{{ ns.spark }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
