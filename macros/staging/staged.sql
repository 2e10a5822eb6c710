{#
    The staging model of one canonical entity for the source system in use (var source_system):

        select * from {{ staged('events') }}   ->  ref('stg_<source_system>__events')

    Every source system provides the same six staging relations (customers, products, offers,
    orders, order_lines, events) with the same columns as stg_demo__*, so the intermediate
    models, the audit and every mart run unchanged on any of them. Returns the relation (a
    macro that needs its columns can read them).
#}
{% macro staged(entity) -%}
    {{ return(ref('stg_' ~ var('source_system') ~ '__' ~ entity)) }}
{%- endmacro %}
