{#
    One row per landed customer row with its final `quarantine_reason`: the row-level reason
    from staging, else conflicting_redelivery: a valid copy of one customer version (same
    customer_id and updated_at) whose content differs from the copy that is kept
    (kept_copy_order: the earliest delivered). Valid copies with the same content are exact
    redeliveries. Versions with a different updated_at are not copies: the latest is kept, the
    older ones count as deduplicated (superseded) in int_customers_deduplicated.
#}
with

customers as (

    select * from {{ staged('customers') }}

),

final as (

    select
        {{ quarantine_conflicting_copies('customers', ['customer_id', 'updated_at'], [
            'signed_up_at', 'gender', 'country_code', 'acquisition_channel',
            'subscription_status', 'birth_year',
        ]) }}
    from customers

),

recorded as (

    {{ select_validated_rows('final', 'customers') }}

)

select * from recorded
