{#
    One row per silver order (sales documents and credit notes), whatever its status, with
    the amounts that count.

    The net revenue rule, the one home of it (every mart and the CLV inputs read these three
    columns, or their pro-rata shares in fct_order_lines): net = gross - cancelled/returned.
      completed    gross = subtotal - discount   cancelled_returned = 0       net = gross
      cancelled    gross = subtotal - discount   cancelled_returned = gross   net = 0
      returned     gross = subtotal - discount   cancelled_returned = gross   net = 0
      credit_note  gross = 0                     cancelled_returned = subtotal - discount
                                                                              net = -that
    (shipping is never revenue). A credit note (Online Retail's C invoices) reverses sales
    without naming the invoice it cancels: it carries the customer, the products and the date,
    so net per customer, product and day needs no link.
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
        cast(orders.subtotal_amount as decimal(18, 2)) as subtotal_amount,
        cast(orders.discount_amount as decimal(18, 2)) as discount_amount,
        cast(orders.shipping_amount as decimal(18, 2)) as shipping_amount,
        cast(orders.total_amount as decimal(18, 2)) as total_amount,
        cast(case
            when orders.order_status = 'credit_note' then 0
            else orders.subtotal_amount - orders.discount_amount
        end as decimal(18, 2)) as gross_amount,
        cast(case
            when orders.order_status = 'completed' then 0
            else orders.subtotal_amount - orders.discount_amount
        end as decimal(18, 2)) as cancelled_returned_amount,
        cast(case
            when orders.order_status = 'completed'
                then orders.subtotal_amount - orders.discount_amount
            when orders.order_status = 'credit_note'
                then orders.discount_amount - orders.subtotal_amount
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
        orders.order_status = 'credit_note' as is_credit_note,
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
