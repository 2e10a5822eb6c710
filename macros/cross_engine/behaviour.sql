{#- Ordered aggregates, interval arithmetic and CTE hints the behaviour models need. -#}

{#- Whole milliseconds from timestamp `start` to timestamp `stop` (a bigint; the difference of
    the two epochs in milliseconds, sub-millisecond digits dropped). dbt-spark's datediff
    divides by a float (1/1000) and ceils, which can land one millisecond off. -#}
{% macro milliseconds_between(start, stop) -%}
    {{ return(adapter.dispatch('milliseconds_between', 'customer_behaviour')(start, stop)) }}
{%- endmacro %}

{% macro default__milliseconds_between(start, stop) -%}
    {{ dbt.datediff(start, stop, 'millisecond') }}
{%- endmacro %}

{% macro spark__milliseconds_between(start, stop) -%}
    (unix_millis({{ stop }}) - unix_millis({{ start }}))
{%- endmacro %}


{#- Aggregate: the array of `value` in the order of `order_key` (a SQL expression, never NULL,
    unique within the group). Spark's collect_list has no order of its own. -#}
{% macro ordered_array_agg(value, order_key) -%}
    {{ return(adapter.dispatch('ordered_array_agg', 'customer_behaviour')(value, order_key)) }}
{%- endmacro %}

{% macro default__ordered_array_agg(value, order_key) -%}
    list({{ value }} order by {{ order_key }})
{%- endmacro %}

{% macro spark__ordered_array_agg(value, order_key) -%}
    transform(
        array_sort(collect_list(named_struct('k', {{ order_key }}, 'v', {{ value }}))),
        element -> element.v
    )
{%- endmacro %}


{#- The keyword that makes a CTE computed once (DuckDB `as materialized`); Spark has none and
    plans a CTE read several times on its own. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer_behaviour')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}materialized{%- endmacro %}

{% macro spark__materialized_cte() -%}{%- endmacro %}


{#- A statement (pre_hook) that lets a recursive CTE run `depth` iterations: Spark stops a
    recursion at 100 levels by default (spark.sql.cteRecursionLevelLimit); DuckDB has no limit. -#}
{% macro allow_recursion_depth(depth) -%}
    {{ return(adapter.dispatch('allow_recursion_depth', 'customer_behaviour')(depth)) }}
{%- endmacro %}

{% macro default__allow_recursion_depth(depth) -%}{%- endmacro %}

{% macro spark__allow_recursion_depth(depth) -%}
    set spark.sql.cteRecursionLevelLimit = {{ depth }}
{%- endmacro %}


{#- CTEs (for a `with recursive` list) ending in conversion_probabilities (removed_channel,
    conversion_probability): the absorbing-chain walk of mart_channel_attribution. Mass 1
    starts at 'start' once per row of `scenarios` (removed_channel; null = nothing removed)
    and moves along `transitions` (from_state, to_state, probability), a move into the removed
    channel going to 'exit'; mass reaching 'conversion' or 'exit' stops, and so does mass not
    above `min_mass`, and the walk after `max_iterations` steps. conversion_probability = the
    mass absorbed in 'conversion', summed in step order; each step's mass of a state is summed
    in (from_state, to_state) order, so both engines add the same numbers in the same order.
    DuckDB walks one row per scenario x step x state; Spark allows no aggregate on a recursive
    reference, so it walks one row per scenario x step holding a map state -> mass. -#}
{% macro markov_walk_ctes(transitions, scenarios, min_mass, max_iterations) -%}
    {{ return(adapter.dispatch('markov_walk_ctes', 'customer_behaviour')(
        transitions, scenarios, min_mass, max_iterations)) }}
{%- endmacro %}

{% macro default__markov_walk_ctes(transitions, scenarios, min_mass, max_iterations) -%}
walk (iteration, removed_channel, state, mass) as (

    select
        0 as iteration,
        removed_channel,
        'start' as state,
        cast(1.0 as double) as mass
    from {{ scenarios }}
    union all
    select
        walk.iteration + 1 as iteration,
        walk.removed_channel,
        case
            when transitions.to_state = walk.removed_channel then 'exit'
            else transitions.to_state
        end as state,
        sum(
            walk.mass * transitions.probability
            order by transitions.from_state, transitions.to_state
        ) as mass
    from walk
    inner join {{ transitions }} as transitions on walk.state = transitions.from_state
    where
        walk.state not in ('conversion', 'exit')
        and walk.mass > {{ min_mass }}
        and walk.iteration < {{ max_iterations }}
    group by all

),

conversion_probabilities as (

    select
        removed_channel,
        coalesce(
            sum(mass order by iteration) filter (where state = 'conversion'),
            0
        ) as conversion_probability
    from walk
    group by all

)
{%- endmacro %}

{#- The mass that step arrives at `target` (a SQL string expression), from the row `walk`:
    the moves out of its live transient states, in (from_state, to_state) order. -#}
{% macro spark__markov_step_mass(target, min_mass) -%}
    aggregate(
        filter(
            walk.moves,
            move -> move.from_state not in ('conversion', 'exit')
                and try_element_at(walk.masses, move.from_state) > {{ min_mass }}
                and case
                    when move.to_state = walk.removed_channel then 'exit'
                    else move.to_state
                end = {{ target }}
        ),
        cast(null as double),
        (total, move) -> coalesce(total, 0D)
            + try_element_at(walk.masses, move.from_state) * move.probability
    )
{%- endmacro %}

{% macro spark__markov_walk_ctes(transitions, scenarios, min_mass, max_iterations) -%}
walk_moves as (

    select
        array_sort(collect_list(named_struct(
            'from_state', from_state, 'to_state', to_state, 'probability', probability
        ))) as moves,
        array_union(array_sort(collect_set(to_state)), array('exit')) as targets
    from {{ transitions }}

),

-- the moves ride along in every row: a recursive step that joined walk_moves would
-- recompute the transitions (every session's journey) at each of its iterations
walk (iteration, removed_channel, moves, targets, masses, converted) as (

    select
        0 as iteration,
        scenarios.removed_channel,
        walk_moves.moves,
        walk_moves.targets,
        map('start', cast(1.0 as double)) as masses,
        cast(null as double) as converted
    from {{ scenarios }} as scenarios
    cross join walk_moves
    union all
    select
        walk.iteration + 1 as iteration,
        walk.removed_channel,
        walk.moves,
        walk.targets,
        map_filter(
            map_from_arrays(
                walk.targets,
                transform(
                    walk.targets,
                    target -> {{ spark__markov_step_mass('target', min_mass) }}
                )
            ),
            (state, mass) -> mass is not null
        ) as masses,
        coalesce(walk.converted, 0D)
        + coalesce({{ spark__markov_step_mass("'conversion'", min_mass) }}, 0D) as converted
    from walk
    where
        walk.iteration < {{ max_iterations }}
        and size(map_filter(
            walk.masses,
            (state, mass) -> state not in ('conversion', 'exit') and mass > {{ min_mass }}
        )) > 0

),

conversion_probabilities as (

    select
        removed_channel,
        coalesce(max_by(converted, iteration), 0) as conversion_probability
    from walk
    group by removed_channel

)
{%- endmacro %}
