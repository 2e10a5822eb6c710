{#
    One row per session x segment type (var behaviour_segment_types): the segment value the
    session falls in. The one home of the session segments that mart_funnel_steps and
    mart_time_to_action break their funnels down by (no mart recomputes them).

      all             'all': the unsplit total
      device, country, traffic_source
                      the session's (fct_sessions: the first known value in event order)
      month           of the session start, YYYY-MM
      rfm_segment     the session customer's RFM segment as of as_of_date, on all their
                      sessions ('No purchase' for a customer without one, 'Anonymous' for an
                      anonymous session)

    To add a segment type: add its `segment_<type>` column to session_segments and its name to
    the var. A table rebuilt every run, not incremental like fct_sessions: the RFM segments
    move for every customer when as_of_date does.
#}
{%- set segment_types = var('behaviour_segment_types') -%}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

rfm as (

    select * from {{ ref('mart_rfm') }}

),

session_segments as (

    select
        sessions.session_id,
        sessions.customer_id,
        'all' as segment_all,
        sessions.device as segment_device,
        sessions.country_code as segment_country,
        sessions.traffic_source as segment_traffic_source,
        {{ year_month_text('sessions.started_at') }} as segment_month,
        case
            when sessions.customer_id is null then 'Anonymous'
            else coalesce(rfm.segment_name, 'No purchase')
        end as segment_rfm_segment
    from sessions
    left join rfm on sessions.customer_id = rfm.customer_id

),

final as (

    {%- for segment_type in segment_types %}
        select
            -- keys
            session_id,
            {{ sql_string(segment_type, 'var behaviour_segment_types') }} as segment_type,
            -- ids
            customer_id,
            -- strings
            cast(segment_{{ segment_type }} as string) as segment_value
        from session_segments
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from final
