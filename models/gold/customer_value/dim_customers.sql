{#
    One row per silver customer, described as of as_of_date.

    - lifetime_orders: completed orders; a purchaser has lifetime_orders >= 1.
    - lifetime_gross_spend - lifetime_cancelled_returned_spend = lifetime_net_spend: sums of
      the net revenue rule's amounts of fct_orders over all the customer's documents (credit
      notes subtract), so net can be below gross, and even negative.
    - is_active_user: any activity (a non-bot event or an order of any status) in the
      var active_window_days days ending on as_of_date (both ends included).
    - spend tiers: pd.qcut over purchasers' lifetime_net_spend (edges = linear-interpolated
      quantiles, bins closed on the right, lowest included); non-purchasers 'No Spend'. Equal
      spend always lands in the same tier.
    - customer_segment: 'VIP' = spend_tier_4 'VIP'; else 'Regular' with at least
      var regular_customer_min_orders completed orders; else 'New' (0 or fewer orders).
#}
with

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

orders as (

    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

),

events as (

    select
        events.customer_id,
        events.event_date
    from {{ ref('int_events_sessionized') }} as events
    cross join as_of
    where
        not events.is_bot
        and events.customer_id is not null
        and events.event_date <= as_of.as_of_date

),

order_summary as (

    select
        customer_id,
        count(*) filter (where not is_credit_note) as orders_placed,
        count(*) filter (where is_counted) as lifetime_orders,
        count(*) filter (where order_status = 'cancelled') as cancelled_orders,
        count(*) filter (where order_status = 'returned') as returned_orders,
        count(*) filter (where is_credit_note) as credit_notes,
        sum(gross_amount) as lifetime_gross_spend,
        sum(cancelled_returned_amount) as lifetime_cancelled_returned_spend,
        sum(net_amount) as lifetime_net_spend,
        min(ordered_at) filter (where is_counted) as first_order_at,
        max(ordered_at) filter (where is_counted) as last_order_at,
        max(order_date) as last_order_placed_date
    from orders
    group by all

),

event_summary as (

    select
        customer_id,
        max(event_date) as last_event_date
    from events
    group by all

),

customers_summarised as (

    select
        customers.*,
        as_of.as_of_date,
        extract(year from as_of.as_of_date) - customers.birth_year as age_years,
        coalesce(order_summary.orders_placed, 0) as orders_placed,
        coalesce(order_summary.lifetime_orders, 0) as lifetime_orders,
        coalesce(order_summary.cancelled_orders, 0) as cancelled_orders,
        coalesce(order_summary.returned_orders, 0) as returned_orders,
        coalesce(order_summary.credit_notes, 0) as credit_notes,
        coalesce(order_summary.lifetime_gross_spend, 0) as lifetime_gross_spend,
        coalesce(order_summary.lifetime_cancelled_returned_spend, 0)
            as lifetime_cancelled_returned_spend,
        coalesce(order_summary.lifetime_net_spend, 0) as lifetime_net_spend,
        cast(coalesce(order_summary.lifetime_net_spend, 0) as double) as tier_spend,
        order_summary.first_order_at,
        order_summary.last_order_at,
        greatest(event_summary.last_event_date, order_summary.last_order_placed_date)
            as last_activity_date
    from customers
    cross join as_of
    left join order_summary on customers.customer_id = order_summary.customer_id
    left join event_summary on customers.customer_id = event_summary.customer_id

),

tier_edges as (

    -- quantile_cont interpolates linearly like pandas/numpy quantiles; with `<=` below this is
    -- pd.qcut: bins closed on the right, the lowest value in the first bin.
    select
        percentile_cont(cast(1 as double) / 3) within group (order by tier_spend) as tier_3_low_max,
        percentile_cont(cast(2 as double) / 3) within group (order by tier_spend)
            as tier_3_medium_max,
        percentile_cont(0.25) within group (order by tier_spend) as tier_4_low_max,
        percentile_cont(0.50) within group (order by tier_spend) as tier_4_medium_max,
        percentile_cont(0.75) within group (order by tier_spend) as tier_4_high_max
    from customers_summarised
    where lifetime_orders > 0

),

tiered as (

    select
        customers_summarised.*,
        case
            when customers_summarised.lifetime_orders = 0 then 'No Spend'
            when customers_summarised.tier_spend <= tier_edges.tier_3_low_max
                then 'Low'
            when customers_summarised.tier_spend <= tier_edges.tier_3_medium_max
                then 'Medium'
            else 'High'
        end as spend_tier_3,
        case
            when customers_summarised.lifetime_orders = 0 then 'No Spend'
            when customers_summarised.tier_spend <= tier_edges.tier_4_low_max
                then 'Low'
            when customers_summarised.tier_spend <= tier_edges.tier_4_medium_max
                then 'Medium'
            when customers_summarised.tier_spend <= tier_edges.tier_4_high_max
                then 'High'
            else 'VIP'
        end as spend_tier_4
    from customers_summarised
    cross join tier_edges

),

final as (

    select
        -- ids
        customer_id,
        -- strings
        gender,
        country_code,
        acquisition_channel,
        subscription_status,
        {{ age_group('age_years') }} as age_group,
        spend_tier_3,
        spend_tier_4,
        case
            when spend_tier_4 = 'VIP' then 'VIP'
            when lifetime_orders >= {{ var('regular_customer_min_orders') }} then 'Regular'
            else 'New'
        end as customer_segment,
        -- numerics
        birth_year,
        cast(age_years as integer) as age_years,
        cast(orders_placed as integer) as orders_placed,
        cast(lifetime_orders as integer) as lifetime_orders,
        cast(cancelled_orders as integer) as cancelled_orders,
        cast(returned_orders as integer) as returned_orders,
        cast(credit_notes as integer) as credit_notes,
        cast(lifetime_gross_spend as decimal(18, 2)) as lifetime_gross_spend,
        cast(lifetime_cancelled_returned_spend as decimal(18, 2))
            as lifetime_cancelled_returned_spend,
        cast(lifetime_net_spend as decimal(18, 2)) as lifetime_net_spend,
        {{ double_to_decimal(
            'cast(lifetime_net_spend as double) / nullif(lifetime_orders, 0)', 18, 2
        ) }} as average_order_value,
        -- booleans
        lifetime_orders > 0 as is_purchaser,
        coalesce(
            last_activity_date
            > {{ dbt.dateadd('day', -var('active_window_days'), 'as_of_date') }},
            false
        ) as is_active_user,
        -- dates
        cast({{ dbt.date_trunc('month', 'first_order_at') }} as date) as acquisition_cohort_month,
        cast({{ dbt.date_trunc('month', 'signed_up_at') }} as date) as signup_month,
        last_activity_date,
        as_of_date,
        -- timestamps
        signed_up_at,
        first_order_at,
        last_order_at
    from tiered

)

select * from final
