{#
    One row per silver offer with its discount per dollar of minimum spend and that ratio's
    tier (var discount_per_dollar_tier_edges, see macros/customer_value).
#}
with

offers as (

    select * from {{ ref('int_offers_deduplicated') }}

),

final as (

    select
        -- ids
        offer_id,
        -- strings
        offer_name,
        offer_category,
        offer_type,
        {{ discount_per_dollar_tier('cast(discount_value as double) / nullif(min_spend, 0)') }}
            as discount_per_dollar_tier,
        -- numerics
        cast(discount_value as decimal(18, 2)) as discount_value,
        cast(min_spend as decimal(18, 2)) as min_spend,
        cast(discount_value as double) / nullif(min_spend, 0) as discount_per_dollar,
        cast({{ dbt.datediff('valid_from_date', 'valid_to_date', 'day') }} + 1 as integer)  -- noqa: LT05
            as valid_days,
        -- booleans
        {{ as_of_date() }} between valid_from_date and valid_to_date as is_valid_on_as_of_date,
        -- dates
        valid_from_date,
        valid_to_date
    from offers

)

select * from final
