{#
    One row per landed REES46 line (base_rees46__events): typed, mapped to our vocabulary, and
    a row-level `event_quarantine_reason` with the canonical event codes (null = usable). The
    six staging models of this source read it.

      event_id       md5 of the landed values: the log has no event id, so an exact duplicate
                     line (same time to the second, user, product, type, price, session) gets
                     the same id and int_events_deduplicated keeps one copy
      event_type     view -> product_view, cart -> add_to_cart, remove_from_cart, purchase
      visitor_id,    both user_id: the store's permanent user id (there is no anonymous
      customer_id    cookie id in the log, so stitching has nothing to do)
      user_session   the store's session id; not a canonical event column, it stays in
                     raw_record (and is the order key below)
      order_id       purchases only: user_id || '-' || user_session (one order per user and
                     store session; see stg_rees46__orders)
      category       top level of category_code (electronics.smartphone -> electronics);
                     `unknown` when empty
      arrived_on     the date in the file's name (null for the public monthly files)
      price          cast exactly (exact_cast): more than two decimals is invalid_price,
                     never rounded (the shared sample has none)
      is_after_delivery  event_time after the end of the delivery day plus var
                     future_timestamp_tolerance_hours (latest_plausible_at): the date in the
                     file's name, else the day derived from the events of every file;
                     quarantined as timestamp_after_delivery
#}
with

lines as (

    select * from {{ ref('base_rees46__events') }}

),

typed as (

    select
        -- lineage
        source_row_id,
        {{ landed_values_json(landed_values()) }} as raw_record,
        source_file,
        read_error,

        -- ids
        case when read_error is null then md5(raw_record) end as event_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('user_session') }} as user_session,
        {{ clean_text('product_id') }} as product_id,

        -- strings
        {{ clean_enum('event_type') }} as source_event_type,
        lower({{ clean_text('category_code') }}) as category_path,
        {{ clean_text('brand') }} as brand,

        -- numerics
        {{ exact_cast('price', 'decimal(18, 2)') }} as price,
        {{ clean_text('price') }} is not null as has_price_text,

        -- dates and timestamps
        {{ arrival_date('source_file') }} as arrived_on,
        {{ parse_timestamp_utc('event_time') }} as event_at
    from lines

),

mapped as (

    select
        *,
        case source_event_type
            when 'view' then 'product_view'
            when 'cart' then 'add_to_cart'
            when 'remove_from_cart' then 'remove_from_cart'
            when 'purchase' then 'purchase'
            else source_event_type
        end as event_type,
        coalesce(split_part(category_path, '.', 1), 'unknown') as category,
        -- The whole table is read every run: a file without a date in its name gets the day
        -- derived from all events.
        coalesce({{ is_after_delivery('event_at', 'arrived_on', 'typed') }}, false)
            as is_after_delivery
    from typed

),

final as (

    select
        source_row_id,
        raw_record,
        source_file,
        event_id,
        user_id as visitor_id,
        user_id as customer_id,
        user_session,
        product_id,
        case
            when event_type = 'purchase' then user_id || '-' || user_session
        end as order_id,
        event_type,
        category,
        category_path,
        brand,
        price,
        arrived_on,
        is_after_delivery,
        event_at,
        coalesce(
            row_number() over (partition by event_id order by source_row_id) > 1
            and event_id is not null,
            false
        ) as is_duplicate_copy,
        case
            when read_error is not null then read_error
            when user_id is null then 'missing_visitor_id'
            when event_at is null then 'invalid_timestamp'
            when is_after_delivery then 'timestamp_after_delivery'
            when event_type is null then 'missing_event_type'
            when event_type not in ('product_view', 'add_to_cart', 'remove_from_cart', 'purchase')
                then 'invalid_event_type'
            when has_price_text and price is null then 'invalid_price'
            when price <= 0 then 'invalid_price'
            when product_id is null then 'missing_product_id'
        end as event_quarantine_reason
    from mapped

)

select * from final
