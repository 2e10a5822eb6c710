{#
    One row per purchasing customer (a completed order on or before as_of_date): the
    BG/NBD + Gamma-Gamma input, computed by macro customer_purchase_summary with the
    definitions of lifetimes' summary_data_from_transaction_data at day resolution, measured in
    var clv_time_unit. Spend is net_amount (the net spend rule of fct_orders), so a cancelled
    or returned order is not a purchase at all.
#}
with

completed_orders as (

    select * from {{ ref('fct_orders') }}
    where is_counted

),

summary as (

    {{ customer_purchase_summary(
        'completed_orders',
        observation_end=as_of_date(),
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
        -- dates
        first_purchase_date,
        last_purchase_date,
        observation_end_date as as_of_date
    from summary

)

select * from final
