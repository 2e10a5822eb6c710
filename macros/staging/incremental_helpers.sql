{#
    The delivery date of a landing file, taken from the first YYYY-MM-DD in its file name
    (events_2024-03-04.csv -> 2024-03-04); null for seeds or a name without a date.
#}
{% macro arrival_date(source_file_column) -%}
    try_cast(regexp_extract({{ source_file_column }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})[^/]*$', 1) as date)
{%- endmacro %}
