{#
    One row per customer and UTC day, from the customer's first activity to as_of_date (a
    dense spine: days without activity are rows with zeros).

    Activity on a day = an event (events of the stitched customer, bots left out), a session
    started (fct_sessions' customer) or an order placed (any status) that day.
      is_active          activity on at least one of the trailing active_window_days days,
                         the day itself included (window 30: activity on day 1 keeps the
                         customer active through day 30, not day 31);
      is_weekly_active   the same over weekly_active_window_days.
    Spend = net_amount of fct_orders (the net revenue rule: cancelled and returned orders bring
    none, a credit note subtracts on its date; a credit note is not an order).

    How, at 10M events: customers x days is the big table, so nothing is joined or windowed at
    that size. Each day WITH activity (sparse) gets, by a window function, the next day with
    activity; the dense spine is generated from it: the activity day itself and every day up to
    the next activity (or as_of_date). Each spine day so knows its last activity date, and
    "activity in the trailing N days, the day included" is exactly days_since_last_activity < N
    (the same as a rows frame of N over the dense spine, without sorting the spine).
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql): the customers
    int_run_scope has in scope this run (new, late or re-stitched events, sessions, orders,
    cancellations, returns, a new or changed customer row) lose their rows and are rebuilt
    from all of their activity. Every other customer's spine is extended: its row on the last
    built day (the previous as_of_date, where every spine ends) carries on, without activity,
    to the new as_of_date. Rows after as_of_date (an as_of_date set earlier) are deleted.
-#}
{{ config(
    materialized=landing_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ delete_run_scope('customer', 'customer_id') }}",
        "{% if is_incremental() %}delete from {{ this }} where activity_date > {{ as_of_date() }}{% endif %}",
    ],
) }}
with

{% if is_incremental() %}
    -- Customers out of scope: their rows are unchanged; the spine grows by the new days.
    last_built_day as (

        select * from {{ this }}
        where activity_date = (
                select max(built.activity_date) as last_built_date
                from {{ this }} as built
            )

    ),

    new_days as (

        select
            customer_id,
            first_activity_date,
            last_activity_date,
            days_since_last_activity as days_since_at_last_built_day,
            activity_date as last_built_date,
            {{ explode_series(
                'cast(' ~ dbt.dateadd('day', 1, 'activity_date') ~ ' as timestamp)',
                'cast(' ~ as_of_date() ~ ' as timestamp)',
                'interval 1 day',
            ) }} as new_day_start
        from last_built_day

    ),

    new_days_dated as (

        select
            {{ star_except(['new_day_start']) }},
            cast(new_day_start as date) as activity_date
        from new_days

    ),

    extended as (

        select
            customer_id,
            cast(0 as bigint) as events,
            cast(0 as bigint) as sessions,
            cast(0 as bigint) as orders,
            cast(0 as decimal(18, 2)) as spend,
            cast(
                days_since_at_last_built_day
                + {{ dbt.datediff('last_built_date', 'activity_date', 'day') }}
                as integer
            ) as days_since_last_activity,
            false as has_activity,
            activity_date,
            first_activity_date,
            last_activity_date
        from new_days_dated

    ),

    extended_flagged as (

        select
            customer_id,
            events,
            sessions,
            orders,
            spend,
            days_since_last_activity,
            has_activity,
            days_since_last_activity < {{ var('active_window_days') }} as is_active,
            days_since_last_activity < {{ var('weekly_active_window_days') }} as is_weekly_active,
            activity_date,
            first_activity_date,
            last_activity_date
        from extended

    ),

{% endif %}

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        {{ in_behaviour_scope() }}
        and customer_id is not null
        and {{ in_run_scope('customer', 'customer_id') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}
    where
        customer_id is not null
        and {{ in_run_scope('customer', 'customer_id') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where
        order_date <= {{ as_of_date() }}
        and {{ in_run_scope('customer', 'customer_id') }}

),

activities as (

    select
        customer_id,
        event_date as activity_date,
        1 as events,
        0 as sessions,
        0 as orders,
        0 as spend
    from events
    union all
    select
        customer_id,
        session_date as activity_date,
        0 as events,
        1 as sessions,
        0 as orders,
        0 as spend
    from sessions
    union all
    select
        customer_id,
        order_date as activity_date,
        0 as events,
        0 as sessions,
        case when is_credit_note then 0 else 1 end as orders,
        net_amount as spend
    from orders

),

activity_days as (

    select
        customer_id,
        activity_date,
        sum(events) as events,
        sum(sessions) as sessions,
        sum(orders) as orders,
        sum(spend) as spend
    from activities
    group by all

),

activity_runs as (

    select
        *,
        min(activity_date) over (partition by customer_id) as first_activity_date,
        lead(activity_date) over (
            partition by customer_id
            order by activity_date
        ) as next_activity_date
    from activity_days

),

spine as (

    -- the activity day and every day before the next activity (or up to as_of_date)
    select
        *,
        {{ explode_series(
            'cast(activity_date as timestamp)',
            'cast(coalesce(' ~ dbt.dateadd('day', -1, 'next_activity_date') ~ ', '
                ~ as_of_date() ~ ') as timestamp)',
            'interval 1 day',
        ) }} as spine_day_start
    from activity_runs

),

-- a generator (Spark's explode) must be a whole select item: the date cast comes here
spine_dated as (

    select
        {{ star_except(['spine_day_start']) }},
        cast(spine_day_start as date) as spine_date
    from spine

),

days_measured as (

    select
        *,
        {{ dbt.datediff('activity_date', 'spine_date', 'day') }} as days_since_last_activity  -- noqa: LT05
    from spine_dated

),

final as (

    select
        -- ids
        customer_id,
        -- numerics
        cast(case when spine_date = activity_date then events else 0 end as bigint) as events,
        cast(case when spine_date = activity_date then sessions else 0 end as bigint)
            as sessions,
        cast(case when spine_date = activity_date then orders else 0 end as bigint) as orders,
        cast(case when spine_date = activity_date then spend else 0 end as decimal(18, 2))
            as spend,
        cast(days_since_last_activity as integer) as days_since_last_activity,
        -- booleans
        spine_date = activity_date as has_activity,
        days_since_last_activity < {{ var('active_window_days') }} as is_active,
        days_since_last_activity < {{ var('weekly_active_window_days') }} as is_weekly_active,
        -- dates
        spine_date as activity_date,
        first_activity_date,
        activity_date as last_activity_date
    from days_measured

)

select * from final
{% if is_incremental() %}
    union all
    select * from extended_flagged
{% endif %}
