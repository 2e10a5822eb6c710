{#
    One row per landed order row with its final `quarantine_reason`: the row-level reason from
    staging, else a reference that does not resolve (unknown customer or offer), else
    conflicting_redelivery: a valid copy of an order_id whose content differs from the copy
    that is kept (kept_copy_order: the earliest delivered).
#}
with

orders as (

    select * from {{ staged('orders') }}

),

customers as (

    select customer_id from {{ ref('int_customers_deduplicated') }}

),

offers as (

    select offer_id from {{ ref('int_offers_deduplicated') }}

),

referenced as (

    select
        {{ star_except(['quarantine_reason'], 'orders') }},
        coalesce(
            orders.quarantine_reason,
            case
                when customers.customer_id is null then 'unknown_customer'
                when orders.offer_id is not null and offers.offer_id is null then 'unknown_offer'
            end
        ) as quarantine_reason
    from orders
    left join customers on orders.customer_id = customers.customer_id
    left join offers on orders.offer_id = offers.offer_id

),

final as (

    select
        {{ quarantine_conflicting_copies('orders', ['order_id'], [
            'customer_id', 'offer_id', 'order_status', 'subtotal_amount',
            'discount_amount', 'shipping_amount', 'total_amount', 'ordered_at',
        ]) }}
    from referenced

),

recorded as (

    {{ select_validated_rows('final', 'orders') }}

)

select * from recorded
