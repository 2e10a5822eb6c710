{#
    One row per session path: the ordered page types of a session's events (every event that
    has a page, in event order), consecutive repeats collapsed (product > product > cart ->
    product > cart), cut after var session_path_max_steps page types; a cut path ends in
    ' > ...' so it never merges with a complete path of the same prefix. A session with no page
    at all has the path '(no pages)'. Converting sessions are those with a purchase.
#}
{%- set max_steps = var('session_path_max_steps') -%}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        {{ in_behaviour_scope() }}
        and page_type is not null

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

session_paths as (

    select
        session_id,
        list(page_type order by event_number_in_session) as page_types
    from collapsed
    group by all

),

sessions_with_paths as (

    select
        sessions.session_id,
        sessions.has_purchased,
        case
            when session_paths.session_id is null then '(no pages)'
            when len(session_paths.page_types) > {{ max_steps }}
                then array_to_string(session_paths.page_types[1:{{ max_steps }}], ' > ') || ' > ...'
            else array_to_string(session_paths.page_types, ' > ')
        end as session_path,
        least(coalesce(len(session_paths.page_types), 0), {{ max_steps }}) as path_length,
        coalesce(len(session_paths.page_types) > {{ max_steps }}, false) as is_truncated
    from sessions
    left join session_paths on sessions.session_id = session_paths.session_id

),

paths as (

    select
        session_path,
        path_length,
        is_truncated,
        count(*) as sessions,
        count(*) filter (where has_purchased) as converting_sessions
    from sessions_with_paths
    group by all

),

final as (

    select
        -- keys
        session_path,
        -- numerics
        cast(row_number() over (order by sessions desc, session_path asc) as bigint) as path_rank,
        cast(path_length as integer) as path_length,
        cast(sessions as bigint) as sessions,
        cast(sessions as double) / sum(sessions) over () as share_of_sessions,
        cast(converting_sessions as bigint) as converting_sessions,
        cast(converting_sessions as double) / sessions as conversion_rate,
        -- booleans
        is_truncated
    from paths

)

select * from final
