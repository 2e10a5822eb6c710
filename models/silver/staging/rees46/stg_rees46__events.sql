{#
    One row per landed REES46 line (the cut-off last line of the public file included, as a
    quarantined row): the canonical event columns. Source ids and mapping in
    base_rees46__events_typed. What the log does not have is set the way stg_demo__events sets
    an unknown value: device and traffic_source `unknown`, country_code `ZZ`; no page path (so
    no page_type), user agent, offer or quantity. The store's user_session stays in raw_record.
    arrived_on and the arrived_too_late rule are the landing folder's (stg_demo__events): the
    date in the file name, when it has one (the public monthly files have none). An event
    dated after its delivery is quarantined as timestamp_after_delivery in
    base_rees46__events_typed.
#}
with

events as (

    select * from {{ ref('base_rees46__events_typed') }}

),

final as (

    select
        source_row_id,
        raw_record,
        source_file,
        event_id,
        visitor_id,
        customer_id,
        product_id,
        cast(null as string) as offer_id,
        order_id,
        event_type,
        cast(null as string) as page_path,
        cast(null as string) as page_type,
        'unknown' as device,
        'ZZ' as country_code,
        'unknown' as traffic_source,
        cast(null as string) as user_agent,
        price,
        cast(null as integer) as quantity,
        arrived_on,
        event_at,
        coalesce(
            event_quarantine_reason,
            case
                when
                    cast(event_at as date) < arrived_on - {{ var('late_event_lookback_days') }}
                    then 'arrived_too_late'
            end
        ) as quarantine_reason
    from events

)

select * from final
