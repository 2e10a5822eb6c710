-- What is the click-through rate of each offer category for active vs inactive customers?
-- Active = any activity in the var active_window_days days ending on as_of_date
-- (dim_customers.is_active_user). Identified customers' non-bot impressions and clicks only.
-- Rates are recomputed from summed counts, never averaged.
select
    offer_category,
    customer_activity,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(clicks) / nullif(sum(impressions), 0) as ctr
from {{ ref('mart_offer_engagement') }}
group by all
order by offer_category, customer_activity
