-- How does net revenue split by age group and subscription status?
-- Net spend by as_of_date: completed orders only (cancelled and returned count 0).
select
    age_group,
    subscription_status,
    count(*) as customers,
    count(*) filter (where is_purchaser) as purchasers,
    sum(lifetime_net_spend) as net_revenue,
    sum(lifetime_net_spend) / sum(sum(lifetime_net_spend)) over () as revenue_share,
    sum(lifetime_net_spend) / count(*) as revenue_per_customer
from {{ ref('dim_customers') }}
group by all
order by age_group, subscription_status
