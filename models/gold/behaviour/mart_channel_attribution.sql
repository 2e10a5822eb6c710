{#
    One row per traffic source (channel): conversions credited to it by the Markov-chain
    removal effect, beside first-touch and last-touch.

    Journeys. A person is the customer (stitched) or, for anonymous sessions, the visitor. A
    person's sessions in time order form journeys: a journey ends with its first converting
    session (a purchase); the next session starts a new one; the sessions after the last
    conversion form a journey that ends in exit. Its channel path is the sessions' traffic
    sources with consecutive repeats collapsed (email, email, direct -> email > direct).

    Chain. The same construction as mart_step_transitions, over channels: start > channel ... >
    conversion | exit, first-order transition probabilities from all journeys.

    Removal effect. P = probability of reaching conversion from start (absorbing-chain walk,
    below); P(-c) = the same with channel c removed (every move into c goes to exit instead).
    removal_effect(c) = 1 - P(-c) / P. Conversions credited to c =
    total conversions x removal_effect(c) / sum of all removal effects, so the Markov credit
    adds up to the conversions, like first- and last-touch.

    The walk: probability mass starts at `start` (once per scenario: nothing removed, or one
    channel removed) and moves along the transition probabilities, one step per iteration of a
    recursive CTE; mass reaching conversion or exit stops. It runs until no mass above
    var markov_min_mass is left in a transient state or for var markov_max_iterations steps;
    the mass absorbed in conversion is P. Summation order is fixed (ordered aggregates, an
    ordered window), so a rebuild gives the same bits.
#}
{{ config(pre_hook="{{ allow_recursion_depth(var('markov_max_iterations') + 1) }}") }}

with recursive

sessions as (

    select * from {{ ref('fct_sessions') }}

),

sessions_in_journeys as (

    select
        session_id,
        traffic_source,
        has_purchased,
        started_at,
        coalesce('customer:' || customer_id, 'visitor:' || visitor_id) as person_id,
        -- converting sessions before this one: the journey's number for the person
        coalesce(
            sum(case when has_purchased then 1 else 0 end) over (
                partition by coalesce('customer:' || customer_id, 'visitor:' || visitor_id)
                order by started_at, session_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as journey_number
    from sessions

),

touches as (

    select
        session_id,
        traffic_source,
        has_purchased,
        started_at,
        person_id || '#' || journey_number as journey_id,
        lag(traffic_source) over (
            partition by person_id, journey_number
            order by started_at, session_id
        ) as previous_traffic_source
    from sessions_in_journeys

),

collapsed as (

    select
        journey_id,
        traffic_source,
        row_number() over (
            partition by journey_id
            order by started_at, session_id
        ) as touch_position
    from touches
    where
        previous_traffic_source is null
        or previous_traffic_source != traffic_source

),

journeys as (

    select
        journey_id,
        bool_or(has_purchased) as is_converted
    from touches
    group by all

),

journey_touches as (

    select
        collapsed.journey_id,
        journeys.is_converted,
        min_by(collapsed.traffic_source, collapsed.touch_position) as first_touch,
        max_by(collapsed.traffic_source, collapsed.touch_position) as last_touch
    from collapsed
    inner join journeys on collapsed.journey_id = journeys.journey_id
    group by all

),

moves as (

    select
        'start' as from_state,
        first_touch as to_state
    from journey_touches
    union all
    select
        collapsed.traffic_source as from_state,
        coalesce(
            lead(collapsed.traffic_source) over (
                partition by collapsed.journey_id
                order by collapsed.touch_position
            ),
            case when journeys.is_converted then 'conversion' else 'exit' end
        ) as to_state
    from collapsed
    inner join journeys on collapsed.journey_id = journeys.journey_id

),

moves_counted as (

    select
        from_state,
        to_state,
        count(*) as moves
    from moves
    group by all

),

-- materialized: the recursive walk reads it on every iteration; inlined, DuckDB would
-- recompute the journeys each time
transitions as {{ materialized_cte() }} (

    select
        from_state,
        to_state,
        cast(moves as double) / sum(moves) over (partition by from_state) as probability
    from moves_counted

),

channels as (

    select distinct traffic_source as channel
    from collapsed

),

scenarios as (

    select cast(null as string) as removed_channel
    union all
    select channel as removed_channel
    from channels

),

-- the walk (macro markov_walk_ctes): conversion_probabilities per scenario
{{ markov_walk_ctes(
    'transitions', 'scenarios', var('markov_min_mass'), var('markov_max_iterations'),
) }},

-- The walk is read once, by one chain of CTEs (windows, no self-join): Spark 4.1 gives wrong
-- masses when a recursive CTE is referenced twice in one query (the two walks interfere).
conversion_probabilities_based as (

    select
        removed_channel,
        conversion_probability,
        max(case when removed_channel is null then conversion_probability end) over ()
            as base_conversion_probability
    from conversion_probabilities

),

channel_removal_effects as (

    select
        removed_channel as channel,
        conversion_probability as conversion_probability_without,
        1 - conversion_probability / nullif(base_conversion_probability, 0) as removal_effect
    from conversion_probabilities_based
    where removed_channel is not null

),

removal_effects as (

    select
        *,
        -- added in channel order, so a rebuild gives the same bits
        sum(removal_effect) over (
            order by channel
            rows between unbounded preceding and unbounded following
        ) as removal_effect_sum
    from channel_removal_effects

),

conversions as (

    select count(*) as conversions
    from journeys
    where is_converted

),

first_touches as (

    select
        first_touch as channel,
        count(*) as first_touch_conversions
    from journey_touches
    where is_converted
    group by all

),

last_touches as (

    select
        last_touch as channel,
        count(*) as last_touch_conversions
    from journey_touches
    where is_converted
    group by all

),

journeys_touching as (

    select
        collapsed.traffic_source as channel,
        count(distinct collapsed.journey_id) as journeys,
        count(distinct collapsed.journey_id) filter (where journeys.is_converted)
            as converting_journeys
    from collapsed
    inner join journeys on collapsed.journey_id = journeys.journey_id
    group by all

),

final as (

    select
        -- keys
        channels.channel as traffic_source,
        -- numerics
        cast(journeys_touching.journeys as bigint) as journeys,
        cast(journeys_touching.converting_journeys as bigint) as converting_journeys,
        cast(coalesce(first_touches.first_touch_conversions, 0) as bigint)
            as first_touch_conversions,
        cast(coalesce(last_touches.last_touch_conversions, 0) as bigint)
            as last_touch_conversions,
        cast(removal_effects.conversion_probability_without as double)
            as conversion_probability_without,
        cast(removal_effects.removal_effect as double) as removal_effect,
        cast(coalesce(
            conversions.conversions * removal_effects.removal_effect
            / nullif(removal_effects.removal_effect_sum, 0),
            0
        ) as double) as markov_conversions
    from channels
    inner join journeys_touching on channels.channel = journeys_touching.channel
    inner join removal_effects on channels.channel = removal_effects.channel
    left join first_touches on channels.channel = first_touches.channel
    left join last_touches on channels.channel = last_touches.channel
    cross join conversions

)

select * from final
