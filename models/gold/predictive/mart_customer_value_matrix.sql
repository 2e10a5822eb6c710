{#
    One row per CLV tier (customer_clv) x engagement level (mart_rfm): how many purchasing
    customers sit in the cell, what they have spent and are predicted to spend, and the
    recommended action from seed clv_action_rules.

    The grid is every tier x every level (tiers of the seed and of the customers; levels of
    rfm_segment_rules and of the customers), so empty cells show 0 customers and a
    combination the seed does not cover shows a null action (the not_null test fails).
#}
with

customer_clv as (

    select * from {{ ref('customer_clv') }}

),

rfm as (

    select * from {{ ref('mart_rfm') }}

),

action_rules as (

    select * from {{ ref('clv_action_rules') }}

),

segment_rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

customers as (

    select
        customer_clv.customer_id,
        customer_clv.clv_tier,
        rfm.engagement_level,
        rfm.monetary,
        customer_clv.clv,
        customer_clv.p_alive,
        customer_clv.churn_risk,
        customer_clv.as_of_date
    from customer_clv
    inner join rfm on customer_clv.customer_id = rfm.customer_id

),

tiers as (

    select clv_tier from action_rules
    union
    select clv_tier from customers

),

levels as (

    select engagement_level from segment_rules
    union
    select engagement_level from customers

),

cells as (

    select
        clv_tier,
        engagement_level,
        count(*) as customers,
        sum(monetary) as revenue,
        -- doubles are summed as decimals: exact, so the result does not depend on the order
        -- in which parallel threads combine partial sums (byte-identical rebuilds)
        sum({{ double_to_decimal('clv', 18, 4) }}) as predicted_clv,
        avg({{ double_to_decimal('p_alive', 18, 12) }}) as average_p_alive,
        count(*) filter (where churn_risk) as churn_risk_customers
    from customers
    group by all

),

totals as (

    select
        count(*) as all_customers,
        sum(monetary) as all_revenue,
        max(as_of_date) as as_of_date
    from customers

),

final as (

    select
        -- strings
        tiers.clv_tier,
        levels.engagement_level,
        action_rules.recommended_action,
        action_rules.action_rationale,
        -- numerics
        cast(coalesce(cells.customers, 0) as integer) as customers,
        cast(coalesce(cells.revenue, 0) as decimal(18, 2)) as revenue,
        cast(coalesce(cells.predicted_clv, 0) as decimal(18, 2)) as predicted_clv,
        cast(cells.average_p_alive as double) as average_p_alive,
        cast(coalesce(cells.churn_risk_customers, 0) as integer) as churn_risk_customers,
        cast(coalesce(cells.customers, 0) as double)
        / nullif(totals.all_customers, 0) as share_of_customers,
        cast(coalesce(cells.revenue, 0) as double)
        / nullif(totals.all_revenue, 0) as share_of_revenue,
        -- dates
        totals.as_of_date
    from tiers
    cross join levels
    cross join totals
    left join cells
        on tiers.clv_tier = cells.clv_tier
            and levels.engagement_level = cells.engagement_level
    left join action_rules
        on tiers.clv_tier = action_rules.clv_tier
            and levels.engagement_level = action_rules.engagement_level

)

select * from final
