{#
    Tier of an offer's discount per dollar of minimum spend (discount_value / min_spend), from
    var discount_per_dollar_tier_edges = [medium_from, high_from] (inclusive lower bounds):
    below medium_from 'Low', from medium_from 'Medium', from high_from 'High'; null stays null.
#}
{% macro discount_per_dollar_tier(column) -%}
    {%- set edges = var('discount_per_dollar_tier_edges') | sort -%}
    {%- if edges | length != 2 -%}
        {{ exceptions.raise_compiler_error(
            "var discount_per_dollar_tier_edges must hold two numbers, got " ~ edges) }}
    {%- endif -%}
    case
        when {{ column }} is null then null
        when {{ column }} >= {{ edges[1] }} then 'High'
        when {{ column }} >= {{ edges[0] }} then 'Medium'
        else 'Low'
    end
{%- endmacro %}
