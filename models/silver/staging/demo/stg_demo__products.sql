{#
    One row per landed product row: typed and cleaned, with a row-level `quarantine_reason`.
    A product without a positive list price cannot be priced and is quarantined (invalid_price;
    so is a list price with more than two decimals: exact_cast, never rounded).
#}
{%- set raw_columns = landed_columns('products') -%}

with

source as (

    select
        *,
        {{ landed_row_hash(raw_columns) }} as landed_row_hash,
        {{ landed_values(raw_columns) }}
    from {{ bronze('products', raw_columns) }}

),

typed as (

    select
        {{ landed_row_id() }} as source_row_id,
        {{ landed_value_names(raw_columns) }},
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
        {{ landed_value_names(raw_columns) }},
        source_file,
        product_id,
        product_name,
        -- The top level of the path is the category when the category column is empty.
        coalesce(category_raw, split_part(category_path, '.', 1), 'unknown') as category,
        category_path,
        coalesce(brand, 'unbranded') as brand,
        list_price,
        case
            when product_id is null then 'missing_product_id'
            when list_price is null or list_price <= 0 then 'invalid_price'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows(raw_columns) }}

)

select * from final
