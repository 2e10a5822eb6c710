{#
    One row per purchasing customer (a completed order on or before as_of_date): the
    BG/NBD + Gamma-Gamma input, computed by macro customer_purchase_summary with the
    definitions of lifetimes' summary_data_from_transaction_data at day resolution, measured in
    var clv_time_unit. A purchase is a completed order (is_counted), so a cancelled or
    returned order, or a credit note, makes no purchase day; spend is net_amount (the net
    revenue rule of fct_orders), so a credit note dated on a purchase day nets that day's
    spend (a same-day cancellation leaves what was kept).
#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

summary as (

    {{ customer_purchase_summary(
        'orders',
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
        -- dates
        first_purchase_date,
        last_purchase_date,
        observation_end_date as as_of_date
    from summary

)

select * from final
