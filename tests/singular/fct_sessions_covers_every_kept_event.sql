{#
    fct_sessions holds every session of the kept, non-bot events up to as_of_date, with all of
    their events. Guards the incremental build (the run scope, int_run_scope): a run that
    missed a visitor leaves the counts apart and fails here; rebuild with --full-refresh. One row when the counts differ.
#}
{{ config(tags=['incremental_guard']) }}

with

expected as (

    select
        count(distinct session_id) as sessions,
        count(*) as events
    from {{ ref('int_events_sessionized') }}
    where
        not is_bot
        and event_date <= {{ as_of_date() }}

),

built as (

    select
        count(*) as sessions,
        coalesce(sum(events), 0) as events
    from {{ ref('fct_sessions') }}

)

select
    expected.sessions as expected_sessions,
    built.sessions as built_sessions,
    expected.events as expected_events,
    built.events as built_events
from expected
cross join built
where
    expected.sessions != built.sessions
    or expected.events != built.events
