{#
    One row per step pair x segment_type x segment_value: how long units take from one action
    to the next (count, median and 90th percentile, in minutes).

    Step pairs
      <step>_to_<next step>          funnel_level session: consecutive steps of the closed,
                                     ordered funnel within a session (fct_sessions' step times),
                                     for sessions that reached the second step; never negative.
      first_visit_to_first_purchase  funnel_level customer: from the start of the customer's first
                                     session to their first purchase event (any session).
    Segments as in mart_funnel_steps: a session pair falls in its session's segments; a customer
    pair in the segments of the customer's FIRST session (acquisition device, country, traffic
    source, month of first visit). The segment columns come from macro
    session_segment_columns (shared with mart_funnel_steps).
#}
{%- set steps = var('funnel_steps') -%}
{%- set segment_types = var('behaviour_segment_types') -%}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

purchase_events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        not is_bot
        and event_date <= {{ as_of_date() }}
        and event_type = '{{ steps[-1].event_type }}'

),

rfm as (

    select
        customer_id,
        segment_name
    from {{ ref('mart_rfm') }}

),

session_segments as (

    select
        sessions.session_id,
        {{ session_segment_columns('sessions', 'rfm') }}
    from sessions
    left join rfm on sessions.customer_id = rfm.customer_id

),

sessions_by_segment as (

    {%- for segment_type in segment_types %}
        select
            session_id,
            '{{ segment_type }}' as segment_type,
            cast(segment_{{ segment_type }} as varchar) as segment_value
        from session_segments
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

in_session_actions as (

    {%- for n in range(1, steps | length) %}
        {%- set from_step = steps[n - 1].step_name %}
        {%- set to_step = steps[n].step_name %}
        {%- set from_at = from_step ~ '_step_reached_at' %}
        {%- set to_at = to_step ~ '_step_reached_at' %}
        select
            '{{ from_step }}_to_{{ to_step }}' as step_pair,
            '{{ from_step }}' as from_step,
            '{{ to_step }}' as to_step,
            'session' as funnel_level,
            session_id as segment_session_id,
            {{ dbt.datediff(from_at, to_at, 'millisecond') }} / 60000.0 as minutes  -- noqa: LT05
        from sessions
        where {{ to_step }}_step_reached_at is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

first_visits as (

    select
        customer_id,
        session_id,
        started_at
    from sessions
    where customer_id is not null
    qualify row_number() over (partition by customer_id order by started_at, session_id) = 1

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
        {{ dbt.datediff('first_visits.started_at', 'first_purchases.purchased_at', 'millisecond') }}
        / 60000.0 as minutes
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
        cast(quantile_cont(actions.minutes, 0.5) as double) as median_minutes,
        cast(quantile_cont(actions.minutes, 0.9) as double) as p90_minutes
    from actions
    inner join sessions_by_segment
        on actions.segment_session_id = sessions_by_segment.session_id
    group by all

)

select * from final
