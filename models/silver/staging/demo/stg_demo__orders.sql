{#
    One row per landed order row: typed and cleaned, with a row-level `quarantine_reason`.
    Cancelled and returned orders are kept (status says so); gold decides what counts as spend.
#}
{%- set raw_columns = landed_columns('orders') -%}

with

source as (

    select
        *,
        {{ landed_row_hash(raw_columns) }} as landed_row_hash,
        {{ landed_values(raw_columns) }}
    from {{ bronze('orders', raw_columns) }}

),

typed as (

    select
        {{ landed_row_id() }} as source_row_id,
        {{ landed_value_names(raw_columns) }},
        source_file,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_enum('status') }} as order_status,
        try_cast(trim(subtotal_amount) as decimal(18, 2)) as subtotal_amount,
        coalesce(try_cast(trim(discount_amount) as decimal(18, 2)), 0) as discount_amount,
        coalesce(try_cast(trim(shipping_amount) as decimal(18, 2)), 0) as shipping_amount,
        try_cast(trim(total_amount) as decimal(18, 2)) as total_amount,
        {{ parse_timestamp_utc('order_time') }} as ordered_at
    from source

),

cleaned as (

    select
        *,
        case
            when order_id is null then 'missing_order_id'
            when customer_id is null then 'missing_customer_id'
            when ordered_at is null then 'invalid_timestamp'
            when order_status is null or order_status not in {{ sql_list(var('order_statuses')) }}
                then 'invalid_status'
            when total_amount is null or total_amount < 0 then 'invalid_amount'
            when subtotal_amount is null or subtotal_amount < 0 then 'invalid_amount'
            when discount_amount < 0 or shipping_amount < 0 then 'invalid_amount'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows(raw_columns) }}

)

select * from final
