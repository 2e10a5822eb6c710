{#
    One row per kept event with its session. The silver events fact that gold reads.

    A visitor's events, in (event_at, event_id) order, are cut into sessions where the gap to
    the previous event is MORE than var session_timeout_minutes: a gap of exactly the timeout
    stays in the session. Order is by event time, never by arrival, so late-arriving rows land
    in the session they belong to; event_id breaks ties deterministically.
    session_id = md5(visitor_id || '-' || the session's first event_id): stable across rebuilds.

    Landing folder, incremental: every visitor with a new or changed event is re-sessionized
    from all of its events (delete+insert by visitor_id), so a late event re-opens, merges or
    splits that visitor's sessions exactly as a full refresh would; other visitors are untouched.
#}
-- depends_on: {{ ref('int_events_deduplicated') }}
{{ config(
    materialized=landing_materialization(),
    unique_key='visitor_id',
    incremental_strategy='delete+insert',
) }}

with

{% if is_incremental() %}
changed_visitors as (

    select distinct deduplicated.visitor_id
    from {{ ref('int_events_deduplicated') }} as deduplicated
    left join {{ this }} as existing
        on deduplicated.event_id = existing.event_id
        and deduplicated.source_row_id = existing.source_row_id
    where existing.event_id is null

),

{% endif %}
events as (

    select * from {{ ref('int_events_stitched') }}
    {% if is_incremental() %}
    where visitor_id in (select visitor_id from changed_visitors)
    {% endif %}

),

bots as (

    select
        visitor_id,
        is_bot
    from {{ ref('int_visitors_bot_flagged') }}
    {% if is_incremental() %}
    where visitor_id in (select visitor_id from changed_visitors)
    {% endif %}

),

gaps_marked as (

    select
        *,
        lag(event_at) over (
            partition by visitor_id
            order by event_at, event_id
        ) as previous_event_at
    from events

),

sessions_numbered as (

    select
        *,
        sum(case
            when previous_event_at is null then 1
            when event_at
                > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_at') }}
                then 1
            else 0
        end) over (
            partition by visitor_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as visitor_session_number
    from gaps_marked

),

final as (

    select
        -- ids
        sessions_numbered.event_id,
        md5(
            sessions_numbered.visitor_id || '-' || first_value(sessions_numbered.event_id) over (
                partition by sessions_numbered.visitor_id, sessions_numbered.visitor_session_number
                order by sessions_numbered.event_at, sessions_numbered.event_id
            )
        ) as session_id,
        sessions_numbered.visitor_id,
        sessions_numbered.customer_id,
        sessions_numbered.logged_in_customer_id,
        sessions_numbered.product_id,
        sessions_numbered.offer_id,
        sessions_numbered.order_id,
        -- strings
        sessions_numbered.event_type,
        sessions_numbered.page_path,
        sessions_numbered.page_type,
        sessions_numbered.device,
        sessions_numbered.country_code,
        sessions_numbered.traffic_source,
        sessions_numbered.user_agent,
        -- numerics
        sessions_numbered.price,
        sessions_numbered.quantity,
        sessions_numbered.visitor_session_number,
        row_number() over (
            partition by sessions_numbered.visitor_id, sessions_numbered.visitor_session_number
            order by sessions_numbered.event_at, sessions_numbered.event_id
        ) as event_number_in_session,
        -- booleans
        coalesce(bots.is_bot, false) as is_bot,
        sessions_numbered.customer_id is not null
        and sessions_numbered.logged_in_customer_id is null as is_stitched,
        -- dates and timestamps
        cast(sessions_numbered.event_at as date) as event_date,
        sessions_numbered.event_at,
        sessions_numbered.previous_event_at,
        sessions_numbered.source_row_id
    from sessions_numbered
    left join bots on sessions_numbered.visitor_id = bots.visitor_id

)

select * from final
