{#
    The closed, ordered funnel of var funnel_steps, in one home: which event type is which step,
    the list of steps, and the rule by which a unit reaches them. The session funnel
    (fct_session_funnel_steps), the customer funnel (mart_funnel_steps) and the item funnel
    (fct_session_item_funnels) differ only in their unit and in the step events they pass in.
#}

{# The step number (1 = first step of var funnel_steps) of an event type column; null when the
   event type is no step. #}
{% macro funnel_step_number(event_type) -%}
    case {{ event_type }}
        {%- for step in var('funnel_steps') %}
            when {{ sql_string(step.event_type, 'var funnel_steps') }} then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}


{# Predicate: the event type column is one of var funnel_steps' (the events a funnel reads). #}
{% macro is_funnel_step(event_type) -%}
    {{ event_type }} in {{ sql_list(var('funnel_steps') | map(attribute='event_type') | list) }}
{%- endmacro %}


{# Every step of var funnel_steps as a row (step_number, step_name): the steps a mart reports,
   nobody reached them or not. #}
{% macro funnel_step_rows() -%}
    {%- for step in var('funnel_steps') %}
        select
            {{ loop.index }} as step_number,
            {{ sql_string(step.step_name, 'var funnel_steps') }} as step_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#
    The closed, ordered funnel rule: a unit reaches step 1 at its first step-1 event, and step k
    at its first step-k event at or after the moment it reached step k-1; a unit without such an
    event stops at step k-1 (a skipped step stops the funnel; an event at the same instant as
    the previous step counts).

    A select of one row per unit x reached step: <unit_columns>, step_number, reached_at.
    `step_events` names a relation (a CTE) with the unit columns, step_number and event_at.
    A step listed in `shared_steps` has events that belong to a larger unit than the funnel's,
    identified by `shared_columns` alone (the other unit columns may be null): e.g. in the item
    funnel (unit session x item) a begin_checkout event is the checkout of every item of its
    session that reached the cart step before it. Step 1 cannot be shared (it defines the unit).
#}
{% macro closed_funnel_reached(step_events, unit_columns, step_count, shared_steps=[], shared_columns=[]) -%}
    {%- if execute and 1 in shared_steps -%}
        {{ exceptions.raise_compiler_error(
            'closed_funnel_reached: step 1 defines the unit and cannot be a shared step') }}
    {%- endif %}
    with

    step_1_reached as (

        select
            {%- for column in unit_columns %}
                {{ column }},
            {%- endfor %}
            min(event_at) as reached_at
        from {{ step_events }}
        where step_number = 1
        group by all

    ),
    {%- for n in range(2, step_count + 1) %}
        {%- set keys = shared_columns if n in shared_steps else unit_columns %}

        step_{{ n }}_reached as (

            select
                {%- for column in unit_columns %}
                    previous_step.{{ column }},
                {%- endfor %}
                min(step_events.event_at) as reached_at
            from {{ step_events }} as step_events
            inner join step_{{ n - 1 }}_reached as previous_step
                on
                    step_events.event_at >= previous_step.reached_at
                    {%- for column in keys %}
                        and step_events.{{ column }} = previous_step.{{ column }}
                    {%- endfor %}
            where step_events.step_number = {{ n }}
            group by all

        ),
    {%- endfor %}

    steps_reached as (

        {%- for n in range(1, step_count + 1) %}
            select
                {%- for column in unit_columns %}
                    {{ column }},
                {%- endfor %}
                {{ n }} as step_number,
                reached_at
            from step_{{ n }}_reached
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}

    )

    select * from steps_reached
{%- endmacro %}
