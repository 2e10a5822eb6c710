{#- Row shapes: star with exceptions, JSON objects, wide integers, row hashes. -#}

{#- Every column of `relation` (a table alias; none = the from clause) but `columns` (a list). -#}
{% macro star_except(columns, relation=none) -%}
    {{ return(adapter.dispatch('star_except', 'customer_behaviour')(columns, relation)) }}
{%- endmacro %}

{% macro default__star_except(columns, relation=none) -%}
    {% if relation %}{{ relation }}.{% endif %}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns, relation=none) -%}
    {% if relation %}{{ relation }}.{% endif %}* except ({{ columns | join(', ') }})
{%- endmacro %}


{#- A JSON object text of `fields`, a list of (key, SQL expression) pairs, keys in that order;
    a NULL value is written as null (not left out). -#}
{% macro json_object(fields) -%}
    {{ return(adapter.dispatch('json_object', 'customer_behaviour')(fields)) }}
{%- endmacro %}

{% macro default__json_object(fields) -%}
    to_json(struct_pack(
        {%- for key, value in fields %}
        {{ key }} := {{ value }}{{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro spark__json_object(fields) -%}
    to_json(named_struct(
        {%- for key, value in fields %}
        '{{ key }}', {{ value }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}


{#- The JSON type of a column that holds a JSON text (Spark has none: text). -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__type_json() -%}json{%- endmacro %}

{% macro spark__type_json() -%}string{%- endmacro %}


{#- An integer type wide enough for sums of products of 64-bit integers (no overflow). -#}
{% macro type_wide_integer() -%}
    {{ return(adapter.dispatch('type_wide_integer', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__type_wide_integer() -%}hugeint{%- endmacro %}

{% macro spark__type_wide_integer() -%}decimal(38, 0){%- endmacro %}


{#- A 64-bit hash of SQL expressions (`values`, a list), the same for the same values within
    one engine (DuckDB and Spark give different hashes: never compare them across engines). A
    value may be a table alias: its whole row. -#}
{% macro row_hash(values) -%}
    {{ return(adapter.dispatch('row_hash', 'customer_behaviour')(values)) }}
{%- endmacro %}

{% macro default__row_hash(values) -%}
    hash({{ values | join(', ') }})
{%- endmacro %}

{#- xxhash64 skips NULL arguments, so each value is followed by whether it is NULL: (NULL, 'x')
    and ('x', NULL) hash differently, as on DuckDB. -#}
{% macro spark__row_hash(values) -%}
    xxhash64({% for v in values %}{% if v is string and v.isidentifier() %}struct({{ v }}.*){% else %}{{ v }}, isnull({{ v }}){% endif %}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}


{#- row_hash of column expressions (each in parentheses, so a bare column name is never read
    as a table alias). -#}
{% macro columns_hash(columns) -%}
    {%- set values = [] -%}
    {%- for c in columns -%}{%- do values.append('(' ~ c ~ ')') -%}{%- endfor -%}
    {{ row_hash(values) }}
{%- endmacro %}
