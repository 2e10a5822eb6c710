{#
    One row per order that passed validation. An order landed twice keeps its earliest row
    (then lowest source_row_id).
#}
with

orders as (

    select * from {{ ref('int_orders_validated') }}
    where quarantine_reason is null

),

final as (

    select
        order_id,
        customer_id,
        offer_id,
        order_status,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        total_amount,
        ordered_at,
        source_row_id
    from orders
    qualify row_number() over (
            partition by order_id
            order by ordered_at, source_row_id
        ) = 1

)

select * from final
