-- One row per calendar day: the time spine MetricFlow joins metrics to (dbt's semantic layer
-- needs one). A fixed span, not the data's: the same model for every source and build, wide
-- enough for the public data sets (Online Retail 2010-2011) and the demo's dates.
with days as (
    -- a generator (Spark's explode) must be a whole select item: cast outside it
    select cast(day_start as date) as date_day
    from (
        select
            {{ explode_series("date '2000-01-01'", "date '2049-12-31'", 'interval 1 day') }}
                as day_start
    ) as day_starts
),

final as (
    select
        date_day,
        cast(date_trunc('week', date_day) as date) as week_start_date,
        cast(date_trunc('month', date_day) as date) as month_start_date
    from days
)

select * from final
