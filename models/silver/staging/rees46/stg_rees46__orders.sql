{#
    One row per order derived from the REES46 purchases. The log has purchase events, one per
    product bought, and no order table. Rule: the usable purchase events (no row-level reason,
    each exact duplicate once) of one user in one store session (user_session) are one order,
    order_id = user_id || '-' || user_session.

      order_status     `completed` (the log has no cancellations or returns)
      subtotal_amount  sum of the purchase events' prices; total_amount the same
      discount_amount, shipping_amount  0 (not in the log)
      ordered_at       the first purchase event of the order (UTC)

    Row-level quarantine reason: missing_order_id (a purchase without user_session cannot be
    grouped into an order; the purchase event itself is still kept as an event).
#}
with

purchases as (

    select * from {{ ref('base_rees46__events_typed') }}
    where
        event_type = 'purchase'
        and event_quarantine_reason is null
        and not is_duplicate_copy

),

orders as (

    select
        order_id,
        min(source_file) as source_file,
        min(customer_id) as customer_id,
        min(user_session) as user_session,
        sum(price) as subtotal_amount,
        min(event_at) as ordered_at,
        count(*) as purchase_events
    from purchases
    group by all

),

recorded as (

    select
        *,
        {{ json_object([
            ('user_id', 'customer_id'),
            ('user_session', 'user_session'),
            ('purchase_events', 'purchase_events'),
        ]) }} as raw_record
    from orders

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        order_id,
        customer_id,
        cast(null as string) as offer_id,
        'completed' as order_status,
        cast(subtotal_amount as decimal(18, 2)) as subtotal_amount,
        cast(0 as decimal(18, 2)) as discount_amount,
        cast(0 as decimal(18, 2)) as shipping_amount,
        cast(subtotal_amount as decimal(18, 2)) as total_amount,
        ordered_at,
        case
            when order_id is null then 'missing_order_id'
        end as quarantine_reason
    from recorded

)

select * from final
