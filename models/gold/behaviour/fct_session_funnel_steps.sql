{#
    One row per session x funnel step the session reached (bot visitors left out), up to
    as_of_date: the closed, ordered funnel of var funnel_steps, judged within the session
    (macro closed_funnel_reached): the session reaches step k at its first step-k event at or
    after it reached step k-1; a skipped step stops the funnel. The one home of the session
    funnel: fct_sessions pivots it into <step>_step_reached_at and funnel_depth, and the funnel
    marts count it.

    Narrow on purpose (a few rows per session, no event columns) so the marts that count steps
    read it instead of every event.
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
        and event_type in {{ sql_list(steps | map(attribute='event_type') | list) }}

),

step_events as (

    select
        session_id,
        {{ funnel_step_number('event_type') }} as step_number,
        event_at
    from events

),

sessions as (

    select
        session_id,
        any_value(visitor_id) as visitor_id
    from events
    group by all

),

steps_reached as (

    {{ closed_funnel_reached('step_events', ['session_id'], steps | length) }}

),

funnel_steps as (

    {{ funnel_step_rows() }}

),

final as (

    select
        -- keys
        steps_reached.session_id,
        cast(steps_reached.step_number as integer) as step_number,
        -- ids
        sessions.visitor_id,
        -- strings
        funnel_steps.step_name,
        -- dates and timestamps
        steps_reached.reached_at
    from steps_reached
    inner join sessions on steps_reached.session_id = sessions.session_id
    inner join funnel_steps on steps_reached.step_number = funnel_steps.step_number

)

select * from final
