{#
    One row per landed order row with its final `quarantine_reason`: the row-level reason from
    staging, else a reference that does not resolve (unknown customer or offer).
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

final as (

    select
        orders.* exclude (quarantine_reason),
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

recorded as (

    {{ select_validated_rows('final') }}

)

select * from recorded
