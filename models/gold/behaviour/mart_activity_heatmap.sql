{#
    One row per day of week x hour of day (168 rows, zeros included) in the reporting time zone
    (var reporting_timezone, an IANA name; default UTC): events, sessions started, orders
    placed (any status) and revenue (subtotal - discount of completed orders).
    Timestamps are stored in UTC; each is converted to the reporting zone before its hour and
    weekday are taken (so daylight saving time is followed). Days are ISO: 1 = Monday.
#}
{%- set tz = sql_string(var('reporting_timezone'), 'var reporting_timezone') -%}

with

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        {{ in_behaviour_scope() }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where order_date <= {{ as_of_date() }}

),

hours as (

    select
        cast(week_days.day_of_week as integer) as day_of_week,
        cast(day_hours.hour_of_day as integer) as hour_of_day
    from range(1, 8) as week_days (day_of_week)
    cross join range(0, 24) as day_hours (hour_of_day)

),

local_events as (

    select timezone({{ tz }}, timezone('UTC', event_at)) as local_at
    from events

),

local_sessions as (

    select timezone({{ tz }}, timezone('UTC', started_at)) as local_at
    from sessions

),

local_orders as (

    select
        timezone({{ tz }}, timezone('UTC', ordered_at)) as local_at,
        is_credit_note,
        net_amount as revenue
    from orders

),

event_counts as (

    select
        isodow(local_at) as day_of_week,
        hour(local_at) as hour_of_day,
        count(*) as events
    from local_events
    group by all

),

session_counts as (

    select
        isodow(local_at) as day_of_week,
        hour(local_at) as hour_of_day,
        count(*) as sessions
    from local_sessions
    group by all

),

order_counts as (

    select
        isodow(local_at) as day_of_week,
        hour(local_at) as hour_of_day,
        count(*) filter (where not is_credit_note) as orders,
        sum(revenue) as revenue
    from local_orders
    group by all

),

final as (

    select
        -- keys
        hours.day_of_week,
        hours.hour_of_day,
        -- strings
        case hours.day_of_week
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as day_name,
        {{ tz }} as reporting_timezone,
        -- numerics
        cast(coalesce(event_counts.events, 0) as bigint) as events,
        cast(coalesce(session_counts.sessions, 0) as bigint) as sessions,
        cast(coalesce(order_counts.orders, 0) as bigint) as orders,
        cast(coalesce(order_counts.revenue, 0) as decimal(18, 2)) as revenue
    from hours
    left join event_counts
        on
            hours.day_of_week = event_counts.day_of_week
            and hours.hour_of_day = event_counts.hour_of_day
    left join session_counts
        on
            hours.day_of_week = session_counts.day_of_week
            and hours.hour_of_day = session_counts.hour_of_day
    left join order_counts
        on
            hours.day_of_week = order_counts.day_of_week
            and hours.hour_of_day = order_counts.hour_of_day

)

select * from final
