-- Which weekdays and which hours of the day are busiest (non-bot events, in the reporting
-- time zone of mart_activity_heatmap)? One block per weekday, one per hour, busiest first.
select
    case when grouping(hour_of_day) = 1 then 'weekday' else 'hour' end as period_type,
    day_name,
    hour_of_day,
    sum(events) as events,
    sum(sessions) as sessions,
    sum(orders) as orders,
    sum(events) / sum(sum(events)) over (partition by grouping(hour_of_day)) as event_share
from {{ ref('mart_activity_heatmap') }}
group by grouping sets ((day_of_week, day_name), (hour_of_day))
order by period_type desc, events desc
