{#
    One row per session path: how many sessions followed it and how many of them converted.
    The path of each session (its page types in event order, consecutive repeats collapsed, cut
    after var session_path_max_steps; '(no pages)' for a session without a page) is
    fct_session_paths', the one home of the rule; this mart counts sessions per path.
#}
with

session_paths as (

    select * from {{ ref('fct_session_paths') }}

),

paths as (

    select
        session_path,
        path_length,
        is_truncated,
        count(*) as sessions,
        count(*) filter (where has_purchased) as converting_sessions
    from session_paths
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
