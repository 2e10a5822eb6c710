{#
    One row per funnel_level x segment_type x segment_value x funnel step: how many units
    (sessions, or customers) reached each step of the closed, ordered funnel.

    Closed and ordered (var funnel_steps, macro closed_funnel_reached): a unit reaches step k at
    its first step-k event at or after it reached step k-1; so entrants never increase along the
    steps.
      session level   the session's own events: counts the steps of fct_session_funnel_steps.
      customer level  all the customer's sessions in the segment (customer = fct_sessions'
                      session customer): a customer who views today and buys next week reaches
                      every step, once. Anonymous sessions are not in the customer funnel.
                      Not derivable from the session steps (a customer can view in one session
                      and add to cart in the next, where neither session passes the view step),
                      so it runs the same rule on the step events: step 1 from the sessions'
                      step 1 (the customer's first step-1 event is the earliest of its
                      sessions'), the later steps from fct_session_step_events.

    Segments (var behaviour_segment_types) from dim_session_segments: every session falls in one
    value of each segment type; a customer is judged on their sessions with that value.
#}
{%- set steps = var('funnel_steps') -%}

with

sessions_by_segment as (

    select * from {{ ref('dim_session_segments') }}

),

session_steps as (

    select * from {{ ref('fct_session_funnel_steps') }}

),

later_step_events as (

    select * from {{ ref('fct_session_step_events') }}

),

funnel_steps as (

    {{ funnel_step_rows() }}

),

-- session level ------------------------------------------------------------------------------

session_units as (

    select
        'session' as funnel_level,
        segment_type,
        segment_value,
        count(*) as segment_units
    from sessions_by_segment
    group by all

),

session_entrants as (

    select
        'session' as funnel_level,
        sessions_by_segment.segment_type,
        sessions_by_segment.segment_value,
        session_steps.step_number,
        count(*) as entrants
    from session_steps
    inner join sessions_by_segment on session_steps.session_id = sessions_by_segment.session_id
    group by all

),

-- customer level: the same rule over all the customer's sessions in the segment --------------

customer_units as (

    select
        'customer' as funnel_level,
        segment_type,
        segment_value,
        count(distinct customer_id) as segment_units
    from sessions_by_segment
    where customer_id is not null
    group by all

),

session_step_events as (

    select
        session_id,
        step_number,
        reached_at as event_at
    from session_steps
    where step_number = 1
    union all
    select
        session_id,
        step_number,
        event_at
    from later_step_events

),

customer_step_events as (

    select
        sessions_by_segment.segment_type,
        sessions_by_segment.segment_value,
        sessions_by_segment.customer_id,
        session_step_events.step_number,
        session_step_events.event_at
    from session_step_events
    inner join sessions_by_segment
        on session_step_events.session_id = sessions_by_segment.session_id
    where sessions_by_segment.customer_id is not null

),

customer_steps as (

    {{ closed_funnel_reached(
        'customer_step_events',
        ['segment_type', 'segment_value', 'customer_id'],
        steps | length,
    ) }}

),

customer_entrants as (

    select
        'customer' as funnel_level,
        segment_type,
        segment_value,
        step_number,
        count(*) as entrants
    from customer_steps
    group by all

),

-- both levels, every step of every segment (zero when nobody reached it) ---------------------

segment_units as (

    select * from session_units
    union all
    select * from customer_units

),

entrants as (

    select * from session_entrants
    union all
    select * from customer_entrants

),

steps_counted as (

    select
        segment_units.funnel_level,
        segment_units.segment_type,
        segment_units.segment_value,
        funnel_steps.step_number,
        funnel_steps.step_name,
        segment_units.segment_units,
        coalesce(entrants.entrants, 0) as entrants
    from segment_units
    cross join funnel_steps
    left join entrants
        on
            segment_units.funnel_level = entrants.funnel_level
            and segment_units.segment_type = entrants.segment_type
            and segment_units.segment_value = entrants.segment_value
            and funnel_steps.step_number = entrants.step_number

),

steps_compared as (

    select
        *,
        coalesce(
            lag(entrants) over (
                partition by funnel_level, segment_type, segment_value
                order by step_number
            ),
            segment_units
        ) as previous_step_entrants,
        first_value(entrants) over (
            partition by funnel_level, segment_type, segment_value
            order by step_number
        ) as first_step_entrants
    from steps_counted

),

final as (

    select
        -- keys
        funnel_level,
        segment_type,
        segment_value,
        cast(step_number as integer) as step_number,
        step_name,
        -- numerics
        cast(segment_units as bigint) as segment_units,
        cast(entrants as bigint) as entrants,
        cast(previous_step_entrants as bigint) as previous_step_entrants,
        cast(previous_step_entrants - entrants as bigint) as drop_off_from_previous,
        cast(entrants as double) / nullif(previous_step_entrants, 0) as conversion_from_previous,
        1 - cast(entrants as double) / nullif(previous_step_entrants, 0)
            as drop_off_rate_from_previous,
        cast(entrants as double) / nullif(first_step_entrants, 0) as conversion_from_start
    from steps_compared

)

select * from final
