{# The events every behaviour model reads (doc behaviour_scope): a person's, not a bot's, up to
   as_of_date. A predicate on int_events_sessionized's columns. #}
{% macro in_behaviour_scope() -%}
    not is_bot
    and event_date <= {{ as_of_date() }}
{%- endmacro %}
