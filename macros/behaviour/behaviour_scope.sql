{# The events every behaviour model reads (doc behaviour_scope): a person's, not a bot's, up to
   as_of_date. A predicate on int_events_sessionized's columns. #}
{% macro in_behaviour_scope() -%}
    not is_bot
    and event_date <= {{ as_of_date() }}
{%- endmacro %}


{# The import of a gold model incremental by the run scope: the events in the behaviour scope
   whose key (visitor by default) is in this run's scope; the caller adds its own filters with
   `and ...`. #}
{% macro behaviour_events_in_run_scope(scope='visitor', key_column='visitor_id') -%}
    select * from {{ ref('int_events_sessionized') }}
    where
        {{ in_behaviour_scope() }}
        and {{ in_run_scope(scope, key_column) }}
{%- endmacro %}
