{#
    One row per landed event row with its final `quarantine_reason`: the row-level reason from
    staging, else a reference that does not resolve (unknown customer, product or offer), else
    conflicting_redelivery: a valid copy of an event_id whose content differs from the copy
    that is kept (kept_copy_order: the earliest delivered). Valid copies with the same content
    as the kept one are exact redeliveries: int_events_deduplicated keeps one of them.

    Landing folder, incremental: validates the staging rows not seen before, re-checks the rows
    quarantined for an unknown reference (the customer or product may have landed since), and
    re-validates every copy of the event_ids these rows carry (a new or newly valid copy can
    change which copies conflict), so a day-by-day load ends where a full refresh does.
#}
{{ config(
    materialized=landing_materialization(),
    unique_key='source_row_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

{% if is_incremental() %}
    rechecked as (

        select
            source_row_id,
            event_id
        from {{ staged('events') }}
        where source_row_id not in (select built.source_row_id from {{ this }} as built)
        union all
        select
            source_row_id,
            event_id
        from {{ this }}
        where quarantine_reason like 'unknown_%'

    ),

{% endif %}
events as (

    select * from {{ staged('events') }}
    {% if is_incremental() %}
        where
            source_row_id in (select rechecked.source_row_id from rechecked)
            or event_id in (select rechecked.event_id from rechecked)
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

referenced as (

    select
        {{ star_except(['quarantine_reason'], 'events') }},
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

final as (

    select
        {{ quarantine_conflicting_copies('events', ['event_id'], [
            'event_at', 'visitor_id', 'customer_id', 'event_type', 'page_path',
            'product_id', 'price', 'quantity', 'offer_id', 'order_id', 'device',
            'country_code', 'traffic_source', 'user_agent',
        ]) }}
    from referenced

),

recorded as (

    {{ select_validated_rows('final', 'events') }}

)

select * from recorded
