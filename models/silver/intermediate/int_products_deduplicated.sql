{#
    One row per product that passed validation (int_products_validated). The valid copies of a
    product are exact redeliveries (other content: conflicting_redelivery there); the earliest
    delivered one is kept (kept_copy_order), the others count as deduplicated.
#}
with

products as (

    select * from {{ ref('int_products_validated') }}
    where quarantine_reason is null

),

numbered as (

    select
        *,
        row_number() over (
            partition by product_id
            order by {{ kept_copy_order('products') }}
        ) as copy_number
    from products

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
    from numbered
    where copy_number = 1

)

select * from final
