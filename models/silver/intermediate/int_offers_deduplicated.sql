{#
    One row per offer that passed validation (int_offers_validated). The valid copies of an
    offer are exact redeliveries (other content: conflicting_redelivery there); the earliest
    delivered one is kept (kept_copy_order), the others count as deduplicated.
#}
with

offers as (

    select * from {{ ref('int_offers_validated') }}
    where quarantine_reason is null

),

numbered as (

    select
        *,
        row_number() over (
            partition by offer_id
            order by {{ kept_copy_order('offers') }}
        ) as copy_number
    from offers

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
    from numbered
    where copy_number = 1

)

select * from final
