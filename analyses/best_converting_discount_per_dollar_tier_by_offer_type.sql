-- Which discount-per-dollar tier converts best in each offer type?
-- Conversion = customers who redeemed the offer in a completed order / customers it reached
-- (impression), summed over the offers of the type and tier (customer x offer pairs).
-- Drop the qualify line to see every tier.
with

tiers as (

    select
        offer_type,
        discount_per_dollar_tier,
        count(*) as offers,
        sum(customers_reached) as customers_reached,
        sum(converted_customers) as converted_customers,
        sum(converted_customers) / nullif(sum(customers_reached), 0) as conversion_rate
    from {{ ref('mart_offer_performance') }}
    group by all

)

select * from tiers
qualify
    row_number() over (
        partition by offer_type
        order by conversion_rate desc nulls last, customers_reached desc
    ) = 1
order by offer_type
