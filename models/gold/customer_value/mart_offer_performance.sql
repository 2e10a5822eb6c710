{#
    One row per offer: reach, clicks, redemptions and conversion up to as_of_date.

    impressions / clicks: every non-bot offer_impression / offer_click event (anonymous
    visitors included), added up from fct_visitor_offers; ctr = clicks / impressions.
    customers_reached: distinct customers with an impression (fct_customer_offers.is_reached);
    converted_customers: those of them who redeemed it in a completed order;
    conversion_rate = converted_customers / customers_reached.
    redemptions and total_discount_given: completed orders with the offer.
    conversion_rank: 1 = highest Wilson lower bound (z = var wilson_z) of conversion_rate
    among offers with customers_reached >= var min_offer_exposure (null for the others);
    ties by converted_customers, then offer_id.
#}
with

offers as (

    select * from {{ ref('dim_offers') }}

),

customer_offers as (

    select * from {{ ref('fct_customer_offers') }}

),

visitor_offers as (

    select * from {{ ref('fct_visitor_offers') }}

),

events_per_offer as (

    select
        offer_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        count(*) filter (where impressions > 0) as visitors_reached
    from visitor_offers
    group by all

),

customers_per_offer as (

    select
        offer_id,
        count(*) filter (where is_reached) as customers_reached,
        count(*) filter (where is_converted) as converted_customers,
        sum(redemptions) as redemptions,
        sum(discount_given) as total_discount_given
    from customer_offers
    group by all

),

measured as (

    select
        offers.*,
        coalesce(events_per_offer.impressions, 0) as impressions,
        coalesce(events_per_offer.clicks, 0) as clicks,
        coalesce(events_per_offer.visitors_reached, 0) as visitors_reached,
        coalesce(customers_per_offer.customers_reached, 0) as customers_reached,
        coalesce(customers_per_offer.converted_customers, 0) as converted_customers,
        coalesce(customers_per_offer.redemptions, 0) as redemptions,
        coalesce(customers_per_offer.total_discount_given, 0) as total_discount_given
    from offers
    left join events_per_offer on offers.offer_id = events_per_offer.offer_id
    left join customers_per_offer on offers.offer_id = customers_per_offer.offer_id

),

bounded as (

    select
        *,
        {{ wilson_lower_bound('converted_customers', 'customers_reached') }}
            as conversion_wilson_lower_bound,
        customers_reached >= {{ var('min_offer_exposure') }} as is_rankable
    from measured

),

final as (

    select
        -- ids
        offer_id,
        -- strings
        offer_name,
        offer_category,
        offer_type,
        discount_per_dollar_tier,
        -- numerics
        discount_value,
        min_spend,
        discount_per_dollar,
        cast(impressions as integer) as impressions,
        cast(visitors_reached as integer) as visitors_reached,
        cast(customers_reached as integer) as customers_reached,
        cast(clicks as integer) as clicks,
        cast(clicks as double) / nullif(impressions, 0) as ctr,
        cast(redemptions as integer) as redemptions,
        cast(converted_customers as integer) as converted_customers,
        cast(converted_customers as double) / nullif(customers_reached, 0) as conversion_rate,
        conversion_wilson_lower_bound,
        cast(total_discount_given as decimal(18, 2)) as total_discount_given,
        cast(case
            when is_rankable then row_number() over (
                    partition by is_rankable
                    order by
                        conversion_wilson_lower_bound desc, converted_customers desc, offer_id asc
                )
        end as integer) as conversion_rank,
        -- booleans
        is_rankable
    from bounded

)

select * from final
