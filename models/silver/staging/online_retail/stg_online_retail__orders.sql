{#
    One row per invoice (InvoiceNo) in the Online Retail files: the source has no order table,
    so the order is built from its lines.

      order_status     `credit_note` for an invoice number starting with C (a credit note that
                       reverses earlier sales: negative net revenue in fct_orders), else
                       `completed`
      customer_id      the invoice's CustomerID (17850.0 -> 17850); null on guest invoices
      subtotal_amount  sum of |quantity| x unit price over the invoice's product lines (lines
                       with no row-level reason, or only missing_customer_id, so a quarantined
                       guest invoice still shows its value; each exact duplicate counted once)
      shipping_amount  sum of its postage / carriage lines (POST, DOT, C2)
      discount_amount  0 (the data's discounts are separate credit notes: stock code D)
      ordered_at       the invoice's earliest InvoiceDate, UTC, over its lines not dated after
                       their delivery (is_after_delivery)

    Row-level quarantine reasons: missing_customer_id (a guest invoice: it cannot be attributed
    to a customer), timestamp_after_delivery (every dated line of it is after its delivery),
    invalid_timestamp, no_product_lines (nothing on it is a usable product line: only fees,
    postage, adjustments or zero-price lines).
#}
with

lines as (

    select
        *,
        (
            coalesce(line_quarantine_reason, 'missing_customer_id') = 'missing_customer_id'
            and not is_duplicate_copy
        ) as is_counted_product_line
    from {{ ref('base_online_retail__invoice_lines_typed') }}
    where order_id is not null

),

invoices as (

    select
        order_id,
        min(source_file) as source_file,
        bool_or(is_cancellation) as is_cancellation,
        -- One customer per invoice in the data; max() picks one deterministically if not.
        max(customer_id) as customer_id,
        min(invoiced_at) filter (where is_after_delivery is not true) as ordered_at,
        bool_or(is_after_delivery) as has_line_after_delivery,
        count(*) as lines_landed,
        count(*) filter (where is_counted_product_line) as product_lines,
        coalesce(sum(line_amount) filter (where is_counted_product_line), 0) as subtotal_amount,
        coalesce(
            sum(line_amount) filter (
                where
                is_shipping_line
                and unit_price > 0
                and not is_duplicate_copy
                and is_after_delivery is not true
            ),
            0
        ) as shipping_amount
    from lines
    group by all

),

recorded as (

    select
        *,
        {{ json_object([
            ('invoice_no', 'order_id'),
            ('customer_id', 'customer_id'),
            ('lines_landed', 'lines_landed'),
            ('product_lines', 'product_lines'),
        ]) }} as raw_record
    from invoices

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        order_id,
        customer_id,
        cast(null as string) as offer_id,
        case when is_cancellation then 'credit_note' else 'completed' end as order_status,
        cast(subtotal_amount as decimal(18, 2)) as subtotal_amount,
        cast(0 as decimal(18, 2)) as discount_amount,
        cast(shipping_amount as decimal(18, 2)) as shipping_amount,
        cast(subtotal_amount + shipping_amount as decimal(18, 2)) as total_amount,
        ordered_at,
        case
            when customer_id is null then 'missing_customer_id'
            when ordered_at is null and has_line_after_delivery then 'timestamp_after_delivery'
            when ordered_at is null then 'invalid_timestamp'
            when product_lines = 0 then 'no_product_lines'
        end as quarantine_reason
    from recorded

)

select * from final
