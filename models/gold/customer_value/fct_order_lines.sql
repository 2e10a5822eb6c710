{#
    One row per silver order line, with its order's status and customer and its product's
    category. gross_ and cancelled_returned_line_amount share the order's amounts (the net
    revenue rule of fct_orders) among its lines in proportion to line_amount, so the lines of
    an order add up to the order's amounts (to rounding at 4 decimals), and net_line_amount
    is their difference: product and category revenue follow the same rule as customer
    revenue. A credit note's lines carry negative net.
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
        orders.is_credit_note,
        orders.gross_amount as order_gross_amount,
        orders.cancelled_returned_amount as order_cancelled_returned_amount,
        orders.order_date,
        orders.ordered_at,
        sum(order_lines.line_amount) over (partition by order_lines.order_id) as order_lines_amount
    from order_lines
    inner join orders on order_lines.order_id = orders.order_id

),

lines_shared as (

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
        {%- for amount in ['gross', 'cancelled_returned'] %}
            {#- the share divided in double (as DuckDB divides decimals), rounded as DuckDB does #}
            {%- set order_amount = 'lines_allocated.order_' ~ amount ~ '_amount' %}
            {{ double_to_decimal(
                'case when lines_allocated.order_lines_amount > 0 then cast('
                ~ order_amount ~ ' * lines_allocated.line_amount as double)'
                ~ ' / cast(lines_allocated.order_lines_amount as double) else 0 end',
                18, 4
            ) }} as {{ amount }}_line_amount,
        {%- endfor %}
        -- booleans
        lines_allocated.is_counted,
        lines_allocated.is_credit_note,
        -- dates and timestamps
        lines_allocated.order_date,
        lines_allocated.ordered_at
    from lines_allocated
    inner join products on lines_allocated.product_id = products.product_id

),

final as (

    select
        {{ star_except(['is_counted', 'is_credit_note', 'order_date', 'ordered_at']) }},
        -- net = gross - cancelled/returned on the rounded shares, so the identity holds
        -- exactly at every level the lines are summed to
        cast(gross_line_amount - cancelled_returned_line_amount as decimal(18, 4))
            as net_line_amount,
        is_counted,
        is_credit_note,
        order_date,
        ordered_at
    from lines_shared

)

select * from final
