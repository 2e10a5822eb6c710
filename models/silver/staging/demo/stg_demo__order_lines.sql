{#
    One row per landed order-line row: typed, with a row-level `quarantine_reason`. Numbers
    are cast exactly (exact_cast), never rounded: a quantity of 2.7 is invalid_quantity, a
    unit price of 19.999 invalid_price, a line amount with more than two decimals
    invalid_amount (an empty line amount is quantity x unit price); a line number that is not
    a whole number is missing_line_number.
#}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__order_lines') }}

),

typed as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        {{ exact_cast('line_number', 'integer') }} as line_number,
        {{ exact_cast('quantity', 'integer') }} as quantity,
        {{ exact_cast('unit_price', 'decimal(18, 2)') }} as unit_price,
        {{ exact_cast('line_amount', 'decimal(18, 2)') }} as line_amount_raw,
        {{ clean_text('line_amount') }} is not null as has_line_amount_text
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
        product_id,
        line_number,
        quantity,
        unit_price,
        coalesce(line_amount_raw, quantity * unit_price) as line_amount,
        case
            when read_error is not null then read_error
            when order_id is null then 'missing_order_id'
            when line_number is null then 'missing_line_number'
            when product_id is null then 'missing_product_id'
            when quantity is null or quantity <= 0 then 'invalid_quantity'
            when unit_price is null or unit_price <= 0 then 'invalid_price'
            when has_line_amount_text and line_amount_raw is null then 'invalid_amount'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final
