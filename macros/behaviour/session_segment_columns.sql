{#
    The segment columns of a session, one `segment_<type>` per var behaviour_segment_types, for
    the marts that break sessions down by segment (mart_funnel_steps, mart_time_to_action).
    `sessions` is fct_sessions, `rfm` is mart_rfm left-joined on customer_id. To add a segment
    type: add its column here and its name to the var.
#}
{% macro session_segment_columns(sessions='sessions', rfm='rfm') -%}
    'all' as segment_all,
    {{ sessions }}.device as segment_device,
    {{ sessions }}.country_code as segment_country,
    {{ sessions }}.traffic_source as segment_traffic_source,
    strftime({{ sessions }}.started_at, '%Y-%m') as segment_month,
    -- The customer's RFM segment as of as_of_date, on all their sessions.
    case
        when {{ sessions }}.customer_id is null then 'Anonymous'
        else coalesce({{ rfm }}.segment_name, 'No purchase')
    end as segment_rfm_segment
{%- endmacro %}
