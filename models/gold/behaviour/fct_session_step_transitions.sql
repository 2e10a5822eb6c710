{#
    One row per session x move (from_state, to_state) of its funnel-state sequence (bot
    visitors left out, up to as_of_date), with how many times the session made the move: the
    per-event work of mart_step_transitions, which only adds these counts up.

    A session's state sequence: `start`, then its funnel events in event order mapped to their
    step names (var funnel_steps), except the last step (purchase), which is the absorbing
    `conversion` state; consecutive repeats are collapsed (view, view, cart -> view > cart) and
    the sequence ends at its first conversion (later events are ignored) or, when the session
    does not convert, in the absorbing `exit` state. A session without funnel events is
    start > exit. Every session (fct_sessions) has exactly one move out of `start`.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql), as fct_sessions:
    the visitors in scope are rebuilt from all of their step events.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}
{%- set steps = var('funnel_steps') -%}

with

events as (

    {{ behaviour_events_in_run_scope() }}
        and {{ is_funnel_step('event_type') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}
    where {{ in_run_scope('visitor', 'visitor_id') }}

),

step_events as (

    select
        session_id,
        event_number_in_session,
        case event_type
            {%- for step in steps %}
                {%- set state = "conversion" if loop.last else step.step_name %}
                when {{ sql_string(step.event_type, 'var funnel_steps') }}
                    then {{ sql_string(state, 'var funnel_steps') }}
            {%- endfor %}
        end as state
    from events

),

states_ordered as (

    select
        *,
        lag(state) over (
            partition by session_id
            order by event_number_in_session
        ) as previous_state,
        -- conversions before this event (a window aggregate takes no filter clause on Spark)
        coalesce(
            sum(case when state = 'conversion' then 1 else 0 end) over (
                partition by session_id
                order by event_number_in_session
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as earlier_conversions
    from step_events

),

until_conversion as (

    select
        session_id,
        event_number_in_session,
        state,
        previous_state
    from states_ordered
    where earlier_conversions = 0

),

collapsed as (

    select
        session_id,
        state,
        row_number() over (
            partition by session_id
            order by event_number_in_session
        ) as state_position
    from until_conversion
    where
        previous_state is null
        or previous_state != state

),

moves as (

    -- every state to the next one, the last one to exit (unless it is the conversion)
    select
        session_id,
        state as from_state,
        coalesce(
            lead(state) over (partition by session_id order by state_position),
            case when state != 'conversion' then 'exit' end
        ) as to_state
    from collapsed

),

starts as (

    select
        sessions.session_id,
        'start' as from_state,
        coalesce(collapsed.state, 'exit') as to_state
    from sessions
    left join collapsed
        on
            sessions.session_id = collapsed.session_id
            and collapsed.state_position = 1

),

all_moves as (

    select * from moves
    where to_state is not null
    union all
    select * from starts

),

moves_counted as (

    select
        session_id,
        from_state,
        to_state,
        count(*) as transitions
    from all_moves
    group by all

),

final as (

    select
        -- keys
        moves_counted.session_id,
        moves_counted.from_state,
        moves_counted.to_state,
        -- ids
        sessions.visitor_id,
        -- numerics
        cast(moves_counted.transitions as integer) as transitions
    from moves_counted
    inner join sessions on moves_counted.session_id = sessions.session_id

)

select * from final
