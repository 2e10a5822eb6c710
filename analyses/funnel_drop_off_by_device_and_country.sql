-- Where do sessions drop out of the funnel (view -> cart -> checkout -> purchase), by device
-- and by country? Change funnel_level to 'customer' to count each customer once.
select
    segment_type,
    segment_value,
    step_number,
    step_name,
    entrants,
    drop_off_from_previous,
    drop_off_rate_from_previous,
    conversion_from_start
from {{ ref('mart_funnel_steps') }}
where
    funnel_level = 'session'
    and segment_type in ('device', 'country')
order by segment_type, segment_value, step_number
