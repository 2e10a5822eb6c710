{#
    One row per UTC day from the first customer activity to as_of_date: daily, weekly and
    monthly active customers and stickiness, counted from fct_customer_daily_activity.
      dau  customers with activity that day
      wau  customers with activity in the trailing weekly_active_window_days (day included)
      mau  customers with activity in the trailing active_window_days (day included)
      stickiness = dau / mau
    Users are identified customers (anonymous visitors cannot be followed across devices).
#}
with

daily_activity as (

    select * from {{ ref('fct_customer_daily_activity') }}

),

daily_counts as (

    select
        activity_date,
        count(*) filter (where has_activity) as dau,
        count(*) filter (where is_weekly_active) as wau,
        count(*) filter (where is_active) as mau,
        count(*) as customers_to_date
    from daily_activity
    group by all

),

final as (

    select
        -- dates
        activity_date,
        -- numerics
        cast(dau as bigint) as dau,
        cast(wau as bigint) as wau,
        cast(mau as bigint) as mau,
        cast(dau as double) / nullif(mau, 0) as stickiness,
        cast(customers_to_date as bigint) as customers_to_date
    from daily_counts

)

select * from final
