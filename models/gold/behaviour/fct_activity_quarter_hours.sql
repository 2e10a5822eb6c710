{#
    One row per UTC quarter hour with activity (bot visitors left out): events, sessions
    started, orders placed (any status; credit notes are not orders) and net revenue
    (fct_orders.net_amount) in it. The pre-aggregate mart_activity_heatmap regroups by local
    weekday and hour instead of reading every event: a UTC quarter hour lies inside one local
    hour of every time zone in use (macro quarter_hour_start), so the heatmap stays exact for
    any var reporting_timezone without this table depending on it.

    Events and sessions are those up to as_of_date (the behaviour scope); orders are kept
    whatever their date (the run scope tracks a day's orders whether or not they are past
    as_of_date), and the mart keeps the days up to as_of_date.
#}
{#-
    Landing folder, incremental by the run scope's days (macros/utils/run_scope.sql): a day in
    scope (a new, late, re-delivered or re-sessionized event, a visitor turned bot, an order or
    a change to one) loses its quarter hours and they are rebuilt from all of that day's events,
    sessions and orders; other days are not read. A session counts on the day it started: a
    change to when a session starts changes its first event's row, so that day is in scope.
-#}
{{ config(**run_scope_config('day', 'cast(activity_date as string)')) }}

with

events as (

    {{ behaviour_events_in_run_scope('day', 'cast(event_date as string)') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}
    where {{ in_run_scope('day', 'cast(session_date as string)') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where {{ in_run_scope('day', 'cast(order_date as string)') }}

),

activities as (

    select
        {{ quarter_hour_start('event_at') }} as quarter_hour_started_at,
        1 as events,
        0 as sessions,
        0 as orders,
        0 as revenue
    from events
    union all
    select
        {{ quarter_hour_start('started_at') }} as quarter_hour_started_at,
        0 as events,
        1 as sessions,
        0 as orders,
        0 as revenue
    from sessions
    union all
    select
        {{ quarter_hour_start('ordered_at') }} as quarter_hour_started_at,
        0 as events,
        0 as sessions,
        case when is_credit_note then 0 else 1 end as orders,
        net_amount as revenue
    from orders

),

final as (

    select
        -- keys
        cast(quarter_hour_started_at as timestamp) as quarter_hour_started_at,
        -- numerics
        cast(sum(events) as bigint) as events,
        cast(sum(sessions) as bigint) as sessions,
        cast(sum(orders) as bigint) as orders,
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        -- dates
        cast(quarter_hour_started_at as date) as activity_date
    from activities
    group by quarter_hour_started_at

)

select * from final
