{#
    One row per dimension (customer, product, category) x entity: the points of the Lorenz
    curve of net revenue (the net revenue rule of fct_orders: gross - cancelled/returned,
    credit notes subtracted; product and category revenue from the pro-rata line amounts of
    fct_order_lines). An entity whose credits exceed its sales in the data (a credit note for a
    sale from before the data starts) keeps its negative net, so the totals reconcile with
    fct_orders; it ranks last.

    Population: the entities with at least one order or credit note by as_of_date, whatever
    its status, so a customer whose orders were all cancelled or returned is in it with 0.
    Entities are ranked by revenue (revenue_rank 1 = the largest; equal revenue by entity_id).
    Ascending (poorest first) gives the Lorenz curve: lorenz_population_share ->
    lorenz_revenue_share; descending gives the concentration curve: top_population_share ->
    top_revenue_share ("the top 20% of customers hold x% of revenue").
#}
with

as_of as (

    select {{ as_of_date() }} as as_of_date

),

orders as (

    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

),

order_lines as (

    select order_lines.*
    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where order_lines.order_date <= as_of.as_of_date

),

-- Every entity's sums in cents, decimal(38, 2), the type DuckDB gives the union of these
-- branches anyway (line shares are rounded half away from zero to cents per entity); said
-- explicitly so Spark does not keep the line shares' 4 places.
revenue_per_entity as (

    select
        'customer' as dimension,
        customer_id as entity_id,
        cast(sum(gross_amount) as decimal(38, 2)) as gross_revenue,
        cast(sum(cancelled_returned_amount) as decimal(38, 2)) as cancelled_returned_revenue,
        cast(sum(net_amount) as decimal(38, 2)) as net_revenue
    from orders
    group by all

    union all

    select
        'product' as dimension,
        product_id as entity_id,
        cast(sum(gross_line_amount) as decimal(38, 2)) as gross_revenue,
        cast(sum(cancelled_returned_line_amount) as decimal(38, 2)) as cancelled_returned_revenue,
        cast(sum(net_line_amount) as decimal(38, 2)) as net_revenue
    from order_lines
    group by all

    union all

    select
        'category' as dimension,
        category as entity_id,
        cast(sum(gross_line_amount) as decimal(38, 2)) as gross_revenue,
        cast(sum(cancelled_returned_line_amount) as decimal(38, 2)) as cancelled_returned_revenue,
        cast(sum(net_line_amount) as decimal(38, 2)) as net_revenue
    from order_lines
    group by all

),

ranked as (

    select
        dimension,
        entity_id,
        -- Kept decimal: sums of decimals are exact, so running and total sums do not depend
        -- on the order threads add them in (double sums can differ in the last bits between
        -- two builds of the same data). Shares are divided in double at the end.
        gross_revenue,
        cancelled_returned_revenue,
        net_revenue,
        row_number() over (
            partition by dimension
            order by net_revenue desc, entity_id asc nulls last
        ) as revenue_rank,
        count(*) over (partition by dimension) as entity_count,
        sum(net_revenue) over (partition by dimension) as total_net_revenue
    from revenue_per_entity

),

final as (

    select
        -- strings
        dimension,
        entity_id,
        -- numerics
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(cancelled_returned_revenue as decimal(18, 2)) as cancelled_returned_revenue,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(revenue_rank as integer) as revenue_rank,
        cast(entity_count as integer) as entity_count,
        cast(net_revenue as double) / nullif(cast(total_net_revenue as double), 0) as revenue_share,
        cast(revenue_rank as double) / entity_count as top_population_share,
        cast(sum(net_revenue) over (
            partition by dimension
            order by revenue_rank
            rows between unbounded preceding and current row
        ) as double) / nullif(cast(total_net_revenue as double), 0) as top_revenue_share,
        cast(entity_count - revenue_rank + 1 as double) / entity_count as lorenz_population_share,
        cast(sum(net_revenue) over (
            partition by dimension
            order by revenue_rank desc
            rows between unbounded preceding and current row
        ) as double) / nullif(cast(total_net_revenue as double), 0) as lorenz_revenue_share
    from ranked

)

select * from final
