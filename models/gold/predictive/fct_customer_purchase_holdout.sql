{#
    The holdout check's input, one row per customer with a completed order on or before the
    calibration end (as_of_date minus var clv_holdout_days): the purchase summary of
    fct_customer_purchase_summary measured at the calibration end (same purchase and spend
    rules, later orders never read) and what the customer did in the holdout window
    (calibration end, as_of_date]: distinct purchase days. clv_holdout_report fits on the
    calibration columns and compares its predictions with frequency_holdout.
#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

holdout as (

    {{ customer_purchase_holdout(
        'orders',
        calibration_end='cast(' ~ dbt.dateadd('day', -var('clv_holdout_days'), as_of_date()) ~ ' as date)',
        observation_end=as_of_date(),
        purchase_column='is_counted',
        customer_column='customer_id',
        date_column='order_date',
        amount_column='net_amount',
    ) }}

),

final as (

    select
        -- ids
        customer_id,
        -- strings
        time_unit,
        -- numerics
        frequency,
        recency,
        t,
        cast(monetary_value as double) as monetary_value,
        transaction_count as completed_orders,
        frequency_holdout,
        duration_holdout,
        -- dates
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        observation_end_date as as_of_date
    from holdout

)

select * from final
