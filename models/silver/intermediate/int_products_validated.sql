{#
    One row per landed product row with its final `quarantine_reason`: the row-level reason
    from staging, else conflicting_redelivery: a valid copy of a product_id whose content
    differs from the copy that is kept (kept_copy_order: the earliest delivered). Valid copies
    with the same content are exact redeliveries, deduplicated in int_products_deduplicated.
#}
with

products as (

    select * from {{ staged('products') }}

),

final as (

    select
        {{ quarantine_conflicting_copies('products', ['product_id'], [
            'product_name', 'category', 'category_path', 'brand', 'list_price',
        ]) }}
    from products

),

recorded as (

    {{ select_validated_rows('final', 'products') }}

)

select * from recorded
