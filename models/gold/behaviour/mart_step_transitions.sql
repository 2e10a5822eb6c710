{#
    One row per (from_state, to_state) of a first-order Markov chain over the funnel steps of
    sessions: the transition count and the probability of moving from from_state to to_state.

    The states and moves of each session are fct_session_step_transitions' (the one home of the
    state sequence: start, the funnel steps, the absorbing conversion and exit); this mart adds
    them up over all sessions. Absorbing states have no outgoing rows, so the probabilities out
    of every from_state sum to 1.
#}
with

session_moves as (

    select * from {{ ref('fct_session_step_transitions') }}

),

transitions as (

    select
        from_state,
        to_state,
        sum(transitions) as transitions
    from session_moves
    group by all

),

final as (

    select
        -- keys
        from_state,
        to_state,
        -- numerics
        cast(transitions as bigint) as transitions,
        cast(sum(transitions) over (partition by from_state) as bigint) as from_state_transitions,
        cast(transitions as double) / sum(transitions) over (partition by from_state)
            as probability
    from transitions

)

select * from final
