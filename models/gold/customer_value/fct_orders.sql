{#
    One row per silver order, whatever its status, with the amounts that count.

    Net spend rule (every customer-value mart uses it through net_amount):
      completed -> net_amount = subtotal - discount (merchandise value paid; shipping excluded)
      cancelled -> net_amount = 0 (never paid)
      returned  -> net_amount = 0 (refunded in full)
    Orders after as_of_date stay here; marts keep only order_date <= as_of_date.
#}
with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_deduplicated') }}

),

lines_per_order as (

    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_quantity
    from order_lines
    group by all

),

final as (

    select
        -- ids
        orders.order_id,
        orders.customer_id,
        orders.offer_id,
        -- strings
        orders.order_status,
        -- numerics
        cast(orders.subtotal_amount as decimal(18, 2)) as gross_amount,
        cast(orders.discount_amount as decimal(18, 2)) as discount_amount,
        cast(orders.shipping_amount as decimal(18, 2)) as shipping_amount,
        cast(orders.total_amount as decimal(18, 2)) as total_amount,
        cast(case
            when orders.order_status = 'completed'
                then orders.subtotal_amount - orders.discount_amount
            else 0
        end as decimal(18, 2)) as net_amount,
        cast(coalesce(lines_per_order.line_count, 0) as integer) as line_count,
        cast(coalesce(lines_per_order.item_quantity, 0) as integer) as item_quantity,
        cast(row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as integer) as customer_order_number,
        -- booleans
        orders.order_status = 'completed' as is_counted,
        orders.offer_id is not null as has_offer,
        row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) = 1 as is_first_order,
        -- dates and timestamps
        cast(orders.ordered_at as date) as order_date,
        orders.ordered_at,
        lag(orders.ordered_at) over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as previous_ordered_at
    from orders
    left join lines_per_order on orders.order_id = lines_per_order.order_id

)

select * from final
