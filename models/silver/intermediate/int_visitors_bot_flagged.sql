{#
    One row per visitor_id with a bot verdict. A visitor is a bot when
      - any of its user agents matches var bot_user_agent_pattern (case-insensitive), or
      - it ever sends more than var bot_max_events_per_minute events within one clock minute
        (no person clicks that fast; scrapers with browser user agents do).
    Bots stay in silver with the flag; gold behaviour marts leave them out.
#}
{#- A view: int_events_sessionized reads it for the visitors it (re)builds, and the filter on
    visitor_id reaches through the per-visitor windows and aggregates. -#}
{{ config(materialized='view') }}
with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

per_minute as (

    select
        visitor_id,
        {{ dbt.date_trunc('minute', 'event_at') }} as event_minute,
        count(*) as events_in_minute
    from events
    group by all

),

rates as (

    select
        visitor_id,
        max(events_in_minute) as max_events_per_minute
    from per_minute
    group by all

),

-- The user-agent pattern is tested once per distinct user agent (a few hundred strings), not
-- once per event: the regex was the costliest part of this model at 10M events.
visitor_agents as (

    select
        visitor_id,
        user_agent,
        count(*) as events
    from events
    group by all

),

agent_flags as (

    select
        user_agent,
        coalesce(
            {{ regexp_contains(
                'user_agent',
                sql_string(var('bot_user_agent_pattern'), 'var bot_user_agent_pattern'),
                'i'
            ) }},
            false
        ) as is_bot_user_agent
    from (select distinct user_agent from visitor_agents) as distinct_agents

),

user_agents as (

    select
        visitor_agents.visitor_id,
        cast(sum(visitor_agents.events) as bigint) as events,
        bool_or(coalesce(agent_flags.is_bot_user_agent, false)) as has_bot_user_agent
    from visitor_agents
    left join agent_flags
        on visitor_agents.user_agent is not distinct from agent_flags.user_agent
    group by visitor_agents.visitor_id

),

final as (

    select
        user_agents.visitor_id,
        user_agents.events,
        rates.max_events_per_minute,
        user_agents.has_bot_user_agent,
        rates.max_events_per_minute > {{ var('bot_max_events_per_minute') }} as has_bot_event_rate,
        user_agents.has_bot_user_agent
        or rates.max_events_per_minute > {{ var('bot_max_events_per_minute') }} as is_bot,
        case
            when user_agents.has_bot_user_agent then 'user_agent'
            when
                rates.max_events_per_minute > {{ var('bot_max_events_per_minute') }}
                then 'event_rate'
        end as bot_reason
    from user_agents
    inner join rates on user_agents.visitor_id = rates.visitor_id

)

select * from final
