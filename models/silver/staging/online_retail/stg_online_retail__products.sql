{#
    One row per stock code in the Online Retail files that is a product (not postage, fees or
    adjustments: see base_online_retail__invoice_lines_typed): the source has no product table,
    so the catalogue is built from the invoice lines.

      product_id     StockCode, upper case (85123a and 85123A are the same product)
      product_name   the code's most frequent Description (ties: alphabetically first)
      list_price     the code's most frequent positive UnitPrice (ties: the lowest)
      category       `unknown`, category_path null, brand `unbranded`: not in the data

    Row-level quarantine reason: invalid_price (never sold at a positive price, e.g. codes only
    seen on zero-price adjustment lines).
#}
with

lines as (

    select * from {{ ref('base_online_retail__invoice_lines_typed') }}
    where
        product_id is not null
        and not is_shipping_line
        and not is_non_product_line

),

description_counts as (

    select
        product_id,
        description,
        count(*) as lines_named
    from lines
    where description is not null
    group by all

),

names as (

    select
        product_id,
        description as product_name
    from (
        -- the most frequent description (ties: the lowest); a window, not an ordered
        -- aggregate (Spark has none)
        select
            product_id,
            description,
            row_number() over (
                partition by product_id order by lines_named desc, description asc
            ) as name_rank
        from description_counts
    ) as ranked
    where name_rank = 1

),

price_counts as (

    select
        product_id,
        unit_price,
        count(*) as lines_priced
    from lines
    where unit_price > 0
    group by all

),

prices as (

    select
        product_id,
        unit_price as list_price
    from (
        select
            product_id,
            unit_price,
            row_number() over (
                partition by product_id order by lines_priced desc, unit_price asc
            ) as price_rank
        from price_counts
    ) as ranked
    where price_rank = 1

),

products as (

    select
        product_id,
        min(source_file) as source_file,
        count(*) as lines_landed
    from lines
    group by all

),

recorded as (

    select
        products.*,
        names.product_name,
        prices.list_price,
        {{ json_object([
            ('stock_code', 'products.product_id'),
            ('description', 'names.product_name'),
            ('unit_price', 'prices.list_price'),
            ('lines_landed', 'products.lines_landed'),
        ]) }} as raw_record
    from products
    left join names on products.product_id = names.product_id
    left join prices on products.product_id = prices.product_id

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        product_id,
        product_name,
        'unknown' as category,
        cast(null as string) as category_path,
        'unbranded' as brand,
        cast(list_price as decimal(18, 2)) as list_price,
        case
            when list_price is null or list_price <= 0 then 'invalid_price'
        end as quarantine_reason
    from recorded

)

select * from final
