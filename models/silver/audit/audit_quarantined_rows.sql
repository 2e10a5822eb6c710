{#
    One row per landed row that silver could not use, from every bronze table: where it came
    from, which row, its raw values and why. Nothing is dropped silently: every landed row is
    either kept, a duplicate of a kept row, or here (proved by audit_reconciliation).
#}
{%- set quarantine_sources = [
    {'table': 'raw_customers', 'model': 'stg_demo__customers', 'key': 'customer_id'},
    {'table': 'raw_products', 'model': 'stg_demo__products', 'key': 'product_id'},
    {'table': 'raw_offers', 'model': 'stg_demo__offers', 'key': 'offer_id'},
    {'table': 'raw_orders', 'model': 'int_orders_validated', 'key': 'order_id'},
    {'table': 'raw_order_lines', 'model': 'int_order_lines_validated',
     'key': "order_id || '#' || cast(line_number as varchar)"},
    {'table': 'raw_events', 'model': 'int_events_validated', 'key': 'event_id'},
] -%}

with

{% for q in quarantine_sources %}
{{ q.table }} as (

    select
        '{{ q.table }}' as source_table,
        source_row_id,
        {{ q.key }} as record_key,
        quarantine_reason as reason_code,
        raw_record
    from {{ ref(q.model) }}
    where quarantine_reason is not null

),

{% endfor %}

final as (

    {% for q in quarantine_sources %}
    select * from {{ q.table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
