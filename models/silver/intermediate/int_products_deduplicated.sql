{#
    One row per product that passed staging checks; a product landed twice keeps one row
    (lowest source_row_id, so the choice is deterministic).
#}
with

products as (

    select * from {{ staged('products') }}
    where quarantine_reason is null

),

final as (

    select
        product_id,
        product_name,
        category,
        category_path,
        brand,
        list_price,
        source_row_id
    from products
    qualify row_number() over (partition by product_id order by source_row_id) = 1

)

select * from final
