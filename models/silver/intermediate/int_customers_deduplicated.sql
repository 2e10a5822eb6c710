{#
    One row per customer: the latest version (by updated_at) of each customer that passed
    validation (int_customers_validated); among exact copies of that version the earliest
    delivered (kept_copy_order). Older versions and exact copies count as deduplicated in
    audit_reconciliation; a copy of a version with other content is quarantined as
    conflicting_redelivery in int_customers_validated.
#}
with

customers as (

    select * from {{ ref('int_customers_validated') }}
    where quarantine_reason is null

),

numbered as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by {{ kept_copy_order('customers') }}
        ) as copy_number
    from customers

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
    from numbered
    where copy_number = 1

)

select * from final
