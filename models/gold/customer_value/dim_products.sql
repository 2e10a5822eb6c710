{#
    One row per silver product, with what it sold up to as_of_date: gross, cancelled/returned
    (credit notes included) and net revenue, the net revenue rule of fct_orders.
#}
with

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where order_date <= {{ as_of_date() }}

),

sales as (

    select
        product_id,
        count(distinct case when is_counted then order_id end) as orders_count,
        sum(case when is_counted then quantity else 0 end) as units_sold,
        sum(case when is_credit_note then quantity else 0 end) as units_credited,
        sum(gross_line_amount) as gross_revenue,
        sum(cancelled_returned_line_amount) as cancelled_returned_revenue,
        sum(net_line_amount) as net_revenue
    from order_lines
    group by all

),

final as (

    select
        -- ids
        products.product_id,
        -- strings
        products.product_name,
        products.category,
        products.category_path,
        products.brand,
        -- numerics
        cast(products.list_price as decimal(18, 2)) as list_price,
        cast(coalesce(sales.orders_count, 0) as integer) as orders_count,
        cast(coalesce(sales.units_sold, 0) as integer) as units_sold,
        cast(coalesce(sales.units_credited, 0) as integer) as units_credited,
        cast(coalesce(sales.gross_revenue, 0) as decimal(18, 4)) as gross_revenue,
        cast(coalesce(sales.cancelled_returned_revenue, 0) as decimal(18, 4))
            as cancelled_returned_revenue,
        cast(coalesce(sales.net_revenue, 0) as decimal(18, 4)) as net_revenue
    from products
    left join sales on products.product_id = sales.product_id

)

select * from final
