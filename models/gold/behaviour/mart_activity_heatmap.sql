{#
    One row per day of week x hour of day (168 rows, zeros included) in the reporting time zone
    (var reporting_timezone, an IANA name; default UTC): events, sessions started, orders
    placed (any status) and revenue (net_amount of fct_orders).
    Timestamps are stored in UTC; each is converted to the reporting zone before its hour and
    weekday are taken (so daylight saving time is followed). Days are ISO: 1 = Monday.

    Reads the UTC quarter hours of fct_activity_quarter_hours, not every event: a UTC quarter
    hour lies inside one local hour of any time zone in use, so converting its start gives the
    hour and weekday of everything in it.
#}
{%- set tz = sql_string(var('reporting_timezone'), 'var reporting_timezone') -%}

with

quarter_hours as (

    select * from {{ ref('fct_activity_quarter_hours') }}
    where activity_date <= {{ as_of_date() }}

),

week_days as (

    select {{ explode_series(1, 7) }} as day_of_week

),

day_hours as (

    select {{ explode_series(0, 23) }} as hour_of_day

),

hours as (

    select
        cast(week_days.day_of_week as integer) as day_of_week,
        cast(day_hours.hour_of_day as integer) as hour_of_day
    from week_days
    cross join day_hours

),

local_quarter_hours as (

    select
        {{ utc_to_local('quarter_hour_started_at', tz) }} as local_at,
        events,
        sessions,
        orders,
        revenue
    from quarter_hours

),

hour_counts as (

    select
        {{ iso_day_of_week('local_at') }} as day_of_week,
        hour(local_at) as hour_of_day,
        sum(events) as events,
        sum(sessions) as sessions,
        sum(orders) as orders,
        sum(revenue) as revenue
    from local_quarter_hours
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
        cast(coalesce(hour_counts.events, 0) as bigint) as events,
        cast(coalesce(hour_counts.sessions, 0) as bigint) as sessions,
        cast(coalesce(hour_counts.orders, 0) as bigint) as orders,
        cast(coalesce(hour_counts.revenue, 0) as decimal(18, 2)) as revenue
    from hours
    left join hour_counts
        on
            hours.day_of_week = hour_counts.day_of_week
            and hours.hour_of_day = hour_counts.hour_of_day

)

select * from final
