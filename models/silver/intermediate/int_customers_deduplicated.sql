{#
    One row per customer: the latest landed version (by updated_at) of each customer that passed
    staging checks. Older versions count as deduplicated in audit_reconciliation.
#}
with

customers as (

    select * from {{ staged('customers') }}
    where quarantine_reason is null

),

final as (

    select
        customer_id,
        gender,
        country_code,
        acquisition_channel,
        subscription_status,
        birth_year,
        signed_up_at,
        updated_at,
        source_row_id
    from customers
    qualify row_number() over (
            partition by customer_id
            order by updated_at desc, source_row_id asc
        ) = 1

)

select * from final
