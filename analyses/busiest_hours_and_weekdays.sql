-- Which weekdays and which hours of the day are busiest (non-bot events, in the reporting
-- time zone of mart_activity_heatmap)? One block per weekday, one per hour, busiest first.
with

heatmap as (

    select * from {{ ref('mart_activity_heatmap') }}

),

by_weekday as (

    select
        'weekday' as period_type,
        day_name,
        cast(null as integer) as hour_of_day,
        sum(events) as events,
        sum(sessions) as sessions,
        sum(orders) as orders
    from heatmap
    group by day_of_week, day_name

),

by_hour as (

    select
        'hour' as period_type,
        cast(null as varchar) as day_name,
        hour_of_day,
        sum(events) as events,
        sum(sessions) as sessions,
        sum(orders) as orders
    from heatmap
    group by hour_of_day

),

final as (

    select
        *,
        events / sum(events) over (partition by period_type) as event_share
    from (
        select * from by_weekday
        union all
        select * from by_hour
    ) as periods

)

select * from final
order by period_type desc, events desc
