{#
    The run scope of the incremental gold behaviour models (landing folder: fct_sessions and
    fct_session_funnel_steps, delete+insert by visitor_id). Only the visitors whose rows can have
    changed are rebuilt, from all of their events; one rule, each model applying it to the
    newest arrival date its own table has seen.
#}

{#
    The config of such a model: landing_materialization() (incremental on a landing folder, a
    table on the seeds), delete+insert by visitor_id, and a post_hook that deletes the visitors
    who became bots. `{{ config(**visitor_incremental_config()) }}`.
#}
{% macro visitor_incremental_config() -%}
    {{ return({
        'materialized': landing_materialization(),
        'unique_key': 'visitor_id',
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'fail',
        'post_hook': '{{ delete_bot_visitors() }}',
    }) }}
{%- endmacro %}


{#
    The visitors with an event that arrived on or after the newest arrival date this table has
    seen (max of `arrived_on_column` in {{ this }}): new events, late events re-opening a
    session, a login re-attributing earlier events, a new kept copy of an event. A file without
    a date in its name (arrived_on null) rebuilds its visitors every run. Landing files are
    expected in date order: a file dated before that newest date is not picked up (the test
    fct_sessions_covers_every_kept_event fails the build; run with --full-refresh).
#}
{% macro visitors_with_new_events(arrived_on_column) -%}
    select visitor_id
    from {{ ref('int_events_sessionized') }}
    where coalesce(arrived_on >= (select max({{ arrived_on_column }}) from {{ this }}), true)
{%- endmacro %}


{# post_hook: a visitor who became a bot loses every row (its events are no longer read, so
   delete+insert alone would keep its old rows). #}
{% macro delete_bot_visitors() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where visitor_id in
            (select visitor_id from {{ ref('int_events_sessionized') }} where is_bot)
    {%- endif -%}
{%- endmacro %}


{# The events every behaviour model reads (doc behaviour_scope): a person's, not a bot's, up to
   as_of_date. A predicate on int_events_sessionized's columns. #}
{% macro in_behaviour_scope(visitors_from=none) -%}
    not is_bot
    and event_date <= {{ as_of_date() }}
    {%- if visitors_from is not none %}
    and visitor_id in (select {{ visitors_from }}.visitor_id from {{ visitors_from }})
    {%- endif %}
{%- endmacro %}
