{#
    One row per step pair x segment_type x segment_value: how long units take from one action
    to the next (count, median and 90th percentile, in minutes).

    Step pairs
      <step>_to_<next step>          funnel_level session: consecutive steps of the closed,
                                     ordered funnel within a session (fct_session_funnel_steps),
                                     for sessions that reached the second step; never negative.
      first_visit_to_first_purchase  funnel_level customer: from the start of the customer's first
                                     session to their first purchase event (any session).
    Segments (dim_session_segments) as in mart_funnel_steps: a session pair falls in its
    session's segments; a customer pair in the segments of the customer's FIRST session
    (acquisition device, country, traffic source, month of first visit).
#}
{%- set steps = var('funnel_steps') -%}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

sessions_by_segment as (

    select * from {{ ref('dim_session_segments') }}

),

session_steps as (

    select * from {{ ref('fct_session_funnel_steps') }}

),

-- the events of the last step (purchase); with a one-step funnel, each session's first one
purchase_events as (

    {%- if steps | length > 1 %}
        select
            session_id,
            event_at
        from {{ ref('fct_session_step_events') }}
        where step_number = {{ steps | length }}
    {%- else %}
        select
            session_id,
            reached_at as event_at
        from {{ ref('fct_session_funnel_steps') }}
    {%- endif %}

),

in_session_actions as (

    select
        previous_step.step_name || '_to_' || next_step.step_name as step_pair,
        previous_step.step_name as from_step,
        next_step.step_name as to_step,
        'session' as funnel_level,
        next_step.session_id as segment_session_id,
        cast({{ milliseconds_between('previous_step.reached_at', 'next_step.reached_at') }} as double) / 60000 as minutes  -- noqa: LT05
    from session_steps as next_step
    inner join session_steps as previous_step
        on
            next_step.session_id = previous_step.session_id
            and next_step.step_number = previous_step.step_number + 1

),

first_visits as (

    select
        customer_id,
        session_id,
        started_at
    from (
        select
            customer_id,
            session_id,
            started_at,
            row_number() over (
                partition by customer_id
                order by started_at, session_id
            ) as visit_number
        from sessions
        where customer_id is not null
    ) as customer_sessions
    where visit_number = 1

),

first_purchases as (

    select
        sessions.customer_id,
        min(purchase_events.event_at) as purchased_at
    from purchase_events
    inner join sessions on purchase_events.session_id = sessions.session_id
    where sessions.customer_id is not null
    group by all

),

customer_actions as (

    select
        'first_visit_to_first_purchase' as step_pair,
        'first_visit' as from_step,
        'first_purchase' as to_step,
        'customer' as funnel_level,
        first_visits.session_id as segment_session_id,
        cast({{ milliseconds_between('first_visits.started_at', 'first_purchases.purchased_at') }} as double) / 60000 as minutes  -- noqa: LT05
    from first_visits
    inner join first_purchases on first_visits.customer_id = first_purchases.customer_id

),

actions as (

    select * from in_session_actions
    union all
    select * from customer_actions

),

final as (

    select
        -- keys
        actions.step_pair,
        sessions_by_segment.segment_type,
        sessions_by_segment.segment_value,
        -- strings
        actions.from_step,
        actions.to_step,
        actions.funnel_level,
        -- numerics
        cast(count(*) as bigint) as unit_count,
        cast(
            percentile_cont(0.5) within group (order by actions.minutes) as double
        ) as median_minutes,
        cast(
            percentile_cont(0.9) within group (order by actions.minutes) as double
        ) as p90_minutes
    from actions
    inner join sessions_by_segment
        on actions.segment_session_id = sessions_by_segment.session_id
    group by all

)

select * from final
