{#
    One row per silver order line, with its order's status and customer and its product's
    category. net_line_amount shares the order's net_amount (see fct_orders) among its lines in
    proportion to line_amount, so the lines of an order add up to the order's net spend (to
    rounding at 4 decimals): product and category revenue use the same rule as customer spend.
#}
with

order_lines as (

    select * from {{ ref('int_order_lines_deduplicated') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

lines_allocated as (

    select
        order_lines.*,
        orders.customer_id,
        orders.order_status,
        orders.is_counted,
        orders.net_amount as order_net_amount,
        orders.order_date,
        orders.ordered_at,
        sum(order_lines.line_amount) over (partition by order_lines.order_id) as order_lines_amount
    from order_lines
    inner join orders on order_lines.order_id = orders.order_id

),

final as (

    select
        -- ids
        lines_allocated.order_id,
        lines_allocated.line_number,
        lines_allocated.customer_id,
        lines_allocated.product_id,
        -- strings
        products.category,
        lines_allocated.order_status,
        -- numerics
        lines_allocated.quantity,
        cast(lines_allocated.unit_price as decimal(18, 2)) as unit_price,
        cast(lines_allocated.line_amount as decimal(18, 2)) as line_amount,
        cast(case
            when lines_allocated.order_lines_amount > 0
                then
                    lines_allocated.order_net_amount * lines_allocated.line_amount
                    / lines_allocated.order_lines_amount
            else 0
        end as decimal(18, 4)) as net_line_amount,
        -- booleans
        lines_allocated.is_counted,
        -- dates and timestamps
        lines_allocated.order_date,
        lines_allocated.ordered_at
    from lines_allocated
    inner join products on lines_allocated.product_id = products.product_id

)

select * from final
