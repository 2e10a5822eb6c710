{#
    One row per offer that passed staging checks (lowest source_row_id wins a duplicate).
#}
with

offers as (

    select * from {{ staged('offers') }}
    where quarantine_reason is null

),

final as (

    select
        offer_id,
        offer_name,
        offer_category,
        offer_type,
        discount_value,
        min_spend,
        valid_from_date,
        valid_to_date,
        source_row_id
    from offers
    qualify row_number() over (partition by offer_id order by source_row_id) = 1

)

select * from final
