{#
    One row per landed order row: typed and cleaned, with a row-level `quarantine_reason`.
    Cancelled and returned orders are kept (status says so); gold decides what counts as spend.
    Amounts are cast exactly (exact_cast): an amount with more than two decimals, or text that
    is not a number, is quarantined as invalid_amount, never rounded; an empty discount or
    shipping amount is 0. An order dated after its delivery (is_after_delivery) is quarantined
    as timestamp_after_delivery.
#}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__orders') }}

),

typed as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_enum('status') }} as order_status,
        {{ exact_cast('subtotal_amount', 'decimal(18, 2)') }} as subtotal_amount,
        {{ exact_cast('discount_amount', 'decimal(18, 2)') }} as discount_amount_raw,
        {{ clean_text('discount_amount') }} is not null as has_discount_text,
        {{ exact_cast('shipping_amount', 'decimal(18, 2)') }} as shipping_amount_raw,
        {{ clean_text('shipping_amount') }} is not null as has_shipping_text,
        {{ exact_cast('total_amount', 'decimal(18, 2)') }} as total_amount,
        {{ parse_timestamp_utc('order_time') }} as ordered_at
    from source

),

cleaned as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        order_id,
        customer_id,
        offer_id,
        order_status,
        subtotal_amount,
        coalesce(discount_amount_raw, 0) as discount_amount,
        coalesce(shipping_amount_raw, 0) as shipping_amount,
        total_amount,
        ordered_at,
        case
            when read_error is not null then read_error
            when order_id is null then 'missing_order_id'
            when customer_id is null then 'missing_customer_id'
            when ordered_at is null then 'invalid_timestamp'
            when {{ is_after_delivery('ordered_at', arrival_date('source_file'), 'typed') }}
                then 'timestamp_after_delivery'
            when order_status is null or order_status not in {{ sql_list(var('order_statuses')) }}
                then 'invalid_status'
            when total_amount is null or total_amount < 0 then 'invalid_amount'
            when subtotal_amount is null or subtotal_amount < 0 then 'invalid_amount'
            when has_discount_text and discount_amount_raw is null then 'invalid_amount'
            when has_shipping_text and shipping_amount_raw is null then 'invalid_amount'
            when discount_amount_raw < 0 or shipping_amount_raw < 0 then 'invalid_amount'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final
