{#
    One row per landed product row: typed and cleaned, with a row-level `quarantine_reason`.
    A product without a positive list price cannot be priced and is quarantined (invalid_price;
    so is a list price with more than two decimals: exact_cast, never rounded).
#}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__products') }}

),

typed as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_name') }} as product_name,
        lower({{ clean_text('category_path') }}) as category_path,
        {{ clean_enum('category') }} as category_raw,
        {{ clean_text('brand') }} as brand,
        {{ exact_cast('list_price', 'decimal(18, 2)') }} as list_price
    from source

),

cleaned as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        product_id,
        product_name,
        -- The top level of the path is the category when the category column is empty.
        coalesce(category_raw, split_part(category_path, '.', 1), 'unknown') as category,
        category_path,
        coalesce(brand, 'unbranded') as brand,
        list_price,
        case
            when read_error is not null then read_error
            when product_id is null then 'missing_product_id'
            when list_price is null or list_price <= 0 then 'invalid_price'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final
