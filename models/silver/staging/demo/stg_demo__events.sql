{#
    One row per landed event row (duplicates and bad rows included): typed, trimmed, enums
    normalised, timestamps in UTC, plus a row-level `quarantine_reason` (null = usable).
    Checks that need other tables (unknown product or customer) and deduplication happen in
    int_events_validated / int_events_deduplicated.

    Landing folder: incremental, appending only files not loaded before (landing files are
    immutable: a changed file needs --full-refresh). An event that arrives more than
    var late_event_lookback_days after it happened (by the date in its file name) is not
    sessionized: it is quarantined as arrived_too_late and counted in audit_late_events, the
    same way in a full refresh and in a day-by-day load.

    An event dated after its delivery (is_after_delivery: the end of the date in its file's
    name plus var future_timestamp_tolerance_hours; for the seeds a date derived from the data)
    is quarantined as timestamp_after_delivery. Numbers are cast exactly (exact_cast): a
    quantity of 2.7 or a price of 19.999 is quarantined (invalid_quantity / invalid_price),
    never rounded.
#}
{{ config(
    materialized=landing_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__events') }}
    {% if is_incremental() %}
        where source_file not in (select distinct existing.source_file from {{ this }} as existing)
    {% endif %}

),

typed as (

    select
        -- lineage
        source_row_id,
        read_error,
        read_error_record,
        source_file,
        landed_values,

        -- ids
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('visitor_id') }} as visitor_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_text('order_id') }} as order_id,

        -- strings
        {{ clean_enum('event_type') }} as event_type,
        {{ clean_text('page_path') }} as page_path,
        {{ clean_enum('device') }} as device_raw,
        upper({{ clean_text('country') }}) as country_code,
        {{ clean_enum('traffic_source') }} as traffic_source_raw,
        {{ clean_text('user_agent') }} as user_agent,

        -- numerics
        {{ exact_cast('price', 'decimal(18, 2)') }} as price,
        {{ clean_text('price') }} is not null as has_price_text,
        {{ exact_cast('quantity', 'integer') }} as quantity,
        {{ clean_text('quantity') }} is not null as has_quantity_text,

        -- dates and timestamps
        {{ arrival_date('source_file') }} as arrived_on,
        {{ parse_timestamp_utc('event_time') }} as event_at

    from source

),

cleaned as (

    select
        source_row_id,
        read_error,
        read_error_record,
        source_file,
        landed_values,
        event_id,
        visitor_id,
        customer_id,
        product_id,
        offer_id,
        order_id,
        event_type,
        page_path,
        case
            when page_path is null then null
            when page_path = '/' then 'home'
            when page_path like '/c/%' then 'category'
            when page_path like '/p/%' then 'product'
            when page_path like '/search%' then 'search'
            when page_path like '/cart%' then 'cart'
            when page_path like '/checkout/complete%' then 'confirmation'
            when page_path like '/checkout%' then 'checkout'
            when page_path like '/account%' then 'account'
            when page_path like '/offers%' then 'offers'
            else 'other'
        end as page_type,
        -- Non-critical enums: an unrecognised value is kept as 'unknown', not quarantined.
        case
            when device_raw in {{ sql_list(var('devices')) }} then device_raw
            else 'unknown'
        end as device,
        case
            when {{ regexp_full_match('country_code', "'[A-Z]{2}'") }} then country_code
            else 'ZZ'
        end as country_code,
        case
            when
                traffic_source_raw in {{ sql_list(var('traffic_sources')) }}
                then traffic_source_raw
            else 'unknown'
        end as traffic_source,
        user_agent,
        price,
        quantity,
        arrived_on,
        event_at,
        case
            when read_error is not null then read_error
            when event_id is null then 'missing_event_id'
            when visitor_id is null then 'missing_visitor_id'
            when event_at is null then 'invalid_timestamp'
            -- Seeds: the delivery day is derived from all their events. A landing folder loads
            -- new files only (incremental), so only the date in a file's name counts there.
            when {{ is_after_delivery(
                'event_at', 'arrived_on',
                'typed' if landing_materialization() == 'table' else none
            ) }} then 'timestamp_after_delivery'
            when event_type is null then 'missing_event_type'
            when event_type not in {{ sql_list(var('event_types')) }} then 'invalid_event_type'
            when has_price_text and price is null then 'invalid_price'
            when price <= 0 then 'invalid_price'
            when has_quantity_text and quantity is null then 'invalid_quantity'
            when quantity <= 0 then 'invalid_quantity'
            when event_type in {{ sql_list(var('product_event_types')) }}
                and product_id is null then 'missing_product_id'
            when cast(event_at as date)
                < arrived_on - {{ var('late_event_lookback_days') }} then 'arrived_too_late'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final
