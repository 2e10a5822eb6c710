{#
    Normalise a free-text enum as landed: trim, lower-case, inner runs of spaces or hyphens to
    one underscore; empty becomes null. ' Add_To_Cart ' -> 'add_to_cart', 'PAGE VIEW' -> 'page_view'.
    Whether the result is an accepted value is checked by the caller against a var list.
#}
{% macro clean_enum(column) -%}
    nullif({{ regexp_replace_all('lower(trim(' ~ column ~ '))', "'[\\t\\n\\f\\r \\-]+'", "'_'") }}, '')
{%- endmacro %}


{#- Trimmed text (spaces, as trim()), empty as null. Values without a leading or trailing
    space are passed through untouched instead of copied by trim(): at 10M rows with long
    user agents that copy was a sixth of the staging model's time. -#}
{% macro clean_text(column) -%}
    nullif(
        case
            when {{ starts_with(column, "' '") }} or {{ ends_with(column, "' '") }}
                then trim({{ column }})
            else {{ column }}
        end,
        ''
    )
{%- endmacro %}


{#- SQL list literal of a var holding accepted values: ('a', 'b'), each quoted by sql_string;
    `origin` names the var in the error for a value that cannot be quoted. -#}
{% macro sql_list(values, origin='a var of accepted values') -%}
    ({%- for v in values -%}{{ sql_string(v, origin) }}{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}
