{#
    One row per landed offer row with its final `quarantine_reason`: the row-level reason from
    staging, else conflicting_redelivery: a valid copy of an offer_id whose content differs
    from the copy that is kept (kept_copy_order: the earliest delivered). Valid copies with
    the same content are exact redeliveries, deduplicated in int_offers_deduplicated.
#}
with

offers as (

    select * from {{ staged('offers') }}

),

final as (

    select
        {{ quarantine_conflicting_copies('offers', ['offer_id'], [
            'offer_name', 'offer_category', 'offer_type', 'discount_value', 'min_spend',
            'valid_from_date', 'valid_to_date',
        ]) }}
    from offers

),

recorded as (

    {{ select_validated_rows('final', 'offers') }}

)

select * from recorded
