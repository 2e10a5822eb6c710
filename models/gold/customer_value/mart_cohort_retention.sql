{#
    One row per acquisition cohort month x months since acquisition, from month 0 up to the
    month of as_of_date (months without any order included, with zeros).

    Cohort: dim_customers.acquisition_cohort_month, the month of the customer's first
    completed order. Active customers in a month: cohort customers with a completed order in
    it (so month 0 retention is 1 by construction). Revenue: their net revenue in the month
    (the net revenue rule of fct_orders: credit notes dated in the month subtract). The month of as_of_date is partial: is_complete_month.
#}
with

customers as (

    select * from {{ ref('dim_customers') }}
    where acquisition_cohort_month is not null

),

as_of as (

    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as as_of_month,
        {{ as_of_date() }} = cast({{ dbt.last_day(as_of_date(), 'month') }} as date)
            as is_as_of_month_end

),

orders as (

    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

),

cohorts as (

    select
        acquisition_cohort_month,
        count(*) as cohort_customers
    from customers
    group by all

),

offset_range as (

    select
        {{ dbt.datediff(
            'min(cohorts.acquisition_cohort_month)', 'max(as_of.as_of_month)', 'month'
        ) }} as max_months_since_acquisition
    from cohorts
    cross join as_of

),

month_offsets as (

    select {{ explode_series('0', 'max_months_since_acquisition') }} as months_since_acquisition
    from offset_range

),

cohort_months as (

    select
        cohorts.acquisition_cohort_month,
        cohorts.cohort_customers,
        month_offsets.months_since_acquisition,
        cast({{ dbt.dateadd('month', 'month_offsets.months_since_acquisition',
            'cohorts.acquisition_cohort_month') }} as date) as activity_month,
        as_of.as_of_month,
        as_of.is_as_of_month_end
    from cohorts
    cross join as_of
    inner join month_offsets
        on
            month_offsets.months_since_acquisition
            <= {{ dbt.datediff('cohorts.acquisition_cohort_month', 'as_of.as_of_month', 'month') }}

),

activity as (

    select
        customers.acquisition_cohort_month,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as activity_month,
        count(distinct orders.customer_id) filter (where orders.is_counted) as active_customers,
        count(*) filter (where orders.is_counted) as orders,
        sum(orders.net_amount) as net_revenue
    from orders
    inner join customers on orders.customer_id = customers.customer_id
    group by all

),

final as (

    select
        -- numerics
        cast(cohort_months.months_since_acquisition as integer) as months_since_acquisition,
        cast(cohort_months.cohort_customers as integer) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as integer) as active_customers,
        cast(coalesce(activity.active_customers, 0) as double)
        / cohort_months.cohort_customers as retention_rate,
        cast(coalesce(activity.orders, 0) as integer) as orders,
        cast(coalesce(activity.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(sum(coalesce(activity.net_revenue, 0)) over (
            partition by cohort_months.acquisition_cohort_month
            order by cohort_months.months_since_acquisition
            rows between unbounded preceding and current row
        ) as decimal(18, 2)) as cumulative_net_revenue,
        cast(sum(coalesce(activity.net_revenue, 0)) over (
            partition by cohort_months.acquisition_cohort_month
            order by cohort_months.months_since_acquisition
            rows between unbounded preceding and current row
        ) as double) / cohort_months.cohort_customers as cumulative_revenue_per_customer,
        -- booleans
        cohort_months.activity_month < cohort_months.as_of_month
        or cohort_months.is_as_of_month_end as is_complete_month,
        -- dates
        cohort_months.acquisition_cohort_month,
        cohort_months.activity_month
    from cohort_months
    left join activity
        on
            cohort_months.acquisition_cohort_month = activity.acquisition_cohort_month
            and cohort_months.activity_month = activity.activity_month

)

select * from final
