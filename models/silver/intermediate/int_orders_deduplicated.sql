{#
    One row per order that passed validation. The valid copies of an order left after
    int_orders_validated are exact redeliveries (other content: conflicting_redelivery there);
    the earliest delivered one is kept (kept_copy_order), the others count as deduplicated.
#}
with

orders as (

    select * from {{ ref('int_orders_validated') }}
    where quarantine_reason is null

),

numbered as (

    select
        *,
        row_number() over (
            partition by order_id
            order by {{ kept_copy_order('orders') }}
        ) as copy_number
    from orders

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
    from numbered
    where copy_number = 1

)

select * from final
