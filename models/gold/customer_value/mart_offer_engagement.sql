{#
    One row per offer category x customer activity x spend tier x discount-per-dollar tier
    with any customer-offer pair: the long-form table BI slices. Counts are additive, so any
    roll-up recomputes a rate from them (sum(clicks) / sum(impressions)), never by averaging
    rates. Customers' activity and spend tier are their status on as_of_date (dim_customers),
    not at the time they saw the offer; only identified customers' impressions count here
    (mart_offer_performance also counts anonymous visitors).
#}
with

customer_offers as (

    select * from {{ ref('fct_customer_offers') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

offers as (

    select * from {{ ref('dim_offers') }}

),

grouped as (

    select
        offers.offer_category,
        case when customers.is_active_user then 'active' else 'inactive' end as customer_activity,
        customers.spend_tier_4,
        offers.discount_per_dollar_tier,
        sum(customer_offers.impressions) as impressions,
        sum(customer_offers.clicks) as clicks,
        count(*) filter (where customer_offers.is_reached) as customers_reached,
        count(*) filter (where customer_offers.is_converted) as converted_customers,
        sum(customer_offers.redemptions) as redemptions,
        sum(customer_offers.discount_given) as total_savings
    from customer_offers
    inner join customers on customer_offers.customer_id = customers.customer_id
    inner join offers on customer_offers.offer_id = offers.offer_id
    group by all

),

final as (

    select
        -- strings
        offer_category,
        customer_activity,
        spend_tier_4,
        discount_per_dollar_tier,
        -- numerics
        cast(impressions as integer) as impressions,
        cast(clicks as integer) as clicks,
        cast(clicks as double) / nullif(impressions, 0) as ctr,
        cast(customers_reached as integer) as customers_reached,
        cast(converted_customers as integer) as converted_customers,
        cast(converted_customers as double) / nullif(customers_reached, 0) as conversion_rate,
        cast(redemptions as integer) as redemptions,
        cast(total_savings as decimal(18, 2)) as total_savings,
        {{ double_to_decimal('cast(total_savings as double) / nullif(redemptions, 0)', 18, 2) }}
            as average_savings_per_redemption
    from grouped

)

select * from final
