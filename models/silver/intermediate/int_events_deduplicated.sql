{#
    One row per event_id that passed validation. Collectors deliver at least once, so the same
    event can land more than once. The valid copies of an event_id left after
    int_events_validated are exact redeliveries (copies with other content are quarantined
    there as conflicting_redelivery): the earliest delivered one (kept_copy_order: file date,
    then event_at, then lowest source_row_id) is kept and the others are counted as
    deduplicated in audit_reconciliation.

    Landing folder, incremental: for every event_id that gained a valid copy since the last
    run, the winner is chosen again among all its copies (a redelivery in a later file, or an
    earlier copy becoming valid late, gives the same winner as a full refresh).
#}
{{ config(
    materialized=landing_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

valid as (

    select * from {{ ref('int_events_validated') }}
    where quarantine_reason is null

),

events as (

    select * from valid
    {% if is_incremental() %}
        where
            event_id in (
                select new_rows.event_id from valid as new_rows
                where
                    new_rows.source_row_id not in (
                        select existing.source_row_id from {{ this }} as existing
                    )
            )
    {% endif %}

),

numbered as (

    select
        *,
        row_number() over (
            partition by event_id
            order by {{ kept_copy_order('events') }}
        ) as copy_number
    from events

),

final as (

    select
        event_id,
        visitor_id,
        customer_id,
        product_id,
        offer_id,
        order_id,
        event_type,
        page_path,
        page_type,
        device,
        country_code,
        traffic_source,
        user_agent,
        price,
        quantity,
        event_at,
        arrived_on,
        source_row_id
    from numbered
    where copy_number = 1

)

select * from final
