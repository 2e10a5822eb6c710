{#
    One row per session (bot visitors left out, up to as_of_date): its page path, the per-event
    work of mart_session_paths, which only counts sessions per path.

    The path: the ordered page types of the session's events (every event that has a page, in
    event order), consecutive repeats collapsed (product > product > cart -> product > cart),
    cut after var session_path_max_steps page types; a cut path ends in ' > ...' so it never
    merges with a complete path of the same prefix. A session with no page at all has the path
    '(no pages)'. has_purchased is fct_sessions'.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql), as fct_sessions:
    the visitors in scope are rebuilt from all of their page events.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}
{%- set max_steps = var('session_path_max_steps') -%}

with

events as (

    {{ behaviour_events_in_run_scope() }}
        and page_type is not null

),

sessions as (

    select * from {{ ref('fct_sessions') }}
    where {{ in_run_scope('visitor', 'visitor_id') }}

),

repeats_marked as (

    select
        session_id,
        page_type,
        event_number_in_session,
        lag(page_type) over (
            partition by session_id
            order by event_number_in_session
        ) as previous_page_type
    from events

),

collapsed as (

    select
        session_id,
        page_type,
        event_number_in_session
    from repeats_marked
    where
        previous_page_type is null
        or previous_page_type != page_type

),

session_page_types as (

    select
        session_id,
        {{ ordered_array_agg('page_type', 'event_number_in_session') }} as page_types,
        count(*) as page_type_count
    from collapsed
    group by all

),

final as (

    select
        -- ids
        sessions.session_id,
        sessions.visitor_id,
        -- strings
        case
            when session_page_types.session_id is null then '(no pages)'
            when session_page_types.page_type_count > {{ max_steps }}
                then {{ array_join_text(
                    array_head('session_page_types.page_types', max_steps), "' > '") }}
                    || ' > ...'
            else {{ array_join_text('session_page_types.page_types', "' > '") }}
        end as session_path,
        -- numerics
        cast(
            least(coalesce(session_page_types.page_type_count, 0), {{ max_steps }}) as integer
        ) as path_length,
        -- booleans
        coalesce(session_page_types.page_type_count > {{ max_steps }}, false) as is_truncated,
        sessions.has_purchased
    from sessions
    left join session_page_types on sessions.session_id = session_page_types.session_id

)

select * from final
