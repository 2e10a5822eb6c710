{#
    Per customer with an identified session that ended on or before as_of_date: the
    engagement ratios of macro customer_session_ratios (the definitions the classifiers use)
    and the customer's net revenue up to as_of_date (fct_orders.net_amount; 0 without orders).
    Empty for a source without events (its fct_sessions is empty).
#}
with

ratios as (

    {{ customer_session_ratios(as_of_date()) | indent(4) }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

revenue as (

    select
        orders.customer_id,
        count(*) filter (where orders.is_counted) as completed_orders,
        sum(orders.net_amount) as net_revenue
    from orders
    where orders.order_date <= {{ as_of_date() }}
        and orders.customer_id is not null
    group by orders.customer_id

),

final as (

    select
        -- ids
        ratios.customer_id,
        -- numerics
        cast(ratios.sessions as integer) as sessions,
        cast(ratios.active_days as integer) as active_days,
        cast(ratios.view_sessions as integer) as view_sessions,
        cast(ratios.cart_sessions as integer) as cart_sessions,
        cast(ratios.checkout_sessions as integer) as checkout_sessions,
        cast(ratios.purchase_sessions as integer) as purchase_sessions,
        ratios.cart_to_view_ratio,
        ratios.checkout_to_cart_ratio,
        ratios.purchase_to_session_ratio,
        ratios.sessions_per_active_day,
        cast(coalesce(revenue.completed_orders, 0) as integer) as completed_orders,
        cast(coalesce(revenue.net_revenue, 0) as double) as net_revenue,
        -- dates
        cast({{ as_of_date() }} as date) as as_of_date
    from ratios
    left join revenue
        on ratios.customer_id = revenue.customer_id

)

select * from final
