-- What are the top 10 converting offers?
-- Ranked by the Wilson lower bound of conversion (converted customers / customers reached,
-- z = var wilson_z), so a small lucky sample does not beat a large steady one; only offers
-- reached by at least var min_offer_exposure customers are ranked.
select
    conversion_rank,
    offer_id,
    offer_name,
    offer_type,
    offer_category,
    discount_per_dollar_tier,
    customers_reached,
    converted_customers,
    conversion_rate,
    conversion_wilson_lower_bound,
    ctr,
    total_discount_given
from {{ ref('mart_offer_performance') }}
where conversion_rank <= 10
order by conversion_rank
