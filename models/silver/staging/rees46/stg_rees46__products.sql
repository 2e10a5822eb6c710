{#
    One row per product_id in the REES46 log: the source has no product table, so the
    catalogue is built from the events that name a product (any event type).

      category       top level of the product's category_code (`unknown` when never given)
      category_path  category_code, lower case; the latest non-empty value seen
      brand          the latest non-empty brand seen; `unbranded` when never given
      list_price     the price of the product's latest event with a positive price
                     ("latest": events dated after their delivery come last)
      product_name   null: the log has no product names

    Row-level quarantine reason: invalid_price (never seen with a positive price).
#}
with

events as (

    select
        *,
        -- An event dated after its delivery is never the product's latest.
        case when is_after_delivery is not true then event_at end as plausible_event_at
    from {{ ref('base_rees46__events_typed') }}
    where product_id is not null

),

-- The latest value of each attribute among the events that have one: windows, not ordered
-- aggregates (Spark has none). Rows without a value sort last, so the first row has one if
-- any event does.
latest as (

    select
        product_id,
        source_file,
        first_value(category_path) over (
            partition by product_id
            order by
                category_path is null,
                plausible_event_at desc nulls last,
                category_path asc nulls last
        ) as category_path,
        first_value(brand) over (
            partition by product_id
            order by brand is null, plausible_event_at desc nulls last, brand asc nulls last
        ) as brand,
        first_value(case when price > 0 then price end) over (
            partition by product_id
            order by
                price > 0 is not true,
                plausible_event_at desc nulls last,
                price desc nulls last
        ) as list_price
    from events

),

products as (

    select
        product_id,
        min(source_file) as source_file,
        -- the same on every row of the product (max: that value, or null)
        max(category_path) as category_path,
        max(brand) as brand,
        max(list_price) as list_price,
        count(*) as events_landed
    from latest
    group by all

),

recorded as (

    select
        *,
        {{ json_object([
            ('product_id', 'product_id'),
            ('category_code', 'category_path'),
            ('brand', 'brand'),
            ('price', 'list_price'),
            ('events_landed', 'events_landed'),
        ]) }} as raw_record
    from products

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        product_id,
        cast(null as string) as product_name,
        coalesce(split_part(category_path, '.', 1), 'unknown') as category,
        category_path,
        coalesce(brand, 'unbranded') as brand,
        cast(list_price as decimal(18, 2)) as list_price,
        case
            when list_price is null or list_price <= 0 then 'invalid_price'
        end as quarantine_reason
    from recorded

)

select * from final
