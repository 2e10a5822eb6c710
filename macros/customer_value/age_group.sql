{#
    Age groups from var age_group_brackets, a list of inclusive lower bounds in years.
    [18, 25, 35, 65] gives: 'under 18', '18-24', '25-34', '35-64', '65+'; a null age 'unknown'.
    An age equal to a bound belongs to the group that starts there (25 -> '25-34').
#}
{% macro age_group(age_column) -%}
    {%- set bounds = var('age_group_brackets') | sort -%}
    {%- set labels = age_group_labels() -%}
    case
        when {{ age_column }} is null then 'unknown'
        when {{ age_column }} < {{ bounds[0] }} then '{{ labels[0] }}'
        {%- for bound in bounds | reverse %}
        when {{ age_column }} >= {{ bound }} then '{{ labels[bounds | length - loop.index + 1] }}'
        {%- endfor %}
    end
{%- endmacro %}


{#- The labels age_group() can return, youngest first, then 'unknown' (a Python list). -#}
{% macro age_group_labels() -%}
    {%- set bounds = var('age_group_brackets') | sort -%}
    {%- set labels = ['under ' ~ bounds[0]] -%}
    {%- for bound in bounds -%}
        {%- if loop.last -%}
            {%- do labels.append(bound ~ '+') -%}
        {%- else -%}
            {%- do labels.append(bound ~ '-' ~ (bounds[loop.index] - 1)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do labels.append('unknown') -%}
    {{ return(labels) }}
{%- endmacro %}
