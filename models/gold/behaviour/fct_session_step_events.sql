{#
    One row per session x funnel step after the first x instant at which the session had an
    event of that step (bot visitors left out, up to as_of_date; events at the same instant are
    one row). The step events the funnels that span sessions need, narrow (no event columns):
    the customer funnel of mart_funnel_steps (a customer reaches step k at their first step-k
    event, in any session, at or after they reached step k-1) and the first purchase of
    mart_time_to_action read these instead of every event.

    Step 1 is not here: what spans sessions needs only each session's first step-1 event,
    fct_session_funnel_steps' step 1.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql), as fct_sessions:
    the visitors in scope are rebuilt from all of their step events.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}

with

events as (

    {{ behaviour_events_in_run_scope() }}
        and {{ is_funnel_step('event_type') }}

),

step_events as (

    select
        session_id,
        visitor_id,
        {{ funnel_step_number('event_type') }} as step_number,
        event_at
    from events

),

final as (

    select distinct
        -- keys
        session_id,
        cast(step_number as integer) as step_number,
        -- ids
        visitor_id,
        -- timestamps
        event_at
    from step_events
    where step_number > 1

)

select * from final
