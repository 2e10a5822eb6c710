{#
    One row per landed order-line row with its final `quarantine_reason`: the row-level reason
    from staging, else an order or product that does not resolve. A line of a quarantined order
    is quarantined too (`unknown_order`): it cannot be attributed to a kept order. Else
    conflicting_redelivery: a valid copy of a line (order_id, line_number) whose content differs
    from the copy that is kept (kept_copy_order: the earliest delivered).
#}
with

order_lines as (

    select * from {{ staged('order_lines') }}

),

orders as (

    select order_id from {{ ref('int_orders_deduplicated') }}

),

products as (

    select product_id from {{ ref('int_products_deduplicated') }}

),

referenced as (

    select
        {{ star_except(['quarantine_reason'], 'order_lines') }},
        coalesce(
            order_lines.quarantine_reason,
            case
                when orders.order_id is null then 'unknown_order'
                when products.product_id is null then 'unknown_product'
            end
        ) as quarantine_reason
    from order_lines
    left join orders on order_lines.order_id = orders.order_id
    left join products on order_lines.product_id = products.product_id

),

final as (

    select
        {{ quarantine_conflicting_copies(
            'order_lines', ['order_id', 'line_number'],
            ['product_id', 'quantity', 'unit_price', 'line_amount'],
        ) }}
    from referenced

),

recorded as (

    {{ select_validated_rows('final', 'order_lines') }}

)

select * from recorded
