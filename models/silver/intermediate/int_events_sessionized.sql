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
    on_schema_change='fail',
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
-- The full event rows, joined to their session columns at the end.
events as (

    select * from {{ ref('int_events_deduplicated') }}
    {% if is_incremental() %}
    where visitor_id in (select visitor_id from changed_visitors)
    {% endif %}

),

-- The narrow rows the windows sort: keys and the stitched customer.
stitched as (

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

-- Two sorts of a visitor's narrow rows, both in (event_at, event_id) order: the gap to the
-- previous event, then running values that number the sessions and carry each session's
-- first event_id and first row (a third sort per session is not needed).
gaps_marked as (

    select
        *,
        lag(event_at) over visitor_events as previous_event_at,
        row_number() over visitor_events as visitor_event_number
    from stitched
    window visitor_events as (partition by visitor_id order by event_at, event_id)

),

starts_flagged as (

    select
        *,
        coalesce(
            event_at
            > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_at') }},
            true
        ) as is_session_start
    from gaps_marked

),

sessions_numbered as (

    select
        event_id,
        customer_id,
        logged_in_customer_id,
        previous_event_at,
        visitor_event_number,
        sum(case when is_session_start then 1 else 0 end) over visitor_so_far
            as visitor_session_number,
        last_value(case when is_session_start then event_id end ignore nulls)
            over visitor_so_far as session_first_event_id,
        max(case when is_session_start then visitor_event_number end) over visitor_so_far
            as session_first_event_number
    from starts_flagged
    window visitor_so_far as (
        partition by visitor_id
        order by event_at, event_id
        rows between unbounded preceding and current row
    )

),

final as (

    select
        -- ids
        events.event_id,
        md5(events.visitor_id || '-' || sessions_numbered.session_first_event_id) as session_id,
        events.visitor_id,
        sessions_numbered.customer_id,
        sessions_numbered.logged_in_customer_id,
        events.product_id,
        events.offer_id,
        events.order_id,
        -- strings
        events.event_type,
        events.page_path,
        events.page_type,
        events.device,
        events.country_code,
        events.traffic_source,
        events.user_agent,
        -- numerics
        events.price,
        events.quantity,
        sessions_numbered.visitor_session_number,
        sessions_numbered.visitor_event_number
        - sessions_numbered.session_first_event_number
        + 1 as event_number_in_session,
        -- booleans
        coalesce(bots.is_bot, false) as is_bot,
        sessions_numbered.customer_id is not null
        and sessions_numbered.logged_in_customer_id is null as is_stitched,
        -- dates and timestamps
        cast(events.event_at as date) as event_date,
        events.event_at,
        sessions_numbered.previous_event_at,
        events.arrived_on,
        events.source_row_id
    from events
    inner join sessions_numbered on events.event_id = sessions_numbered.event_id
    left join bots on events.visitor_id = bots.visitor_id

)

select * from final
