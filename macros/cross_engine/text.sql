{#- Text and pattern functions that DuckDB and Spark spell differently. -#}

{#- Whether the whole of `text` matches the regular expression `pattern` (both SQL expressions). -#}
{% macro regexp_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'customer_behaviour')(text, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_full_match(text, pattern) -%}
    regexp_like({{ text }}, concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{#- Whether `text` contains a match of `pattern` anywhere; `options` 'i' = case-insensitive. -#}
{% macro regexp_contains(text, pattern, options='') -%}
    {{ return(adapter.dispatch('regexp_contains', 'customer_behaviour')(text, pattern, options)) }}
{%- endmacro %}

{% macro default__regexp_contains(text, pattern, options='') -%}
    regexp_matches({{ text }}, {{ pattern }}{% if options %}, '{{ options }}'{% endif %})
{%- endmacro %}

{% macro spark__regexp_contains(text, pattern, options='') -%}
    regexp_like({{ text }}, {% if options %}concat('(?{{ options }})', {{ pattern }}){% else %}{{ pattern }}{% endif %})
{%- endmacro %}


{#- Whether `text` starts / ends with `affix` (both SQL expressions). -#}
{% macro starts_with(text, affix) -%}
    {{ return(adapter.dispatch('starts_with', 'customer_behaviour')(text, affix)) }}
{%- endmacro %}

{% macro default__starts_with(text, affix) -%}
    starts_with({{ text }}, {{ affix }})
{%- endmacro %}

{% macro spark__starts_with(text, affix) -%}
    startswith({{ text }}, {{ affix }})
{%- endmacro %}

{% macro ends_with(text, affix) -%}
    {{ return(adapter.dispatch('ends_with', 'customer_behaviour')(text, affix)) }}
{%- endmacro %}

{% macro default__ends_with(text, affix) -%}
    ends_with({{ text }}, {{ affix }})
{%- endmacro %}

{% macro spark__ends_with(text, affix) -%}
    endswith({{ text }}, {{ affix }})
{%- endmacro %}


{#- The elements of an array of text joined by `separator` (a SQL expression). -#}
{% macro array_join_text(array, separator) -%}
    {{ return(adapter.dispatch('array_join_text', 'customer_behaviour')(array, separator)) }}
{%- endmacro %}

{% macro default__array_join_text(array, separator) -%}
    array_to_string({{ array }}, {{ separator }})
{%- endmacro %}

{% macro spark__array_join_text(array, separator) -%}
    array_join({{ array }}, {{ separator }})
{%- endmacro %}


{#- The first `n` elements of an array (1-based, as both engines' slices). -#}
{% macro array_head(array, n) -%}
    {{ return(adapter.dispatch('array_head', 'customer_behaviour')(array, n)) }}
{%- endmacro %}

{% macro default__array_head(array, n) -%}
    {{ array }}[1:{{ n }}]
{%- endmacro %}

{% macro spark__array_head(array, n) -%}
    slice({{ array }}, 1, {{ n }})
{%- endmacro %}
