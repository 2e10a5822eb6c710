{#
    One row per landed order-line row: typed, with a row-level `quarantine_reason`.
#}
{%- set raw_columns = landed_columns('order_lines') -%}

with

source as (

    select
        *,
        {{ landed_row_hash(raw_columns) }} as landed_row_hash,
        {{ landed_values(raw_columns) }}
    from {{ bronze('order_lines', raw_columns) }}

),

typed as (

    select
        {{ landed_row_id() }} as source_row_id,
        {{ landed_value_names(raw_columns) }},
        source_file,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        try_cast(trim(line_number) as integer) as line_number,
        try_cast(trim(quantity) as integer) as quantity,
        try_cast(trim(unit_price) as decimal(18, 2)) as unit_price,
        try_cast(trim(line_amount) as decimal(18, 2)) as line_amount_raw
    from source

),

cleaned as (

    select
        source_row_id,
        {{ landed_value_names(raw_columns) }},
        source_file,
        order_id,
        product_id,
        line_number,
        quantity,
        unit_price,
        coalesce(line_amount_raw, quantity * unit_price) as line_amount,
        case
            when order_id is null then 'missing_order_id'
            when line_number is null then 'missing_line_number'
            when product_id is null then 'missing_product_id'
            when quantity is null or quantity <= 0 then 'invalid_quantity'
            when unit_price is null or unit_price <= 0 then 'invalid_price'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows(raw_columns) }}

)

select * from final
