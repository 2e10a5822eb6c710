{#
    "Do higher engagement ratios go with higher revenue?": for each engagement ratio of
    fct_customer_engagement_ratios, the customers with a value for it cut into ten deciles
    (1 = the lowest ratios, 10 = the highest; ties by customer_id), with the revenue of each
    decile and, per ratio, the Spearman rank correlation of ratio and net revenue over the
    customers (positive: higher ratios go with higher revenue).
#}
with

customers as (

    select * from {{ ref('fct_customer_engagement_ratios') }}

),

ratio_values as (

    -- the SQL-standard unpivot (DuckDB and Spark); nulls are left out (filtered below anyway)
    select *
    from customers
    unpivot (
        ratio_value for ratio_name in (
            cart_to_view_ratio, checkout_to_cart_ratio, purchase_to_session_ratio,
            sessions_per_active_day
        )
    )

),

ranked as (

    select
        ratio_name,
        customer_id,
        ratio_value,
        net_revenue,
        ntile(10) over (partition by ratio_name order by ratio_value, customer_id) as ratio_decile,
        rank() over (partition by ratio_name order by ratio_value) as ratio_rank,
        rank() over (partition by ratio_name order by net_revenue) as revenue_rank
    from ratio_values
    where ratio_value is not null

),

wide_ranks as (

    -- the ranks as 128-bit (38-digit) integers: their products are summed exactly below
    select
        ratio_name,
        cast(ratio_rank as {{ type_wide_integer() }}) as ratio_rank,
        cast(revenue_rank as {{ type_wide_integer() }}) as revenue_rank
    from ranked

),

correlations as (

    -- Pearson correlation of the ranks from exact integer sums (128-bit), so the result does
    -- not depend on the order threads add rows in (corr() on doubles does, in its last bits)
    select
        ratio_name,
        cast(
            count(*) * sum(ratio_rank * revenue_rank)
            - sum(ratio_rank) * sum(revenue_rank) as double
        ) / nullif(sqrt(
            cast(
                count(*) * sum(ratio_rank * ratio_rank)
                - sum(ratio_rank) * sum(ratio_rank) as double
            )
            * cast(
                count(*) * sum(revenue_rank * revenue_rank)
                - sum(revenue_rank) * sum(revenue_rank)
                as double
            )
        ), 0) as ratio_revenue_rank_correlation
    from wide_ranks
    group by ratio_name

),

deciles as (

    select
        ratio_name,
        ratio_decile,
        count(*) as customers,
        min(ratio_value) as min_ratio,
        max(ratio_value) as max_ratio,
        -- decimal sum: exact, whatever order threads add the rows in
        avg(cast(ratio_value as decimal(38, 12))) as mean_ratio,
        {{ decimal_avg(double_to_decimal('net_revenue', 18, 2)) }} as mean_net_revenue,
        median(net_revenue) as median_net_revenue,
        sum({{ double_to_decimal('net_revenue', 18, 2) }}) as total_net_revenue
    from ranked
    group by ratio_name, ratio_decile

),

final as (

    select
        -- strings
        deciles.ratio_name,
        -- numerics
        cast(deciles.ratio_decile as integer) as ratio_decile,
        cast(deciles.customers as integer) as customers,
        cast(deciles.min_ratio as double) as min_ratio,
        cast(deciles.max_ratio as double) as max_ratio,
        cast(deciles.mean_ratio as double) as mean_ratio,
        cast(deciles.mean_net_revenue as double) as mean_net_revenue,
        cast(deciles.median_net_revenue as double) as median_net_revenue,
        cast(deciles.total_net_revenue as double) as total_net_revenue,
        cast(correlations.ratio_revenue_rank_correlation as double)
            as ratio_revenue_rank_correlation
    from deciles
    inner join correlations
        on deciles.ratio_name = correlations.ratio_name

)

select * from final
