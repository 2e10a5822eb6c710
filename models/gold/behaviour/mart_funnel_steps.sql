{#
    One row per funnel_level x segment_type x segment_value x funnel step: how many units
    (sessions, or customers) reached each step of the closed, ordered funnel.

    Closed and ordered (var funnel_steps): a unit reaches step k at its first step-k event at or
    after it reached step k-1; so entrants never increase along the steps.
      session level   the session's own events; step times come from fct_sessions.
      customer level  all the customer's sessions in the segment (customer = fct_sessions'
                      session customer): a customer who views today and buys next week reaches
                      every step, once. Anonymous sessions are not in the customer funnel.

    Segments (var behaviour_segment_types): every session falls in one value of each segment
    type; a customer is judged on their sessions with that value. The segment columns come from
    macro session_segment_columns (shared with mart_time_to_action): to add a segment type, add
    its `segment_<type>` column there and the type's name to the var.
#}
{%- set steps = var('funnel_steps') -%}
{%- set segment_types = var('behaviour_segment_types') -%}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        not is_bot
        and event_date <= {{ as_of_date() }}
        and event_type in {{ sql_list(steps | map(attribute='event_type') | list) }}

),

funnel_steps as (

    {%- for step in steps %}
        select
            {{ loop.index }} as step_number,
            '{{ step.step_name }}' as step_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

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
        sessions.customer_id,
        {%- for step in steps %}
            sessions.{{ step.step_name }}_step_reached_at,
        {%- endfor %}
        {{ session_segment_columns('sessions', 'rfm') }}
    from sessions
    left join rfm on sessions.customer_id = rfm.customer_id

),

sessions_by_segment as (

    {%- for segment_type in segment_types %}
        select
            session_id,
            customer_id,
            {%- for step in steps %}
                {{ step.step_name }}_step_reached_at,
            {%- endfor %}
            '{{ segment_type }}' as segment_type,
            cast(segment_{{ segment_type }} as varchar) as segment_value
        from session_segments
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

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

    {%- for step in steps %}
        select
            'session' as funnel_level,
            segment_type,
            segment_value,
            {{ loop.index }} as step_number,
            count(*) as entrants
        from sessions_by_segment
        where {{ step.step_name }}_step_reached_at is not null
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

-- customer level: the same chain over all the customer's sessions in the segment -------------

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

customer_step_events as (

    select
        sessions_by_segment.segment_type,
        sessions_by_segment.segment_value,
        sessions_by_segment.customer_id,
        case events.event_type
            {%- for step in steps %}
                when '{{ step.event_type }}' then {{ loop.index }}
            {%- endfor %}
        end as step_number,
        events.event_at
    from events
    inner join sessions_by_segment on events.session_id = sessions_by_segment.session_id
    where sessions_by_segment.customer_id is not null

),

customer_step_1_reached as (

    select
        segment_type,
        segment_value,
        customer_id,
        min(event_at) as reached_at
    from customer_step_events
    where step_number = 1
    group by all

),
{%- for n in range(2, steps | length + 1) %}

    customer_step_{{ n }}_reached as (

        select
            customer_step_events.segment_type,
            customer_step_events.segment_value,
            customer_step_events.customer_id,
            min(customer_step_events.event_at) as reached_at
        from customer_step_events
        inner join customer_step_{{ n - 1 }}_reached as previous_step
            on
                customer_step_events.segment_type = previous_step.segment_type
                and customer_step_events.segment_value = previous_step.segment_value
                and customer_step_events.customer_id = previous_step.customer_id
                and customer_step_events.event_at >= previous_step.reached_at
        where customer_step_events.step_number = {{ n }}
        group by all

    ),
{%- endfor %}

customer_entrants as (

    {%- for step in steps %}
        select
            'customer' as funnel_level,
            segment_type,
            segment_value,
            {{ loop.index }} as step_number,
            count(*) as entrants
        from customer_step_{{ loop.index }}_reached
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

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
