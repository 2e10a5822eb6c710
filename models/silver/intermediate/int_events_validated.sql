{#
    One row per landed event row with its final `quarantine_reason`: the row-level reason from
    staging, else a reference that does not resolve (unknown customer, product or offer).

    Landing folder, incremental: validates the staging rows not seen before, and re-checks the
    rows quarantined for an unknown reference (the customer or product may have landed since),
    so a day-by-day load ends where a full refresh does.
#}
{{ config(
    materialized=landing_materialization(),
    unique_key='source_row_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

events as (

    select * from {{ staged('events') }}
    {% if is_incremental() %}
        where source_row_id not in (select existing.source_row_id from {{ this }} as existing)
            or source_row_id in (
                select existing.source_row_id from {{ this }} as existing
                where existing.quarantine_reason like 'unknown_%'
            )
    {% endif %}

),

customers as (

    select customer_id from {{ ref('int_customers_deduplicated') }}

),

products as (

    select product_id from {{ ref('int_products_deduplicated') }}

),

offers as (

    select offer_id from {{ ref('int_offers_deduplicated') }}

),

final as (

    select
        events.* exclude (quarantine_reason),
        coalesce(
            events.quarantine_reason,
            case
                when events.customer_id is not null and customers.customer_id is null
                    then 'unknown_customer'
                when events.product_id is not null and products.product_id is null
                    then 'unknown_product'
                when events.offer_id is not null and offers.offer_id is null
                    then 'unknown_offer'
            end
        ) as quarantine_reason
    from events
    left join customers on events.customer_id = customers.customer_id
    left join products on events.product_id = products.product_id
    left join offers on events.offer_id = offers.offer_id

),

recorded as (

    {{ select_validated_rows('final') }}

)

select * from recorded
