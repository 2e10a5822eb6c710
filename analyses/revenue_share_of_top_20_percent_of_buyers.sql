-- What share of revenue comes from the top 20% of buyers?
-- Buyers = customers who placed at least one order by as_of_date; the top 20% are the
-- ceil(20% x n) with the highest net spend (completed orders; cancelled and returned count 0).
select
    entity_count as buyers,
    total_net_revenue,
    top_20_pct_revenue_share,
    top_10_pct_revenue_share,
    top_1_pct_revenue_share,
    gini_coefficient
from {{ ref('mart_concentration_summary') }}
where dimension = 'customer'
