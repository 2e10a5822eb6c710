-- How do customers engage with offers by spend tier (spend_tier_4: No Spend, Low, Medium,
-- High, VIP quartiles of net spend)? CTR, conversion of reached customer x offer pairs, and
-- the savings they got, all offers together.
select
    spend_tier_4,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(clicks) / nullif(sum(impressions), 0) as ctr,
    sum(customers_reached) as customers_reached,
    sum(converted_customers) as converted_customers,
    sum(converted_customers) / nullif(sum(customers_reached), 0) as conversion_rate,
    sum(total_savings) as total_savings
from {{ ref('mart_offer_engagement') }}
group by spend_tier_4
order by case spend_tier_4
    when 'No Spend' then 0 when 'Low' then 1 when 'Medium' then 2 when 'High' then 3 else 4
end
