{#
    One row per product of an order derived from the REES46 purchases (see stg_rees46__orders):
    the usable purchase events of one user, store session and product.

      line_number  position of the product in the order, by product_id
      quantity     number of purchase events of the product in the order (each is one unit)
      unit_price   the highest price among them (they are equal in the shared sample)
      line_amount  sum of their prices

    Row-level quarantine reason: missing_order_id (purchase without user_session).
#}
with

purchases as (

    select * from {{ ref('base_rees46__events_typed') }}
    where
        event_type = 'purchase'
        and event_quarantine_reason is null
        and not is_duplicate_copy

),

lines as (

    select
        order_id,
        product_id,
        min(source_file) as source_file,
        count(*) as quantity,
        max(price) as unit_price,
        sum(price) as line_amount
    from purchases
    group by all

),

recorded as (

    select
        *,
        {{ json_object([
            ('order_id', 'order_id'),
            ('product_id', 'product_id'),
            ('purchase_events', 'quantity'),
        ]) }} as raw_record
    from lines

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        order_id,
        product_id,
        cast(dense_rank() over (partition by order_id order by product_id) as integer)
            as line_number,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(line_amount as decimal(18, 2)) as line_amount,
        case
            when order_id is null then 'missing_order_id'
        end as quarantine_reason
    from recorded

)

select * from final
