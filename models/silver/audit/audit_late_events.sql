{#
    One row per landing arrival date (the date in the events file name): how many events
    arrived that day, how many of them happened on an earlier day (late), and how many happened
    more than var late_event_lookback_days earlier (too late: quarantined as arrived_too_late,
    not sessionized). Late events within the lookback re-open the sessions they belong to.
    Empty for the built-in seeds, which have no arrival dates.
#}
with

events as (

    select * from {{ staged('events') }}
    where arrived_on is not null and event_at is not null

),

final as (

    select
        arrived_on,
        count(*) as events_arrived,
        count(*) filter (where cast(event_at as date) < arrived_on) as events_late,
        count(*) filter (
            where quarantine_reason = 'arrived_too_late'
        ) as events_too_late,
        max({{ dbt.datediff('cast(event_at as date)', 'arrived_on', 'day') }}) as max_days_late
    from events
    group by all

)

select * from final
order by arrived_on
